"""The end-to-end tests' browser: found or skipped, failed where CI requires it; and its
overflow check sees a page wider than the phone."""

import pytest

from zoneops.common.tests.browser import PHONE, chromium, horizontal_overflow


def test_a_missing_browser_skips_the_test_with_the_way_to_install_it(monkeypatch):
    monkeypatch.delenv("ZONEOPS_REQUIRE_BROWSER", raising=False)
    monkeypatch.setenv("ZONEOPS_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium()


def test_a_missing_browser_fails_where_it_is_required(monkeypatch):
    monkeypatch.setenv("ZONEOPS_REQUIRE_BROWSER", "1")
    monkeypatch.setenv("ZONEOPS_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception, match="ZONEOPS_REQUIRE_BROWSER"):
        chromium()


def test_a_page_wider_than_the_phone_is_seen(browser):
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.set_content(
            '<meta name="viewport" content="width=device-width, initial-scale=1"><p>合身的页面</p>'
        )
        assert page.evaluate("innerWidth") == 390
        assert horizontal_overflow(page) == 0
        page.set_content(
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<table><tr><td style="white-space:nowrap">' + "很长的一行" * 40 + "</td></tr></table>"
        )
        assert horizontal_overflow(page) > 0
    finally:
        context.close()
