"""The leaders' cockpit (领导驾驶舱): each panel's figures, read through the selectors of the
app that owns them, within the viewer's data scope, as of a day. A panel is drawn by a
request of its own (zoneops.cockpit.admin), so the page answers at once and each panel
within the pages' budget on a large zone."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.approvals.selectors import approval_figures, overdue_cases
from zoneops.chains.selectors import chains_summary
from zoneops.common.amounts import WAN_PER_YI, plain, wan_to_yi
from zoneops.common.caching import cached_figure, zoneops_areas
from zoneops.common.growth import schedule_share
from zoneops.common.navigation import page_url
from zoneops.common.periods import MONTH_CHOICES, format_day, month_end
from zoneops.common.selectors import counts_by_department
from zoneops.enterprises.selectors.requests import overdue_requests, requests_statistics
from zoneops.indicators.selectors import economy_month, economy_overview
from zoneops.orgs.models import Department
from zoneops.parks.map import park_change_link, park_map, park_map_svg
from zoneops.parks.selectors import parks_occupancy, parks_visible
from zoneops.projects.enums import ReportCategory
from zoneops.projects.selectors.pipeline import pipeline_funnel, pipeline_summary
from zoneops.projects.selectors.problems import overdue_problems
from zoneops.projects.selectors.scheduling import (
    LightColour,
    key_projects_with_lights,
    milestones_overdue,
)
from zoneops.supervision.selectors import task_counts, tasks_overdue
from zoneops.targets.selectors import targets_progress, targets_visible


@dataclass(frozen=True)
class Tile:
    """One figure of a panel and the records behind it."""

    label: str
    value: str
    unit: str = ""
    url: str = ""
    note: str = ""
    alert: bool = False


@dataclass
class Panel:
    key: str
    title: str
    as_of: date
    tiles: list[Tile] = field(default_factory=list)
    chart: str = ""  # the Chart.js data, as JSON
    chart_type: str = "bar"
    rows: list[Tile] = field(default_factory=list)  # a short list under the tiles
    more_url: str = ""
    svg: str = ""  # a drawing of the server's (the park map), escaped where it is made


def _yi(amount_wan: Decimal) -> str:
    """万元 in 亿元 as the reports write it: rounded half up, trailing zeros dropped."""
    return plain(wan_to_yi(amount_wan))


def _chart(labels: list[str], datasets: list[dict[str, Any]]) -> str:
    return json.dumps({"labels": labels, "datasets": datasets}, ensure_ascii=False)


def pipeline_panel(*, user: Any, today: date) -> Panel:
    """招商引资: the year's projects and investment by row, and how far this year's leads got."""
    year = today.year
    summary = pipeline_summary(year=year, as_of=today, user=user)
    url = page_url("admin:projects_project_summary", year=year)
    panel = Panel("pipeline", _("招商引资"), today, more_url=url)
    panel.tiles.append(Tile(_("项目"), str(summary.total.count), _("个"), url))
    panel.tiles.append(Tile(_("总投资"), _yi(summary.total.investment), _("亿元"), url))
    rows = {row.key: row for row in summary.rows}
    for category in (
        ReportCategory.COMPLETED,
        ReportCategory.NEWLY_STARTED,
        ReportCategory.CONTINUING,
    ):
        row = rows.get(category.value)
        count = row.total.count if row else 0
        panel.tiles.append(Tile(str(category.label), str(count), _("个"), url))
    steps = pipeline_funnel(registered_from=date(year, 1, 1), registered_to=today, user=user)
    panel.chart = _chart(
        [step.label for step in steps],
        [
            {
                "label": _("今年登记项目到达该阶段"),
                "data": [step.reached for step in steps],
                "backgroundColor": "var(--color-primary-600)",
                "displayYAxis": True,
            }
        ],
    )
    return panel


def investment_panel(*, user: Any, today: date, dimension: str) -> Panel:
    """Investment by industry or by park, this year's projects, in 亿元."""
    summary = pipeline_summary(year=today.year, as_of=today, user=user, dimension=dimension)
    rows = sorted(summary.rows, key=lambda row: row.total.investment, reverse=True)[:8]
    title = _("按产业投资") if dimension == "industry" else _("按园区投资")
    url = page_url("admin:projects_project_summary", year=today.year, dimension=dimension)
    panel = Panel(f"investment_{dimension}", title, today, more_url=url, chart_type="bar")
    panel.chart = _chart(
        [row.label for row in rows],
        [
            {
                "label": _("总投资（亿元）"),
                "data": [float(Decimal(row.total.investment) / WAN_PER_YI) for row in rows],
                "backgroundColor": "var(--color-primary-500)",
                "displayYAxis": True,
                "suffixYAxis": _("亿元"),
            }
        ],
    )
    panel.rows = [
        Tile(
            row.label,
            _yi(row.total.investment),
            _("亿元"),
            url,
            _("%(n)d个") % {"n": row.total.count},
        )
        for row in rows
    ]
    return panel


def lights_panel(*, user: Any, today: date) -> Panel:
    """重点项目: the year's key projects by light, the red ones named."""
    counts = {colour.value: 0 for colour in LightColour}
    reds: list[Tile] = []
    for project, light in key_projects_with_lights(as_of=today, user=user):
        counts[light.colour] += 1
        if light.colour == LightColour.RED and len(reds) < 6:
            reds.append(
                Tile(
                    project.name,
                    light.label,
                    url=page_url("admin:projects_project_change", project.pk),
                    note="；".join(light.reasons[:1]),
                    alert=True,
                )
            )
    url = page_url("admin:projects_progressreport_schedule")
    panel = Panel("lights", _("重点项目"), today, more_url=url, rows=reds)
    for colour in (LightColour.GREEN, LightColour.YELLOW, LightColour.RED):
        panel.tiles.append(
            Tile(
                str(colour.label),
                str(counts[colour.value]),
                _("个"),
                url,
                alert=colour == LightColour.RED and counts[colour.value] > 0,
            )
        )
    return panel


def rates_panel(*, user: Any, today: date) -> Panel:
    """办理效能: requests answered on time and rated satisfied, cases concluded on time, tasks
    closed and overdue, this year to date."""
    start = date(today.year, 1, 1)
    requests = requests_statistics(user=user, start=start, end=today, by="category", on=today)
    cases = approval_figures(start=start, end=today, user=user)
    tasks = task_counts(on=today, user=user, year=today.year)
    panel = Panel("rates", _("办理效能"), today)
    requests_url = page_url(
        "admin:enterprises_enterpriserequest_statistics",
        year=today.year,
        first_month=1,
        last_month=today.month,
        by="category",
    )
    cases_url = page_url(
        "admin:approvals_case_figures", year=today.year, first_month=1, last_month=today.month
    )

    def rate(value: Decimal | None) -> str:
        return "—" if value is None else f"{value}"

    panel.tiles = [
        Tile(_("诉求按时答复率"), rate(requests.total.on_time_rate), "%", requests_url),
        Tile(_("诉求满意率"), rate(requests.total.satisfaction_rate), "%", requests_url),
        Tile(_("审批按时办结率"), rate(cases.total.on_time_rate), "%", cases_url),
        Tile(
            _("逾期督办事项"),
            str(tasks.overdue),
            _("件"),
            page_url("admin:supervision_supervisiontask_changelist"),
            alert=tasks.overdue > 0,
        ),
    ]
    return panel


def economy_panel(*, user: Any, today: date) -> Panel:
    """经济运行: each indicator's latest figure against its target and 序时进度."""
    month = economy_month(year=today.year, today=today)
    economy = economy_overview(year=today.year, month=month, user=user)
    url = page_url("admin:indicators_indicator_overview", year=today.year, month=month)
    panel = Panel(
        "economy",
        _("经济运行（%(period)s）") % {"period": economy.period_label},
        today,
        more_url=url,
    )
    for row in economy.rows:
        if row.month is None or row.month.value is None:
            continue
        note = ""
        if row.month.yoy is not None:
            note = _("同比%(yoy)s%%") % {"yoy": row.month.yoy}
        if row.completion is not None:
            note += _("，完成目标%(done)s%%（序时%(schedule)s%%）") % {
                "done": row.completion,
                "schedule": row.schedule if row.schedule is not None else "—",
            }
        places = row.indicator.places
        value = plain(row.month.value, places)
        panel.rows.append(
            Tile(
                row.indicator.name,
                value,
                row.indicator.unit,
                page_url("admin:indicators_indicator_year", row.indicator.pk, year=today.year),
                note.lstrip("，"),
                alert=row.behind,
            )
        )
    # The trend against the target: each flow with a target, its completion month by month,
    # beside the time-proportional schedule (序时进度).
    months = range(1, month + 1)
    tracked = [row for row in economy.rows if row.year.target and row.indicator.is_flow]
    if tracked:
        datasets: list[dict[str, Any]] = [
            {
                "label": _("序时进度"),
                "data": [
                    float(schedule_share(as_of=month_end(date(today.year, m, 1)))) for m in months
                ],
                "borderColor": "var(--color-base-400)",
                "displayYAxis": True,
                "suffixYAxis": "%",
            }
        ]
        for colour, row in zip(TREND_COLOURS, tracked, strict=False):
            datasets.append(
                {
                    "label": _("%(name)s完成率") % {"name": row.indicator.name},
                    "data": [_completion(row.year, m) for m in months],
                    "borderColor": colour,
                }
            )
        panel.chart_type = "line"
        panel.chart = _chart([str(label) for number, label in MONTH_CHOICES[:month]], datasets)
    return panel


TREND_COLOURS = ("#dc2626", "#2563eb", "#16a34a", "#ca8a04", "#7c3aed")


def _completion(year: Any, month: int) -> float | None:
    """The indicator's completion of its year's target at the end of `month` (its own month's
    figure only: a month without one is a gap in the line)."""
    figure = year.months[month - 1]
    if figure.value is None or not year.target:
        return None
    return float(figure.value / year.target * 100)


def targets_panel(*, user: Any, today: date) -> Panel:
    """上级任务: this year's targets from above with their gap."""
    progress = targets_progress(targets=targets_visible(user=user, year=today.year), today=today)
    url = page_url("admin:targets_target_progress")
    panel = Panel("targets", _("上级任务"), today, more_url=url)
    for item in progress:
        panel.rows.append(
            Tile(
                item.target.name,
                f"{item.actual:f}/{item.required:f}",
                item.unit,
                page_url("admin:targets_target_progress", target=item.target.pk),
                item.standing_label
                if not item.gap
                else _("%(standing)s，差%(gap)s%(unit)s")
                % {"standing": item.standing_label, "gap": f"{item.gap:f}", "unit": item.unit},
                alert=not item.on_track,
            )
        )
    return panel


def chains_panel(*, user: Any, today: date) -> Panel:
    """产业链: each chain's nodes and its gaps (补链 targets)."""
    panel = Panel("chains", _("产业链补链"), today, more_url=reverse("chains:gaps"))
    for summary in chains_summary(user=user):
        panel.rows.append(
            Tile(
                summary.chain.name,
                str(summary.gaps),
                _("个缺链环节"),
                reverse("chains:map", args=[summary.chain.pk]),
                _("共%(n)d个环节") % {"n": summary.nodes},
                alert=summary.gaps > 0,
            )
        )
    return panel


@dataclass(frozen=True)
class OverdueRow:
    department: str
    counts: tuple[int, ...]  # in the order of OVERDUE_KINDS
    total: int


OVERDUE_KINDS = (
    gettext_lazy("问题"),
    gettext_lazy("诉求"),
    gettext_lazy("办件"),
    gettext_lazy("督办"),
)


def overdue_panel(*, user: Any, today: date) -> Panel:
    """Overdue work by department: the problems, requests, cases and tasks past their deadline
    today (the kernel's one rule of overdue, each app's own list), one grouped count each."""
    counted = [
        counts_by_department(overdue_problems(as_of=today, user=user)),
        counts_by_department(overdue_requests(user=user, on=today)),
        counts_by_department(overdue_cases(on=today, user=user)),
        counts_by_department(tasks_overdue(on=today, user=user)),
    ]
    departments = {pk for counts in counted for pk in counts}
    names = dict(Department.objects.filter(pk__in=departments).values_list("pk", "name"))
    rows = [
        OverdueRow(
            department=names.get(pk, _("未指定部门")),
            counts=tuple(counts.get(pk, 0) for counts in counted),
            total=sum(counts.get(pk, 0) for counts in counted),
        )
        for pk in departments
    ]
    rows.sort(key=lambda row: (-row.total, row.department))
    totals = [sum(counts.values()) for counts in counted]
    links = [
        page_url("admin:projects_problem_changelist"),
        page_url("admin:enterprises_enterpriserequest_changelist", overdue="yes"),
        page_url("admin:approvals_case_overdue"),
        page_url("admin:supervision_supervisiontask_changelist"),
    ]
    panel = Panel("overdue", _("逾期事项"), today)
    panel.tiles = [
        Tile(str(label), str(total), _("件"), link, alert=total > 0)
        for label, total, link in zip(OVERDUE_KINDS, totals, links, strict=True)
    ]
    top = rows[:8]
    panel.chart_type = "bar"
    panel.chart = _chart(
        [row.department for row in top],
        [
            {
                "label": str(label),
                "data": [row.counts[index] for row in top],
                "backgroundColor": colour,
                "stack": "overdue",
                "displayYAxis": True,
            }
            for index, (label, colour) in enumerate(
                zip(
                    OVERDUE_KINDS,
                    ("#dc2626", "#ea580c", "#ca8a04", "#7c3aed"),
                    strict=True,
                )
            )
        ],
    )
    return panel


def milestones_panel(*, user: Any, today: date) -> Panel:
    """逾期节点: the projects' milestones planned before today and not reached, oldest first."""
    overdue = milestones_overdue(as_of=today, user=user)
    url = page_url("admin:projects_milestone_changelist")
    panel = Panel("milestones", _("逾期节点"), today, more_url=url)
    total = overdue.count()
    panel.tiles = [Tile(_("逾期未完成节点"), str(total), _("个"), url, alert=total > 0)]
    for milestone in overdue[:6]:
        days = (today - milestone.planned_on).days
        panel.rows.append(
            Tile(
                f"{milestone.project.name}：{milestone.name}",
                _("逾期%(days)d天") % {"days": days},
                url=page_url("admin:projects_project_change", milestone.project_id),
                note=_("计划%(day)s") % {"day": format_day(milestone.planned_on)},
                alert=True,
            )
        )
    return panel


def parks_panel(*, user: Any, today: date) -> Panel:
    """园区载体: each park's lettable space leased today and what is free, with the map."""
    parks = list(parks_visible(user=user).order_by("name"))
    occupancy = parks_occupancy(on=today, parks=[park.pk for park in parks])
    panel = Panel("parks", _("园区载体"), today, more_url=page_url("admin:parks_park_map"))
    panel.svg = park_map_svg(park_map(parks=parks, on=today, link=park_change_link))
    rows = [(park, occupancy[park.pk]) for park in parks if occupancy[park.pk].area_m2]
    rows.sort(key=lambda item: -item[1].area_free_m2)
    free = sum((space.area_free_m2 for _park, space in rows), Decimal(0))
    panel.tiles = [Tile(_("可招商面积"), plain(free / 10000, 2), _("万平方米"))]
    for park, space in rows[:8]:
        panel.rows.append(
            Tile(
                park.name,
                _("出租率%(rate)s%%") % {"rate": space.rate},
                url=page_url("admin:parks_park_change", park.pk),
                note=_("空置%(units)d间，%(area)s平方米")
                % {
                    "units": space.units_free,
                    "area": f"{space.area_free_m2.quantize(Decimal(1)):f}",
                },
            )
        )
    return panel


PANELS: dict[str, tuple[Any, Callable[..., Panel]]] = {
    "pipeline": (gettext_lazy("招商引资"), pipeline_panel),
    "investment_industry": (
        gettext_lazy("按产业投资"),
        lambda **kw: investment_panel(dimension="industry", **kw),
    ),
    "investment_park": (
        gettext_lazy("按园区投资"),
        lambda **kw: investment_panel(dimension="park", **kw),
    ),
    "lights": (gettext_lazy("重点项目"), lights_panel),
    "overdue": (gettext_lazy("逾期事项"), overdue_panel),
    "milestones": (gettext_lazy("逾期节点"), milestones_panel),
    "rates": (gettext_lazy("办理效能"), rates_panel),
    "economy": (gettext_lazy("经济运行"), economy_panel),
    "targets": (gettext_lazy("上级任务"), targets_panel),
    "chains": (gettext_lazy("产业链补链"), chains_panel),
    "parks": (gettext_lazy("园区载体"), parks_panel),
}


# What each panel reads, by area (app): a write in one of them draws the panel anew
# (zoneops.common.caching; the organisation and the calendar count for every panel).
_PROJECTS = ("projects", "industry", "parks", "enterprises")
PANEL_AREAS: dict[str, tuple[str, ...]] = {
    "pipeline": _PROJECTS,
    "investment_industry": _PROJECTS,
    "investment_park": _PROJECTS,
    "lights": ("projects", "enterprises"),
    "overdue": ("projects", "enterprises", "approvals", "supervision", "blockers"),
    "milestones": ("projects", "enterprises"),
    "rates": ("enterprises", "projects", "approvals", "supervision", "blockers"),
    "economy": ("indicators", "enterprises"),
    "chains": ("chains", "industry", "enterprises", "projects"),
    "parks": ("parks", "enterprises", "projects"),
}


def cockpit_panel(*, key: str, user: Any, today: date) -> Panel:
    """One panel by its key (KeyError for one that does not exist), from the cache while
    nothing it reads has changed, for the viewer's scope and day. A target is a rule over any
    area's records, so the targets' panel reads them all."""
    build = PANELS[key][1]
    return cached_figure(
        name=f"cockpit.{key}",
        areas=PANEL_AREAS.get(key) or zoneops_areas(),
        user=user,
        parts={"today": today},
        compute=lambda: build(user=user, today=today),
    )
