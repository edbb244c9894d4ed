"""Load the back office, the enterprise pages and the API docs in a real browser and report every
Content-Security-Policy violation and script error. Exits 1 if there is any.

Against a running demo (its own data folder), e.g.:

    ZONEOPS_DATA_DIR=/tmp/zd-csp ZONEOPS_DEMO_PASSWORD=Demo-pass-2026 \
        uv run zoneops demo --no-input --port 8123 &
    uv run --with playwright python scripts/browser_csp_check.py \
        --base http://127.0.0.1:8123 --password Demo-pass-2026

Needs Chromium (Debian: apt-get install chromium fonts-noto-cjk); --chromium names another.
"""

import argparse
import re
import sys
from typing import Any

from playwright.sync_api import sync_playwright

# Back office pages, after signing in as the administrator; {project} is the first project's id.
STAFF_PAGES = [
    "/admin/",
    "/admin/projects/project/",
    "/admin/projects/project/{project}/change/",
    "/admin/projects/project/board/",
    "/admin/projects/project/summary/",
    "/admin/projects/project/funnel/",
    "/admin/projects/project/excel-import/",
    "/admin/projects/progressreport/schedule/",
    "/admin/enterprises/enterpriserequest/statistics/",
    "/admin/enterprises/liaisonassignment/coverage/",
    "/admin/meetings/meeting/",
    "/admin/orgs/user/add/",
    "/admin/orgs/role/add/",
    "/api/v1/docs",
]
ENTERPRISE_PAGES = ["/enterprise/", "/enterprise/requests/", "/enterprise/profile/"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8123")
    parser.add_argument("--password", required=True, help="the demo accounts' password")
    parser.add_argument("--staff", default="admin")
    parser.add_argument("--enterprise", default="enterprise")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=options.chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            staff = _signed_in(browser, options, "/admin/login/", options.staff, problems)
            project = _first_project_id(staff, options.base)
            for path in STAFF_PAGES:
                _visit(staff, options.base + path.format(project=project), problems)
            _exercise_back_office(staff, options.base, problems)
        except Exception as error:  # a page that does not work under the policy stops here
            problems.append(f"back office: stopped: {str(error).splitlines()[0]}")
        try:
            enterprise = _signed_in(
                browser, options, "/enterprise/login/", options.enterprise, problems
            )
            for path in ENTERPRISE_PAGES:
                _visit(enterprise, options.base + path, problems)
        except Exception as error:
            problems.append(f"enterprise pages: stopped: {str(error).splitlines()[0]}")
        browser.close()

    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)." if problems else "No CSP violation, no script error.")
    return 1 if problems else 0


def _watch(page: Any, problems: list[str]) -> None:
    def on_console(message: Any) -> None:
        text, source = message.text, message.location.get("url", "")
        if source.endswith("/favicon.ico"):
            return  # the browser's own guess; ZoneOps declares no favicon (not a policy matter)
        if message.type == "error" or "Content Security Policy" in text:
            problems.append(f"{page.url}: console {message.type}: {text} {source}".rstrip())

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.append(f"{page.url}: HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))


def _signed_in(browser: Any, options: Any, login: str, username: str, problems: list[str]) -> Any:
    page = browser.new_context(locale="zh-CN").new_page()
    _watch(page, problems)
    page.goto(options.base + login)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", options.password)
    page.click("[type=submit]", timeout=10000)
    page.wait_for_load_state("networkidle")
    if "login" in page.url:
        raise SystemExit(f"{username} could not sign in at {login}")
    return page


def _first_project_id(page: Any, base: str) -> str:
    page.goto(base + "/admin/projects/project/")
    link = page.locator("a[href*='/admin/projects/project/'][href$='/change/']").first
    return re.search(r"/(\d+)/change/", link.get_attribute("href") or "").group(1)


def _visit(page: Any, url: str, problems: list[str]) -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    if response is None or response.status >= 400:
        problems.append(f"{url}: HTTP {response.status if response else '?'}")
        return
    if "content-security-policy" not in response.all_headers():
        problems.append(f"{url}: no Content-Security-Policy header")
    # The page's scripts did run under the policy, not only raised no error.
    if "/admin/" in url and not page.evaluate(ALPINE_RAN):
        problems.append(f"{url}: Alpine.js did not start")
    if url.endswith("/api/v1/docs"):
        page.wait_for_selector(".opblock", timeout=15000)
    print(f"checked {url}")


ALPINE_RAN = """() => !!window.Alpine && [...document.querySelectorAll('[x-data]')]
    .some((element) => element._x_dataStack !== undefined)"""


def _exercise_back_office(page: Any, base: str, problems: list[str]) -> None:
    """What runs only on a click: Alpine's dropdowns and the sidebar search (htmx)."""
    page.goto(base + "/admin/")
    page.wait_for_load_state("networkidle")
    clickable = page.locator("[x-on\\:click]:visible, [\\@click]:visible")
    for index in range(min(clickable.count(), 3)):
        clickable.nth(index).click(timeout=3000)
        page.wait_for_timeout(300)
        page.keyboard.press("Escape")
    search = page.locator("input[name=s], input[type=search]").first
    if search.count():
        search.fill("项目")
        page.wait_for_timeout(1000)
    print("exercised the back office's menus and search")


if __name__ == "__main__":
    sys.exit(main())
