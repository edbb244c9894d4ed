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
