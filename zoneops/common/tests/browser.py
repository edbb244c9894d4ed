"""A real browser for end-to-end tests: Debian's chromium, driven by Playwright's sync API,
against pytest-django's `live_server`.

CI installs chromium and sets ZONEOPS_REQUIRE_BROWSER=1, so there a missing browser fails;
elsewhere those tests are skipped (as `office.py` does for LibreOffice). Playwright's own
browser downloads are not used: `ZONEOPS_CHROMIUM` names the browser, else the first of
chromium, chromium-browser, google-chrome on the PATH.

One browser per test module (pytest-xdist sends a module to one worker, `--dist loadfile`),
a fresh context — cookies, viewport — per test: `phone` (390×844, touch, a mobile user agent)
and `desktop` (1280×800). Playwright's sync API keeps its event loop marked as running in this
thread while it is started, so Django's guard would refuse every ORM call of the test (and
the database flush after it) as made "from an async context": the guard is lifted for the
module's life only, and the browser is stopped at the module's end, which ends that loop.
The live server answers in its own thread, where the guard never fires.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

REQUIRE = "ZONEOPS_REQUIRE_BROWSER"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_MS = 15_000  # any wait of a page: long enough for a loaded CI machine, short on failure

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
    ),
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason} ({REQUIRE} is set: the browser tests must run here).")
    pytest.skip(reason)


def chromium() -> str:
    """The chromium executable, or the test is skipped (failed where CI asks for it)."""
    named = os.environ.get("ZONEOPS_CHROMIUM", "").strip()
    names = (named,) if named else CANDIDATES
    found = next((path for name in names if (path := shutil.which(name))), None)
    if found is None:
        _missing(
            f"chromium is not installed ({', '.join(names)} not found);"
            " apt-get install chromium fonts-noto-cjk"
        )
        raise AssertionError  # not reached: _missing skips or fails
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium for the module's tests (a playwright.sync_api.Browser)."""
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (uv sync installs the dev group).")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, headless=True)
            try:
                yield launched
            finally:
                launched.close()


def _page(browser: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.problems = []  # responses that failed, and errors the page's scripts raised
    page.on(
        "response",
        lambda response: (
            page.problems.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on("requestfailed", lambda request: page.problems.append(f"failed {request.url}"))
    page.on("pageerror", lambda error: page.problems.append(f"script error {error}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page on a phone-sized screen (390×844, touch, mobile user agent), in its own context."""
    yield from _page(browser, PHONE)


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page on a desktop screen (1280×800), in its own context (its own cookies)."""
    yield from _page(browser, DESKTOP)


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the screen (0 when nothing sticks out)."""
    width: int = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    return max(width, 0)
