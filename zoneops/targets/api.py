"""Targets from above in the API: each with its progress and the records that count."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.scope import ensure_allowed
from zoneops.common.selectors import LazyRows
from zoneops.targets.models import Target
from zoneops.targets.progress import TargetProgress
from zoneops.targets.selectors import target_progress, targets_progress, targets_visible

router = Router(tags=["targets"])


class TargetProjectOut(Schema):
    project_id: int
    name: str
    total_investment: Decimal
    landed_on: date


class TargetOut(Schema):
    id: int
    name: str
    kind: str
    year: int
    required: Decimal
    actual: Decimal
    gap: Decimal
    standing: str
    standing_label: str
    on_track: bool
    as_of: date
    issuer: str
    document: str


class TargetDetailOut(TargetOut):
    records: list[TargetProjectOut]


class TargetFilter(Schema):
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)


def _out(progress: TargetProgress) -> dict:
    target = progress.target
    return {
        "id": target.pk,
        "name": target.name,
        "kind": target.kind,
        "year": target.year,
        "required": progress.required,
        "actual": progress.actual,
        "gap": progress.gap,
        "standing": progress.standing,
        "standing_label": progress.standing_label,
        "on_track": progress.on_track,
        "as_of": progress.as_of,
        "issuer": target.issuer,
        "document": target.document,
    }


@router.get("/", response=list[TargetOut], summary="上级任务及完成情况")
@paginate(Pagination)
def targets(request, filters: Query[TargetFilter]) -> list[dict]:
    ensure_allowed(request.user, "view", Target)
    queryset = targets_visible(user=request.user, year=filters.year).order_by("-year", "id")
    # The page is cut before the progress is followed: one query per kind, not per target.
    return LazyRows(
        queryset, lambda page: [_out(progress) for progress in targets_progress(targets=list(page))]
    )


@router.get("/{int:target_id}", response=TargetDetailOut, summary="上级任务详情（计入的项目）")
def target(request, target_id: Id) -> dict:
    ensure_allowed(request.user, "view", Target)
    found = get_object_or_404(targets_visible(user=request.user), pk=target_id)
    progress = target_progress(target=found)
    records = [
        {
            "project_id": item.project.pk,
            "name": item.project.name,
            "total_investment": item.project.total_investment,
            "landed_on": item.landed_on,
        }
        for item in progress.records
    ]
    return {**_out(progress), "records": records}
