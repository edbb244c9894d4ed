"""`zoneops bench load` runs: a few people of each kind sign in and work a few seconds over
real HTTP; an error fails the run; the tokens it gave out are gone after it.

Against the test's live server (`--url`): `zoneops serve` could not see the test database.
On the in-memory SQLite the live server's threads share one connection, which takes no two
transactions at once: the run has one person of each kind, so only one of them (the staff
member, on records' pages) opens transactions, and sign-ins come one after another.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zoneops.api.models import ApiToken
from zoneops.demo.bench.load import percentile
from zoneops.enterprises.tests.factories import make_enterprise, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

PASSWORD = "load-Test-Pass-123"  # the test accounts'


@pytest.fixture
def zone(org):
    director = make_user(
        RoleCode.PRINCIPAL, departments=[org["zone"]], username="director", password=PASSWORD
    )
    make_user(
        RoleCode.STAFF,
        departments=[org["investment_section"]],
        username="zsj_staff",
        password=PASSWORD,
    )
    company = make_enterprise("沧州测试汽车部件有限公司")
    make_user(RoleCode.ENTERPRISE, enterprise=company, username="enterprise", password=PASSWORD)
    make_project("沧州测试项目", owner=director)
    make_request(company, title="用电增容", accepted=True, department=org["investment"])
    return org


def bench(live_server, *args: str) -> str:
    out = StringIO()
    call_command(
        "bench",
        "load",
        "--url",
        live_server.url,
        "--users",
        "4",
        "--seconds",
        "3",
        "--wait",
        "0.1",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_bench_load_signs_in_each_kind_of_user_and_reports_p95_per_kind(zone, live_server):
    report = bench(live_server, "--password", PASSWORD, "--max-requests", "40")

    assert "0 个错误" in report and "没有错误" in report
    for kind in ("login", "staff", "enterprise", "api", "hall", "all"):
        assert any(line.startswith(kind + " ") for line in report.splitlines()), kind
    sent = int(report.split(" 个请求，")[0].split()[-1])
    assert 4 <= sent <= 40  # bounded by --max-requests
    assert "p95 最慢的页面" in report
    assert not ApiToken.objects.exists()


def test_bench_load_fails_when_a_user_cannot_sign_in_and_leaves_no_token(zone, live_server):
    with pytest.raises(CommandError, match="登录失败"):
        bench(live_server, "--password", "wrong-Password-1")

    assert not ApiToken.objects.exists()


def test_p95_is_the_nearest_rank_no_sample_exceeds_for_95_percent():
    twenty = [float(n) for n in range(20, 0, -1)]
    assert (percentile(twenty, 0.5), percentile(twenty, 0.95), percentile(twenty, 1)) == (
        10.0,
        19.0,
        20.0,
    )
    assert percentile([0.3], 0.95) == 0.3
