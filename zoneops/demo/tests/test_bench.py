"""`zoneops bench import` times an import, with the floor beside it, and leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import call_command

from zoneops.projects.models import Project


@pytest.mark.django_db(transaction=True)
def test_bench_import_times_the_import_and_leaves_nothing_behind(org):
    out = StringIO()

    call_command("bench", "import", "--rows", "20", "--baseline", stdout=out)

    report = out.getvalue()
    assert "20 行" in report and "预览" in report and "确认" in report
    assert "已删除基准测试数据" in report
    assert "无框架基线" in report
    assert not Project.objects.filter(code__startswith="BENCH").exists()


@pytest.mark.django_db
def test_bench_pages_times_the_pages_with_the_floor_beside_the_aggregates(org):
    from zoneops.orgs.enums import RoleCode
    from zoneops.orgs.tests.factories import make_user

    user = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    out = StringIO()

    call_command(
        "bench",
        "pages",
        "--repeat",
        "1",
        "--user",
        user.username,
        "--only",
        "summary stage,board,funnel,list projects.project,api /projects/",
        stdout=out,
    )

    report = out.getvalue()
    assert "summary stage" in report and "原始 SQL" in report and "查询函数" in report
    assert "list projects.project" in report and "api /projects/" in report
    assert "HTTP" not in report  # every page answered 200
