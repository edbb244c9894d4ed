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
def test_bench_import_runs_on_a_zone_whose_parks_the_placement_rule_chooses_from(org):
    from zoneops.parks.models import Park

    for name, kind in (("科技孵化器", "incubator"), ("装备制造产业园", "park")):
        Park.objects.create(name=name, kind=kind)
    out = StringIO()

    call_command("bench", "import", "--rows", "20", stdout=out)

    assert "写入：{'created': 20" in out.getvalue()
    assert not Project.objects.filter(code__startswith="BENCH").exists()


@pytest.mark.django_db
def test_bench_import_against_django_import_export_prints_the_ratios(org):
    pytest.importorskip(
        "import_export", reason="django-import-export is in the bench group: uv run --group bench"
    )
    out = StringIO()

    call_command("bench", "import", "--rows", "20", "--against", "django-import-export", stdout=out)

    report = out.getvalue()
    assert "django-import-export（不含 full_clean）" in report
    assert "django-import-export（含 full_clean）" in report
    assert "是 ZoneOps 的" in report
    assert not Project.objects.filter(code__startswith="BENCH").exists()


def test_bench_import_against_a_missing_package_says_how_to_get_it(db, monkeypatch):
    from django.core.management.base import CommandError

    from zoneops.demo.bench import against

    monkeypatch.setattr(against, "available", lambda: False)

    with pytest.raises(CommandError, match="uv run --group bench"):
        call_command("bench", "import", "--rows", "5", "--against", "django-import-export")


@pytest.mark.django_db(transaction=True)
def test_bench_import_measures_the_memory_of_each_size(org):
    out = StringIO()

    call_command("bench", "import", "--rows", "10", "--memory", "10,30", stdout=out)

    report = out.getvalue()
    assert "内存：10 行" in report and "内存：30 行" in report
    assert not Project.objects.filter(code__startswith="BENCH").exists()


@pytest.mark.django_db(transaction=True)
def test_bench_export_times_the_export_and_leaves_nothing_behind(org):
    out = StringIO()

    call_command("bench", "export", "--rows", "20", stdout=out)

    report = out.getvalue()
    assert "导出 20 行" in report and "无框架基线" in report
    assert "内存：导出 2 行" in report and "内存：导出 20 行" in report
    assert not Project.objects.filter(code__startswith="BENCH").exists()


def test_peak_growth_sees_the_memory_a_child_takes():
    from zoneops.demo.bench.memory import peak_growth

    growth = peak_growth(lambda: bytearray(64 * 2**20))

    if growth is None:
        pytest.skip("no fork or no /proc here")
    assert growth >= 60 * 2**20


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
        "summary stage,board,funnel,list projects.project,api /projects/,page chains:index",
        stdout=out,
    )

    report = out.getvalue()
    assert "summary stage" in report and "原始 SQL" in report and "查询函数" in report
    assert "list projects.project" in report and "api /projects/" in report
    assert "page chains:index" in report  # the sidebar's own pages too
    assert "HTTP" not in report  # every page answered 200
