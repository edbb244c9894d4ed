import pytest

# The real browser of the end-to-end tests (skipped without chromium, failed under
# ZONEOPS_REQUIRE_BROWSER=1): `browser` per module, `phone` and `desktop` pages per test.
from zoneops.common.tests.browser import browser, desktop, phone  # noqa: F401
from zoneops.orgs.enums import DepartmentKind
from zoneops.orgs.tests.factories import make_department


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _language_back():
    """A page asked for in English leaves English active in the thread (the locale middleware
    does not switch back): the next test, of any app, starts in Chinese."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db):
    """A zone with two bureaus, a section under the first, and a city department above."""
    city = make_department("沧州市", kind=DepartmentKind.CITY)
    zone = make_department("管委会", parent=city, kind=DepartmentKind.ZONE)
    investment = make_department("招商局", parent=zone)
    investment_section = make_department("招商一科", parent=investment, kind=DepartmentKind.SECTION)
    approvals = make_department("行政审批局", parent=zone)
    return {
        "city": city,
        "zone": zone,
        "investment": investment,
        "investment_section": investment_section,
        "approvals": approvals,
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a figure cached by an earlier test (whose records
    were rolled back) must not be served to this one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
