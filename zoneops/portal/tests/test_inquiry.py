"""The inquiry: checked field by field, guarded against floods, a lead for the right officer,
the contact's data for those who may read the lead only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zoneops.orgs.tests.factories import signed_in
from zoneops.portal.models import HallPost, Inquiry
from zoneops.portal.services import (
    INQUIRIES_PER_MOBILE_DAY,
    POSTS_PER_ADDRESS_HOUR,
    inquiry_submit,
    lead_assignee,
)
from zoneops.projects.enums import SourceChannel, Stage

URL = "/hall/inquiry/"


def fields(**changes):
    data = {
        "company": "沧州恒达汽车零部件有限公司",
        "contact_name": "王先生",
        "mobile": "13812345678",
        "industry": "",
        "planned_investment": "50000",
        "needs": ["land", "finance"],
        "message": "拟建设汽车座椅生产线，需要50亩工业用地。",
        "website": "",
    }
    data.update(changes)
    return data


def post(client, hall, address="203.0.113.5", **changes):
    data = fields(**changes)
    if data["industry"] == "":
        data["industry"] = str(hall["auto"].pk)
    return client.post(URL, data, REMOTE_ADDR=address)


def test_an_inquiry_becomes_a_lead_for_the_officer_of_its_industry(db, hall):
    client = Client()
    response = post(client, hall)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:inquiry_sent")
    inquiry = Inquiry.objects.get()
    assert re.fullmatch(r"ZS-2026-[2-9A-HJKMNP-Z]{6}", inquiry.reference)
    lead = inquiry.project
    assert lead.stage == Stage.LEAD
    assert lead.source_channel == SourceChannel.ONLINE_HALL
    assert lead.investor_name == "沧州恒达汽车零部件有限公司"
    assert lead.total_investment == 50000
    assert lead.industry == hall["auto"]
    # The department leading the auto chain; in it the officer with fewer open leads.
    assert lead.responsible_department == hall["investment"]
    assert lead.owner == hall["free"]
    assert "13812345678" not in lead.contacts + lead.description  # kept on the inquiry only
    assert inquiry.needs == ["land", "finance"]
    page = client.get(response["Location"])
    assert inquiry.reference in page.content.decode()


def test_each_lead_goes_to_the_officer_with_the_fewest_open_leads(db, hall):
    # Officers of the bureau and its section: busy (one lead), free and writer (none); the
    # department head only when no 工作人员 may register projects.
    owners = [inquiry_submit(**_args(hall)).project.owner for _i in range(4)]
    assert owners == [hall["free"], hall["writer"], hall["busy"], hall["free"]]


def test_an_industry_without_a_chain_is_left_to_the_zone_wide_roles(db, hall):
    assignee = lead_assignee(industry=hall["materials"])
    assert assignee.department is None and assignee.officer is None
    inquiry = inquiry_submit(**_args(hall, industry=hall["materials"]))
    assert inquiry.project.owner is None
    page = signed_in(hall["principal"]).get(
        reverse("admin:projects_project_change", args=[inquiry.project.pk])
    )
    assert "13812345678" in page.content.decode()


def _args(hall, **changes):
    args = {
        "company": "沧州恒达汽车零部件有限公司",
        "contact_name": "王先生",
        "mobile": "13812345678",
        "industry": hall["auto"],
        "planned_investment": "50000",
        "needs": ["land"],
        "message": "",
    }
    args.update(changes)
    return args


BAD = [
    ("company", "", "请填写企业名称"),
    ("company", "甲", "企业名称至少2个字"),
    ("company", "沧州\x00公司", None),
    ("company", "公" * 101, None),
    ("contact_name", "", "请填写联系人"),
    ("contact_name", "王\x07先生", None),
    ("mobile", "", "请填写手机号"),
    ("mobile", "12812345678", "手机号应为11位数字"),
    ("mobile", "1381234567", "手机号应为11位数字"),
    ("mobile", "138123456789", "手机号应为11位数字"),
    ("mobile", "1381234567x", "手机号应为11位数字"),
    ("planned_investment", "很多", "计划投资请填写数字"),
    ("planned_investment", "-5", "计划投资不能为负数"),
    ("planned_investment", "1e30", "计划投资不能超过1000亿元"),
    ("planned_investment", "NaN", "计划投资请填写数字"),
    ("planned_investment", "99999999999999999999999", None),
    ("planned_investment", "1.234", "计划投资最多保留两位小数"),
    ("needs", ["land", "moon"], None),
    ("industry", "99999999999999999999999999", None),
    ("industry", "abc", None),
    ("message", "好" * 2001, None),
    ("message", "你好\x1b[31m", None),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_a_bad_input_is_refused_at_its_field(db, hall, name, value, message):
    response = post(Client(), hall, **{name: value})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert name in errors, errors
    if message:
        assert message in " ".join(errors[name])
    assert not Inquiry.objects.exists()


def test_a_filled_honeypot_creates_nothing(db, hall):
    response = post(Client(), hall, website="http://spam.example")
    assert response.status_code == 400
    assert "提交未通过校验" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_posts_from_one_address_are_limited(db, hall, monkeypatch):
    monkeypatch.setattr("zoneops.portal.services.hall_challenge_needed", lambda **kw: False)
    monkeypatch.setattr("zoneops.portal.views.hall_challenge_needed", lambda **kw: False)
    for number in range(POSTS_PER_ADDRESS_HOUR):
        post(Client(), hall, mobile=f"1381234{number:04d}", company="")
    response = post(Client(), hall, mobile="13900000000")
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert not Inquiry.objects.exists()
    # Another address is not held back, and an hour later this one is free again.
    assert post(Client(), hall, address="198.51.100.7").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert post(Client(), hall, mobile="13900000000").status_code == 302


def test_inquiries_for_one_mobile_are_limited(db, hall, monkeypatch):
    monkeypatch.setattr("zoneops.portal.services.hall_challenge_needed", lambda **kw: False)
    monkeypatch.setattr("zoneops.portal.views.hall_challenge_needed", lambda **kw: False)
    for number in range(INQUIRIES_PER_MOBILE_DAY):
        assert post(Client(), hall, address=f"198.51.100.{number}").status_code == 302
    response = post(Client(), hall, address="198.51.100.200")
    assert response.status_code == 429
    assert "mobile" in response.context["form"].errors
    assert Inquiry.objects.count() == INQUIRIES_PER_MOBILE_DAY


def _challenge(response):
    form = response.context["form"]
    token = form.data.get("challenge_token") if form.is_bound else form.initial["challenge_token"]
    first, second, _nonce = signing.loads(token, salt="zoneops.portal.challenge")
    return token, first + second


def test_repeated_posts_must_answer_a_question(db, hall):
    client = Client()
    assert post(client, hall).status_code == 302
    assert post(client, hall, mobile="13912345678").status_code == 302
    page = client.get(URL, REMOTE_ADDR="203.0.113.5")
    assert page.context["challenge"] is not None
    assert "验证问题" in page.content.decode()
    # Without an answer, with a wrong one, with a forged token: refused at the question.
    response = post(client, hall, mobile="13712345678")
    assert "challenge" in response.context["form"].errors
    token, answer = _challenge(page)
    response = post(
        client, hall, mobile="13712345678", challenge_token=token, challenge=str(answer + 1)
    )
    assert "答案不对" in " ".join(response.context["form"].errors["challenge"])
    response = post(
        client, hall, mobile="13712345678", challenge_token=token + "x", challenge=str(answer)
    )
    assert "challenge" in response.context["form"].errors
    assert Inquiry.objects.count() == 2
    token, answer = _challenge(response)
    response = post(
        client, hall, mobile="13712345678", challenge_token=token, challenge=str(answer)
    )
    assert response.status_code == 302
    assert Inquiry.objects.count() == 3
    # A solved question answers one post only.
    again = post(client, hall, mobile="13612345678", challenge_token=token, challenge=str(answer))
    assert again.status_code == 400 and "challenge" in again.context["form"].errors
    # An answer in other digits ("²" is a digit to Python) is a wrong answer, not a crash.
    token, _answer = _challenge(again)
    odd = post(client, hall, mobile="13612345678", challenge_token=token, challenge="²")
    assert odd.status_code == 400 and "答案不对" in " ".join(
        odd.context["form"].errors["challenge"]
    )
    assert Inquiry.objects.count() == 3


def test_one_mobile_is_one_number_however_it_is_typed(db, hall, monkeypatch):
    monkeypatch.setattr("zoneops.portal.services.hall_challenge_needed", lambda **kw: False)
    monkeypatch.setattr("zoneops.portal.views.hall_challenge_needed", lambda **kw: False)
    typed = ["13812345678", "138-1234-5678", "138 1234 5678"]
    for number, mobile in enumerate(typed):
        assert (
            post(Client(), hall, address=f"198.51.100.{number}", mobile=mobile).status_code == 302
        )
    response = post(Client(), hall, address="198.51.100.9", mobile="1381234-5678")
    assert response.status_code == 429
    # Full-width digits are not a mobile number (nor another one to count apart).
    wide = post(Client(), hall, address="198.51.100.10", mobile="13８１２３４５６７８")
    assert wide.status_code == 400 and "mobile" in wide.context["form"].errors
    assert set(Inquiry.objects.values_list("mobile", flat=True)) == {"13812345678"}


def test_the_form_answers_a_head_request(db, hall):
    assert Client().head(URL).status_code == 200


def test_old_posts_are_forgotten(db, hall):
    post(Client(), hall)
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        post(Client(), hall, mobile="13912345678")
        assert HallPost.objects.count() == 1


def test_the_confirmation_is_for_the_browser_that_sent_it(db, hall):
    post(Client(), hall)
    response = Client().get(reverse("portal:inquiry_sent"))
    assert response.status_code == 302


def test_only_staff_who_may_read_the_lead_see_the_contact(db, hall):
    inquiry = inquiry_submit(**_args(hall))
    url = reverse("admin:projects_project_change", args=[inquiry.project.pk])
    officer_page = signed_in(hall["free"]).get(url)
    assert officer_page.status_code == 200
    html = officer_page.content.decode()
    assert "线上会客厅咨询" in html and "13812345678" in html and "王先生" in html
    inquiry_url = reverse("admin:portal_inquiry_change", args=[inquiry.pk])
    assert signed_in(hall["free"]).get(inquiry_url).status_code == 200
    other = signed_in(hall["other"])
    assert other.get(url).status_code in (302, 404)
    assert other.get(inquiry_url).status_code in (302, 404)
    listing = other.get(reverse("admin:portal_inquiry_changelist"))
    assert "13812345678" not in listing.content.decode()
    assert inquiry.reference not in listing.content.decode()
