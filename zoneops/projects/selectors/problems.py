"""Reads of the problem list (问题清单): overdue problems as of any day, each problem's clock and
warning level, a project's and a department's problems, and the counts per department.

As of a past day the events and the history say what stood then: a problem was open on a day
when no resolution (or a reopening after it) was recorded by that day, and its deadline on that
day is the one of the clock then running — the current one when it started on or before that
day, otherwise the one the history row of that day holds (a reroute with a new limit or a
reopening restarted the clock later).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from zoneops.casework.selectors import clock_of as record_clock_of
from zoneops.casework.selectors import records_with_clock
from zoneops.common.scope import scope_queryset
from zoneops.orgs.models import Department
from zoneops.projects.models import Problem, ProblemEvent, Project
from zoneops.projects.models.problems import ProblemClock

RESOLVED = Problem.Status.RESOLVED


def _today() -> date:
    return timezone.localdate()


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


def overdue_q(*, on: date) -> Q:
    """Open with a deadline before `on`: overdue on that day (current state)."""
    return Problem.overdue_q(on=on)


def _for_lists(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("project", "department", "escalated_to")


def problems_visible(*, user: Any = None) -> QuerySet[Problem]:
    """The problems a user may see, with what a list shows of them."""
    return _for_lists(_scoped(Problem.objects.all(), user))


# --- the clock ----------------------------------------------------------------------------------


def problem_clock(*, problem: Problem, today: date | None = None) -> ProblemClock:
    """The problem's warning level and days left or overdue on `today` (its current clock)."""
    clock = problem.clock(on=today or _today())
    assert isinstance(clock, ProblemClock)  # a problem's clock always runs or is done
    return clock


def problems_with_clock(problems: Iterable[Problem], *, today: date | None = None) -> list[Problem]:
    """The problems of a list, each with its `clock` (`ProblemClock`) set, reading the work
    calendar once for them all. Given a queryset, its own cached rows get the clock."""
    return records_with_clock(problems, on=today)


def clock_of(problem: Problem, *, today: date | None = None) -> ProblemClock:
    """The clock `problems_with_clock` set on the problem, or worked out now."""
    clock: ProblemClock = record_clock_of(problem, on=today)
    return clock


# --- as of a day --------------------------------------------------------------------------------


def problems_open_as_of(*, as_of: date, user: Any = None) -> QuerySet[Problem]:
    """The problems open at the end of `as_of`, each annotated with `due_as_of`, the deadline
    of the clock then running. For today or later this is the current state."""
    if as_of >= _today():
        current = Problem.objects.open().annotate(due_as_of=F("due_on"))  # current state
        return _scoped(current, user)
    closing = ProblemEvent.objects.filter(
        problem=OuterRef("pk"),
        kind__in=[ProblemEvent.Kind.RESOLVED, ProblemEvent.Kind.REOPENED],
        on__lte=as_of,
    ).order_by("-on", "-id")
    queryset: QuerySet = (
        Problem.objects.filter(raised_on__lte=as_of)
        # Resolved for the last time by that day (and so never reopened after it).
        .exclude(status=RESOLVED, resolved_on__lte=as_of)
        .annotate(last_closing=Subquery(closing.values("kind")[:1]))
        .filter(Q(last_closing__isnull=True) | Q(last_closing=ProblemEvent.Kind.REOPENED))
        # A clock that started after `as_of` was not running then: the history holds the
        # one that was (the kernel's rule).
        .annotate(due_as_of=Problem.deadline_as_of(as_of=as_of))
        .filter(due_as_of__isnull=False)  # raised by then but routed only later
    )
    return _scoped(queryset, user)


def overdue_problems(*, as_of: date, user: Any = None) -> QuerySet[Problem]:
    """Problems open at the end of `as_of` whose deadline was before it, oldest deadline first.

    Each carries `due_as_of`, the deadline then. `user` limits them to his data scope. (The
    meetings' agenda builder reads this.)
    """
    open_then: QuerySet = problems_open_as_of(as_of=as_of, user=user)
    queryset = open_then.filter(due_as_of__lt=as_of)
    return _for_lists(queryset).order_by("due_as_of", "id")


# --- lists --------------------------------------------------------------------------------------


def problems_in_work_order(queryset: QuerySet, *, today: date) -> QuerySet:
    """Open problems first, the overdue on top (oldest deadline first), then the resolved,
    latest first. Annotates `is_open` and `is_overdue` (0/1)."""
    return queryset.annotate(
        is_open=Case(When(status=RESOLVED, then=Value(0)), default=Value(1)),
        is_overdue=Case(
            When(overdue_q(on=today), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        open_due=Case(When(~Q(status=RESOLVED), then=F("due_on"))),
    ).order_by("-is_open", "-is_overdue", "open_due", "-resolved_on", "id")


def project_problems(
    *, project: Project, user: Any = None, today: date | None = None
) -> QuerySet[Problem]:
    """A project's problems, open ones first and the overdue on top."""
    queryset = _scoped(Problem.objects.filter(project=project), user)
    return problems_in_work_order(_for_lists(queryset), today=today or _today())


def department_problems(
    *, department_ids: Iterable[int], user: Any = None, today: date | None = None
) -> QuerySet[Problem]:
    """The problems routed to the departments, open ones first and the overdue on top."""
    queryset = _scoped(Problem.objects.filter(department_id__in=list(department_ids)), user)
    return problems_in_work_order(_for_lists(queryset), today=today or _today())


@dataclass(frozen=True)
class DepartmentProblemList:
    """A department's problem list (部门问题清单) as its page shows it."""

    open: list[Problem]  # all of them, with their clock, overdue on top
    resolved: list[Problem]  # the latest few, with their clock
    resolved_total: int
    counts: list["DepartmentProblemCounts"]


def department_problem_list(
    *,
    department_ids: Iterable[int],
    user: Any = None,
    today: date | None = None,
    resolved_limit: int = 20,
) -> DepartmentProblemList:
    """Open problems in full (a department's work list), the latest resolved ones and the
    counts; a fixed number of queries whatever the number of problems."""
    today = today or _today()
    ids = list(department_ids)
    ordered = department_problems(department_ids=ids, user=user, today=today)
    open_problems = problems_with_clock(ordered.exclude(status=RESOLVED), today=today)
    resolved = ordered.filter(status=RESOLVED)
    recent = problems_with_clock(resolved[:resolved_limit], today=today)
    counts = department_problem_counts(department_ids=ids, user=user, today=today)
    return DepartmentProblemList(
        open=open_problems,
        resolved=recent,
        resolved_total=sum(row.resolved for row in counts),
        counts=counts,
    )


# --- counts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentProblemCounts:
    department_id: int
    department: str
    open: int
    overdue: int
    resolved: int
    resolved_on_time: int

    @property
    def on_time_rate(self) -> Decimal | None:
        """按时解决率 in per cent, one decimal; None before anything was resolved."""
        if not self.resolved:
            return None
        return (Decimal(100) * self.resolved_on_time / self.resolved).quantize(Decimal("0.1"))


def department_problem_counts(
    *,
    user: Any = None,
    today: date | None = None,
    department_ids: Iterable[int] | None = None,
) -> list[DepartmentProblemCounts]:
    """Per department: open, overdue (today), resolved and resolved by the deadline — one
    query, departments in the organisation's order."""
    today = today or _today()
    queryset = _scoped(Problem.objects.all(), user)
    if department_ids is not None:
        queryset = queryset.filter(department_id__in=list(department_ids))
    open_ = ~Q(status=RESOLVED)
    rows = (
        queryset.order_by()
        .values("department_id", "department__name", "department__order")
        .annotate(
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=overdue_q(on=today)),
            resolved=Count("pk", filter=Q(status=RESOLVED)),
            resolved_on_time=Count("pk", filter=Q(status=RESOLVED, resolved_on__lte=F("due_on"))),
        )
        .order_by("department__order", "department_id")
    )
    return [
        DepartmentProblemCounts(
            department_id=row["department_id"],
            department=row["department__name"],
            open=row["open"],
            overdue=row["overdue"],
            resolved=row["resolved"],
            resolved_on_time=row["resolved_on_time"],
        )
        for row in rows
    ]


# --- one problem --------------------------------------------------------------------------------


def problem_events(*, problem: Problem) -> QuerySet[ProblemEvent]:
    return problem.events.select_related("by", "from_department", "to_department").order_by(
        "on", "id"
    )


def problem_detail_queryset(*, user: Any = None) -> QuerySet[Problem]:
    """Problems with what their page shows: project, departments, leader and the events."""
    events = ProblemEvent.objects.select_related("by", "from_department", "to_department")
    return _for_lists(_scoped(Problem.objects.all(), user)).prefetch_related(
        Prefetch("events", queryset=events.order_by("on", "id"))
    )


PROBLEM_ACTIONS = ("reroute", "note", "escalate", "resolve", "reopen")


def problem_available_actions(*, problem: Problem) -> frozenset[str]:
    """The steps that make sense now: the four of an open problem, or reopening."""
    if problem.status == RESOLVED:
        return frozenset({"reopen"})
    return frozenset({"reroute", "note", "escalate", "resolve"})


def problem_list_default_departments(*, user: Any) -> list[int]:
    """The departments whose list a user sees first: his own and, for a leader, those he is in
    charge of (分管)."""
    return list(
        Department.objects.filter(Q(members=user) | Q(leaders_in_charge=user))
        .distinct()
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )


def problem_escalation_target(*, problem: Problem) -> Any:
    """The leader a problem is escalated to: its project's liaison leader (None if none)."""
    return problem.project.liaison_leader
