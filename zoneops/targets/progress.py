"""How far a target from above has come: its progress against the time-proportional plan, and
the evaluator of this app's own kind, "project_count" (see targets.kinds for the registry)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.targets.models import Target


class Standing:
    DONE = "done"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"
    NOT_STARTED = "not_started"


STANDING_LABELS = {
    Standing.DONE: (gettext_lazy("已完成"), "success"),
    Standing.ON_TRACK: (gettext_lazy("序时推进"), "info"),
    Standing.BEHIND: (gettext_lazy("滞后"), "warning"),
    Standing.MISSED: (gettext_lazy("未完成"), "danger"),
    Standing.NOT_STARTED: (gettext_lazy("未开始"), ""),
}


@dataclass
class TargetProgress:
    target: Target
    as_of: date
    actual: Decimal
    required: Decimal
    records: list[Any] = field(default_factory=list)  # what counts (the projects)
    unit: str = ""

    @property
    def gap(self) -> Decimal:
        return max(self.required - self.actual, Decimal(0))

    @property
    def expected(self) -> Decimal:
        """What the time-proportional plan (序时进度) asks for by `as_of`, rounded up."""
        year = self.target.year
        start, end = date(year, 1, 1), date(year, 12, 31)
        share = Decimal((self.as_of - start).days + 1) / Decimal((end - start).days + 1)
        return Decimal(ceil(self.required * share))

    @property
    def standing(self) -> str:
        if self.actual >= self.required:
            return Standing.DONE
        if self.as_of < date(self.target.year, 1, 1):
            return Standing.NOT_STARTED
        if self.as_of >= date(self.target.year, 12, 31):
            return Standing.MISSED
        return Standing.ON_TRACK if self.actual >= self.expected else Standing.BEHIND

    @property
    def on_track(self) -> bool:
        return self.standing in (Standing.DONE, Standing.ON_TRACK, Standing.NOT_STARTED)

    @property
    def standing_label(self) -> str:
        return str(STANDING_LABELS[self.standing][0])

    @property
    def standing_colour(self) -> str:
        return STANDING_LABELS[self.standing][1]


def project_count(*, targets: list[Target], today: date) -> list[TargetProgress]:
    """Projects landed in the target's year: at least its investment, industrial if it says so,
    having reached its landing stage (签约, 开工 …) for the first time in the year (up to today),
    and not dropped by the year's end. One query for all the targets."""
    from zoneops.projects.selectors.pipeline import projects_landed

    if not targets:
        return []
    stages = tuple(sorted({t.landing_stage for t in targets}))
    floor = min(t.min_investment for t in targets)
    projects = list(projects_landed(as_of=today, stages=stages, min_investment=floor))
    results: list[TargetProgress] = []
    for target in targets:
        year_end = date(target.year, 12, 31)
        reached = f"reached_{target.landing_stage}"
        counted = []
        for project in projects:
            landed = getattr(project, reached)
            if (
                landed is not None
                and landed.year == target.year
                and project.total_investment >= target.min_investment
                and (project.industrial or not target.industrial_only)
                and (project.dropped_on is None or project.dropped_on > year_end)
            ):
                counted.append((landed, project))
        counted.sort(key=lambda pair: (pair[0], pair[1].pk))
        results.append(
            TargetProgress(
                target=target,
                as_of=min(today, year_end),
                actual=Decimal(len(counted)),
                required=Decimal(target.required_count),
                records=[Landed(project=p, landed_on=on) for on, p in counted],
                unit=_("个"),
            )
        )
    return results


@dataclass(frozen=True)
class Landed:
    project: Any
    landed_on: date
