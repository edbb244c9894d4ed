"""Reads of one-enterprise-one-policy plans (一企一策): the plans with their measures counted
(open, done, overdue), one plan's measures, and the overdue measures across plans."""

from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.scope import scope_queryset
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.enterprises.models import EnterprisePlan, PlanMeasure


def _today() -> date:
    return timezone.localdate()


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


def measure_overdue_q(*, on: date, prefix: str = "") -> Q:
    """An open measure whose due date was before `on` (`prefix` "measures__" from a plan)."""
    return Q(**{f"{prefix}status": MeasureStatus.OPEN, f"{prefix}due_on__lt": on})


# --- plans --------------------------------------------------------------------------------------


def plans_visible(*, user: Any = None) -> QuerySet[EnterprisePlan]:
    return _scoped(EnterprisePlan.objects.all(), user).select_related(
        "enterprise", "owner", "department"
    )


def plans_with_counts(
    queryset: QuerySet[EnterprisePlan], *, today: date | None = None
) -> QuerySet[EnterprisePlan]:
    """Each plan with `measure_count`, `open_measure_count`, `done_measure_count` and
    `overdue_measure_count` (open past the due date on `today`)."""
    today = today or _today()
    return queryset.annotate(
        measure_count=Count("measures", distinct=True),
        open_measure_count=Count(
            "measures", filter=Q(measures__status=MeasureStatus.OPEN), distinct=True
        ),
        done_measure_count=Count(
            "measures", filter=Q(measures__status=MeasureStatus.DONE), distinct=True
        ),
        overdue_measure_count=Count(
            "measures", filter=measure_overdue_q(on=today, prefix="measures__"), distinct=True
        ),
    )


def plans_list(*, user: Any, today: date | None = None) -> QuerySet[EnterprisePlan]:
    """The plans as the user sees them, active ones first, with their measures counted."""
    queryset = plans_with_counts(plans_visible(user=user), today=today)
    return queryset.annotate(
        is_active=Case(
            When(status=PlanStatus.ACTIVE, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-is_active", "-starts_on", "-id")


def plan_available_actions(*, plan: EnterprisePlan) -> frozenset[str]:
    return frozenset({"complete"}) if plan.status == PlanStatus.ACTIVE else frozenset()


# --- measures -----------------------------------------------------------------------------------


def measures_with_overdue(
    queryset: QuerySet[PlanMeasure], *, today: date | None = None
) -> QuerySet[PlanMeasure]:
    """The measures, each with `is_overdue` (open past its due date on `today`)."""
    today = today or _today()
    return queryset.annotate(
        is_overdue=Case(
            When(measure_overdue_q(on=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def plan_measures(*, plan: EnterprisePlan, today: date | None = None) -> QuerySet[PlanMeasure]:
    """A plan's measures by due date, each with `is_overdue`. Whoever reaches the plan reads
    all its measures."""
    # The plan too: each measure's available steps read its plan's status.
    queryset = PlanMeasure.objects.filter(plan=plan).select_related("plan", "department", "owner")
    return measures_with_overdue(queryset, today=today or _today()).order_by("due_on", "id")


def measures_visible(*, user: Any = None, today: date | None = None) -> QuerySet[PlanMeasure]:
    """The measures a user reaches (his department's, his own, his plans'), with their plan and
    enterprise and `is_overdue`."""
    queryset = _scoped(PlanMeasure.objects.all(), user).select_related(
        "plan", "plan__enterprise", "department", "owner"
    )
    return measures_with_overdue(queryset, today=today or _today())


def overdue_measures(*, user: Any = None, on: date | None = None) -> QuerySet[PlanMeasure]:
    """Open measures past their due date on `on` (today), the oldest due date first."""
    on = on or _today()
    return (
        measures_visible(user=user, today=on)
        .filter(measure_overdue_q(on=on))
        .order_by("due_on", "id")
    )


def measure_state(measure: PlanMeasure, *, today: date | None = None) -> tuple[str, str]:
    """("done" | "overdue" | "open", label) for colours and lists."""
    if measure.status == MeasureStatus.DONE:
        return "done", _("已完成")
    overdue = getattr(measure, "is_overdue", None)
    if overdue is None:
        overdue = measure.due_on < (today or _today())
    if overdue:
        return "overdue", _("已逾期")
    return "open", _("推进中")


def measure_available_actions(*, measure: PlanMeasure) -> frozenset[str]:
    """Completing an open measure of an active plan (the plan is read from the measure)."""
    if measure.status == MeasureStatus.OPEN and measure.plan.status == PlanStatus.ACTIVE:
        return frozenset({"complete"})
    return frozenset()
