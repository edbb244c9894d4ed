"""The placement rule's yearly table (落地选址统计) in Excel, laid out as on its page."""

from django.utils.translation import gettext as _

from zoneops.common.excel import Sheet, write_workbook
from zoneops.parks.placement import PlacementKind
from zoneops.projects.selectors.placement import PlacementOutcomes


def placement_outcomes_title() -> str:
    return _("招商项目落地选址统计表")


def placement_outcomes_headers() -> list[str]:
    return [
        _("年度"),
        *[_("建议%(kind)s") % {"kind": kind.label} for kind in PlacementKind],
        _("项目合计"),
        _("按建议落位"),
        _("偏离建议"),
        _("尚未落位"),
    ]


def placement_outcomes_sheets(outcomes: PlacementOutcomes) -> list[Sheet]:
    rows: list[list[object]] = []
    for row in [outcomes.total, *outcomes.rows]:
        rows.append(
            [
                str(row.year) if row.year else _("合计"),
                *[row.suggested[kind] for kind in PlacementKind],
                row.total,
                row.followed,
                row.overridden,
                row.unplaced,
            ]
        )
    by_year = Sheet(
        name=_("按年度"),
        title=placement_outcomes_title(),
        subtitle=_("单位：个；年度按签约年份，未签约的按登记年份"),
        header_rows=[placement_outcomes_headers()],
        rows=rows,
        total_rows={0},
        column_widths=[10] + [14] * 7,
        number_format="0",
    )
    header = [_("落地载体"), _("类型"), *[str(year) for year in outcomes.years]]
    header += [_("合计"), _("其中偏离建议")]
    carrier_rows: list[list[object]] = [
        [
            carrier.label,
            carrier.kind_label,
            *[carrier.by_year.get(year, (0, 0))[0] for year in outcomes.years],
            carrier.placed,
            carrier.overridden,
        ]
        for carrier in outcomes.carriers
    ]
    by_carrier = Sheet(
        name=_("按载体"),
        title=_("招商项目落地载体统计表"),
        subtitle=_("单位：个"),
        header_rows=[header],
        rows=carrier_rows,
        column_widths=[30, 10] + [8] * (len(header) - 2),
        number_format="0",
    )
    return [by_year, by_carrier]


def placement_outcomes_xlsx(outcomes: PlacementOutcomes) -> bytes:
    return write_workbook(placement_outcomes_sheets(outcomes))
