"""The hall end to end, in a real browser (zoneops/common/tests/browser.py): an investor sends
an inquiry from a phone, the officer who answers for its industry finds the lead in his
pipeline, and the investor follows its status.

The clock stands still at the hall's day (conftest): the live server reads it too, so the
reference carries its year; the browser's cookies live by Max-Age, not by the server's date.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from zoneops.common.tests.browser import horizontal_overflow
from zoneops.portal.models import Inquiry

pytestmark = pytest.mark.clock_fixed  # the hall's conftest holds every test's clock

COMPANY = "沧州恒达汽车零部件有限公司"
MOBILE = "13812345678"
PASSWORD = "pass-Word-123"  # the factories' password


def _no_overflow(page) -> None:
    assert horizontal_overflow(page) == 0, f"{page.url} is wider than the phone"


def _send_inquiry(page, live_server) -> str:
    """On the phone: the home page, its call to action, the form filled as a person does
    (the hidden field left alone), sent; the reference the confirmation shows."""
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _no_overflow(page)
    page.get_by_role("link", name="提交投资咨询").first.tap()
    page.wait_for_url("**/hall/inquiry/")
    _no_overflow(page)
    page.get_by_label("企业名称").fill(COMPANY)
    page.get_by_label("联系人").fill("王先生")
    page.get_by_label("手机号").fill("138 1234 5678")  # as a phone number is often typed
    page.get_by_label("意向产业").select_option(label="汽车")
    page.get_by_label("计划投资（万元）").fill("50000")
    page.get_by_label("土地").check()
    page.get_by_label("融资").check()
    page.get_by_label("留言").fill("拟建设汽车座椅生产线，需要50亩工业用地。")
    # The honeypot: out of the phone's sight, and nobody typed into it.
    honeypot = page.locator("input[name=website]")
    assert honeypot.input_value() == ""
    box = honeypot.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    _no_overflow(page)  # with the keyboard's fields filled in, still nothing sticks out
    page.get_by_role("button", name="提交咨询").tap()
    page.wait_for_url("**/hall/inquiry/sent/")
    expect(page.get_by_role("heading", name="咨询已提交，感谢您的关注")).to_be_visible()
    reference = page.locator(".hall-reference").inner_text().strip()
    assert re.fullmatch(rf"ZS-{timezone.localdate().year}-[2-9A-HJKMNP-Z]{{6}}", reference)
    _no_overflow(page)
    assert page.problems == []
    return reference


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/admin/")
    page.wait_for_url("**/admin/login/**")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(live_server.url + "/admin/")


def _pipeline_search(page, live_server, text: str):
    """The projects list (the pipeline), searched as staff do, from its search box."""
    page.goto(live_server.url + reverse("admin:projects_project_changelist"))
    search = page.locator("#searchbar")  # the list's own search box, not the global one
    search.fill(text)
    search.press("Enter")
    page.wait_for_url("**q=**")
    return page.locator("#result_list tbody tr", has_text=text)


def test_an_inquiry_sent_from_a_phone_is_a_lead_in_the_officers_pipeline(
    hall, live_server, phone, desktop, browser
):
    reference = _send_inquiry(phone, live_server)

    inquiry = Inquiry.objects.select_related("project").get(reference=reference)
    assert inquiry.mobile == MOBILE and inquiry.needs == ["land", "finance"]
    assert inquiry.project.owner == hall["free"]  # the auto chain's officer with fewest leads

    # The officer, at his desk: the lead in his pipeline, found by the investor's name.
    _sign_in(desktop, live_server, "free")
    row = _pipeline_search(desktop, live_server, COMPANY)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("线索")
    row.get_by_role("link", name=inquiry.project.name).click()
    desktop.wait_for_url(f"**/projects/project/{inquiry.project.pk}/change/**")
    # The lead shows the inquiry it came from: reference, contact, mobile.
    expect(desktop.get_by_role("link", name=reference)).to_be_visible()
    expect(desktop.get_by_text(MOBILE)).to_be_visible()
    assert desktop.problems == []

    # A colleague of another bureau does not find it in his list.
    other = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        page = other.new_page()
        _sign_in(page, live_server, "other")
        expect(_pipeline_search(page, live_server, COMPANY)).to_have_count(0)
    finally:
        other.close()


def _staff_reply(page, live_server, inquiry: Inquiry, text: str) -> None:
    """The officer, at his desk: the inquiry's page, its step 回复客商, the reply sent."""
    page.goto(live_server.url + reverse("admin:portal_inquiry_change", args=[inquiry.pk]))
    page.get_by_role("link", name="回复客商").first.click()
    page.wait_for_url(f"**/portal/inquiry/{inquiry.pk}/respond/**")
    page.get_by_label("回复内容").fill(text)
    page.get_by_role("button", name="发送回复").click()
    page.wait_for_url(f"**/portal/inquiry/{inquiry.pk}/change/**")
    assert page.problems == []


def _status_shown(page) -> tuple[str, str]:
    """What the status page shows, once it has come: its status label and its whole text."""
    expect(page.locator("#status-label")).to_be_visible()
    page.wait_for_load_state()
    _no_overflow(page)
    return page.locator("#status-label").inner_text().strip(), page.locator("main").inner_text()


def test_the_investor_sees_the_status_change_after_staff_reply(hall, live_server, phone, desktop):
    reference = _send_inquiry(phone, live_server)
    inquiry = Inquiry.objects.get(reference=reference)

    # On the phone: the status page, by the reference and the mobile's last four digits.
    phone.get_by_role("link", name="查询进度").tap()
    phone.wait_for_url("**/hall/status/")
    _no_overflow(phone)
    phone.get_by_label("咨询编号").fill(reference.lower())  # as typed: case does not matter
    phone.get_by_label("手机号后四位").fill(MOBILE[-4:])
    phone.get_by_role("button", name="查询", exact=True).tap()
    label, text = _status_shown(phone)
    assert label.startswith("已提交") and reference in text
    assert MOBILE not in text and "王先生" not in text  # no personal data on a public page

    reply = "您好，已收到贵司咨询，我们将于下周安排考察。"
    _sign_in(desktop, live_server, "free")
    _staff_reply(desktop, live_server, inquiry, reply)

    # The investor comes back to the page: the status has changed and the reply is there.
    phone.reload()
    label, text = _status_shown(phone)
    assert label.startswith("已回复")
    assert reply in text
    assert phone.problems == []
    inquiry.refresh_from_db()
    assert inquiry.replied_by == hall["free"]
