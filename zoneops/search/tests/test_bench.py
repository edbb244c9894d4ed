"""`zoneops bench search` runs at a tiny size: it times each sort of query beside its floor and
removes the rows it added."""

from io import StringIO

from django.core.management import call_command

from zoneops.approvals.models import Case
from zoneops.enterprises.models import Enterprise


def test_bench_search_times_the_box_beside_the_floor_and_leaves_nothing_behind(zone):
    before = (Enterprise.objects.count(), Case.objects.count())
    out = StringIO()

    call_command(
        "bench", "search", "--fill", "--fraction", "0.0005", "--queries", "3",
        "--user", zone["zone_wide"].username, stdout=out,
    )  # fmt: skip

    report = out.getvalue()
    assert "补足 企业：38 条" in report  # 80,000 × 0.0005, two there already
    for sort in ("1 字", "2 字", "3 字", "4+ 字", "企业全名", "信用代码", "代码片段", "全部"):
        assert sort in report, report
    assert "已删除基准测试数据" in report
    assert (Enterprise.objects.count(), Case.objects.count()) == before
