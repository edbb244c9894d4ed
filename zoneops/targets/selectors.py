"""Reads of targets: each target with its progress, followed from the records by its kind."""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zoneops.common.scope import scope_queryset
from zoneops.targets.kinds import evaluator
from zoneops.targets.models import Target
from zoneops.targets.progress import TargetProgress


def targets_visible(*, user: Any = None, year: int | None = None) -> QuerySet[Target]:
    queryset = Target.objects.select_related("department")
    if year is not None:
        queryset = queryset.filter(year=year)
    return queryset if user is None else scope_queryset(queryset, user)


def targets_progress(
    *, targets: list[Target] | QuerySet[Target], today: date | None = None
) -> list[TargetProgress]:
    """The progress of each target, in the order given: each kind's evaluator follows all the
    targets of its kind at once (a fixed number of queries per kind)."""
    today = today or timezone.localdate()
    targets = list(targets)
    by_kind: dict[str, list[Target]] = {}
    for target in targets:
        by_kind.setdefault(target.kind, []).append(target)
    found: dict[int, TargetProgress] = {}
    for kind, group in by_kind.items():
        for progress in evaluator(kind)(targets=group, today=today):
            found[progress.target.pk] = progress
    return [found[target.pk] for target in targets]


def target_progress(*, target: Target, today: date | None = None) -> TargetProgress:
    return targets_progress(targets=[target], today=today)[0]
