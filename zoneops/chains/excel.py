"""The attraction target list (招商目标清单) as a workbook: one row per gap."""

from django.utils.translation import gettext as _

from zoneops.chains.selectors import GapRow
from zoneops.common.excel import Sheet, write_workbook
from zoneops.industry.models import IndustryChain


def gaps_title(chain: IndustryChain | None) -> str:
    if chain is None:
        return _("招商目标清单（产业链缺链环节）")
    return _("%(chain)s招商目标清单（缺链环节）") % {"chain": chain.name}


def gap_headers() -> list[str]:
    return [
        _("产业链"),
        _("环节位置"),
        _("上级环节"),
        _("缺链环节"),
        _("在谈项目数"),
        _("在谈项目"),
    ]


def gap_row_values(row: GapRow) -> list[object]:
    return [
        row.chain.name,
        row.segment_label,
        row.parent_name,
        row.node.name,
        row.talks,
        "；".join(project.name for project in row.talks_projects),
    ]


def gaps_workbook(*, rows: list[GapRow], title: str, subtitle: str = "") -> bytes:
    sheet = Sheet(
        name=_("招商目标清单"),
        title=title,
        subtitle=subtitle,
        header_rows=[list(gap_headers())],
        rows=[gap_row_values(row) for row in rows],
        column_widths=[18, 10, 18, 22, 12, 50],
        number_format="0",
    )
    return write_workbook([sheet])
