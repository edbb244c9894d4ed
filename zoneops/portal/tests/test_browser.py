"""The hall end to end, in a real browser (zoneops/common/tests/browser.py): an investor sends
an inquiry from a phone, the officer who answers for its industry finds the lead in his
pipeline, and the investor follows its status.

The clock stands still at the hall's day (conftest): the live server reads it too, so the
reference carries its year; the browser's cookies live by Max-Age, not by the server's date.
"""

import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from zoneops.common.tests.browser import horizontal_overflow
from zoneops.portal.models import Inquiry
from zoneops.projects.enums import Stage
from zoneops.projects.services import project_move_stage

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


def _staff_reply(inquiry: Inquiry, *, by) -> None:
    """Staff answer the investor. ADJUST AFTER MERGING the status page: call the hall's own
    reply service if it brings one; until then, the officer takes the lead into talks (洽谈)."""
    project_move_stage(
        project=inquiry.project,
        to_stage=Stage.TALKS,
        on=timezone.localdate(),
        by=by,
        note="已电话联系客商，约定下周考察。",
    )


def _status_shown(page, live_server, reference: str, last4: str) -> str:
    page.goto(live_server.url + reverse("portal:status"))
    page.get_by_label(re.compile("编号")).fill(reference)
    page.locator("[name=last4]").fill(last4)
    page.locator("[name=last4]").press("Enter")
    page.wait_for_load_state()
    _no_overflow(page)
    return page.locator("main").inner_text()


def test_the_investor_sees_the_status_change_after_staff_reply(hall, live_server, phone):
    # Depends on the hall's status page (reference + the mobile's last four digits → status),
    # being built on another branch: this test is adjusted when it is merged.
    try:
        reverse("portal:status")
    except NoReverseMatch:
        pytest.skip("status page not merged yet")
    reference = _send_inquiry(phone, live_server)
    inquiry = Inquiry.objects.select_related("project").get(reference=reference)

    before = _status_shown(phone, live_server, reference, MOBILE[-4:])
    assert reference in before
    _staff_reply(inquiry, by=hall["free"])
    after = _status_shown(phone, live_server, reference, MOBILE[-4:])

    assert reference in after
    assert after != before, "the status the investor reads did not change after the reply"
    assert phone.problems == []
