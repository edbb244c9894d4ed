"""Reads of supervision: who may work, review and close a task, the steps a task offers a user,
the lists (a user's tasks, the overdue ones), a record's task, the same-day count (日清日结) and
the inspectors' checklists."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.scope import scope_for, scope_queryset
from zoneops.common.selectors import counts_by_department
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.models import LiaisonAssignment
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Department, Membership, User
from zoneops.supervision.enums import TaskStatus
from zoneops.supervision.models import Checklist, ChecklistVisit, SupervisionTask, TaskEvent

S = TaskStatus
# What evidence of progress may be (佐证材料): photos, documents, spreadsheets.
EVIDENCE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "pdf", "docx", "xlsx")


def _today() -> date:
    return timezone.localdate()


# --- who may do what ----------------------------------------------------------------------------


def task_may_work(*, user: Any, task: SupervisionTask) -> bool:
    """The owner department works the task (签收, 办理, 反馈): its members, whoever's scope
    covers it by department (a head's sections, a leader's 分管), and the person it is
    handed to. Reading it (supervisor, inspector, co-department) is not working it."""
    if user is None or not user.is_authenticated:
        return False
    if task.owner_id == user.pk:
        return True
    if task.department_id in scope_for(user).department_ids:
        return True
    return Membership.objects.filter(user=user, department_id=task.department_id).exists()


def task_may_supervise(*, user: Any, task: SupervisionTask) -> bool:
    """Only the task's supervisor closes it (销号) and sends it back (退回)."""
    return user is not None and user.pk == task.supervisor_id


def task_may_review(*, user: Any, task: SupervisionTask) -> bool:
    """The supervisor or an inspector (纪检监察干部) reviews (复核), urges and escalates."""
    if task_may_supervise(user=user, task=task):
        return True
    return bool(user is not None and user.is_authenticated and user.has_role(RoleCode.INSPECTOR))


def task_escalation_target(*, task: SupervisionTask) -> User | None:
    """The leader in charge (分管领导) of the task's department, or of the nearest department
    above it that has one."""
    department: Department | None = Department.objects.get(pk=task.department_id)
    seen: set[int] = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        leader = User.objects.filter(in_charge_of=department, is_active=True).order_by("pk").first()
        if leader is not None:
            return leader
        department = department.parent
    return None


TASK_STEPS = ("sign", "progress", "report", "review", "return", "close", "urge", "escalate")


def task_available_steps(*, task: SupervisionTask, user: Any, on: date | None = None) -> set[str]:
    """The steps the task offers this user now."""
    on = on or _today()
    steps: set[str] = set()
    status = task.status
    if status != S.CLOSED and task_may_work(user=user, task=task):
        if status == S.ASSIGNED:
            steps.add("sign")
        if status in (S.SIGNED, S.IN_PROGRESS):
            steps |= {"progress", "report"}
    reviewer = task_may_review(user=user, task=task)
    if status == S.REPORTED and reviewer:
        steps.add("review")
    if task_may_supervise(user=user, task=task):
        if status in (S.REPORTED, S.REVIEWED):
            steps.add("return")
        if status == S.REVIEWED:
            steps.add("close")
    if reviewer and status in (S.ASSIGNED, S.SIGNED, S.IN_PROGRESS) and task.due_on < on:
        steps |= {"urge", "escalate"}
    return steps


# --- lists --------------------------------------------------------------------------------------


def _for_lists(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("department", "owner", "supervisor", "escalated_to")


def tasks_visible(*, user: Any = None) -> QuerySet[SupervisionTask]:
    """The tasks a user may read (inspectors: zone-wide by their role's scope)."""
    queryset = SupervisionTask.objects.all()
    if user is not None:
        queryset = scope_queryset(queryset, user)
    return _for_lists(queryset)


def tasks_overdue(*, on: date | None = None, user: Any = None) -> QuerySet[SupervisionTask]:
    """Open tasks late on `on` (today by default), oldest deadline first."""
    return (
        tasks_visible(user=user)
        .filter(SupervisionTask.overdue_q(on=on or _today()))
        .order_by("due_on", "pk")
    )


def task_detail_queryset(*, user: Any = None) -> QuerySet[SupervisionTask]:
    events = TaskEvent.objects.select_related("by", "to_department").prefetch_related("evidence")
    return tasks_visible(user=user).prefetch_related(
        "co_departments", Prefetch("events", queryset=events.order_by("on", "id"))
    )


def tasks_for_day(
    *, user: Any, until: date, departments: Collection[int] | None
) -> QuerySet[SupervisionTask]:
    """Open tasks due on or before `until`: the user's own and those he supervises, or those of
    the departments."""
    queryset = SupervisionTask.objects.open().filter(due_on__lte=until)
    if departments is None:
        queryset = queryset.filter(Q(owner=user) | Q(supervisor=user))
    else:
        queryset = queryset.filter(department_id__in=list(departments))
    return _for_lists(queryset).order_by("due_on", "pk")


def tasks_closed_on(
    *, user: Any, on: date, departments: Collection[int] | None
) -> QuerySet[SupervisionTask]:
    queryset = SupervisionTask.objects.filter(status=S.CLOSED, closed_on=on)
    if departments is None:
        queryset = queryset.filter(Q(owner=user) | Q(supervisor=user))
    else:
        queryset = queryset.filter(department_id__in=list(departments))
    return _for_lists(queryset).order_by("pk")


def _tasks_closed_on_assignment(*, start: date, end: date) -> QuerySet[SupervisionTask]:
    # The closing's range, implied, lets PostgreSQL read it from an index as SQLite does.
    return SupervisionTask.objects.filter(
        assigned_on__range=(start, end),
        closed_on__range=(start, end),
        status=S.CLOSED,
        closed_on=F("assigned_on"),
    )


def tasks_cleared_same_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """Tasks handed over (交办) between `start` and `end` and closed (销号) the same day."""
    queryset = _tasks_closed_on_assignment(start=start, end=end)
    if departments is not None:
        queryset = queryset.filter(department_id__in=list(departments))
    return queryset.count()


def tasks_cleared_same_day_by_department(*, start: date, end: date) -> dict[int | None, int]:
    """`tasks_cleared_same_day` per department, in one query."""
    return counts_by_department(_tasks_closed_on_assignment(start=start, end=end))


@dataclass(frozen=True)
class TaskCounts:
    total: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int
    escalated: int
    urged: int


def task_counts(
    *,
    on: date | None = None,
    user: Any = None,
    year: int | None = None,
    assigned_to: date | None = None,
) -> TaskCounts:
    """The counts a supervision summary shows, in one query: of the tasks assigned in `year`
    (and up to `assigned_to`), or of all, as they stand on `on`."""
    on = on or _today()
    queryset = tasks_visible(user=user)
    if year is not None:
        queryset = queryset.filter(assigned_on__year=year)
    if assigned_to is not None:
        queryset = queryset.filter(assigned_on__lte=assigned_to)
    closed = Q(status=S.CLOSED)
    values = queryset.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~closed),
        overdue=Count("pk", filter=SupervisionTask.overdue_q(on=on)),
        closed=Count("pk", filter=closed),
        closed_on_time=Count("pk", filter=closed & Q(closed_on__lte=F("due_on"))),
        escalated=Count("pk", filter=Q(escalated_to__isnull=False)),
        urged=Count("pk", filter=Q(urge_count__gt=0)),
    )
    return TaskCounts(**values)


def task_of_record(*, field: str, pk: int) -> SupervisionTask | None:
    """The task made from a decision, problem or request (`field` names which)."""
    return _for_lists(SupervisionTask.objects.filter(**{field: pk})).first()


# --- checklists ---------------------------------------------------------------------------------


def inspector_liaises_with(*, inspector: Any, enterprise: Any, on: date) -> bool:
    """Whether the inspector liaises with the enterprise on the day (纪检包联)."""
    return (
        LiaisonAssignment.objects.active(on=on)
        .filter(kind=LiaisonKind.INSPECTOR, person=inspector, enterprise=enterprise)
        .exists()
    )


def checklists_visible(*, user: Any = None) -> QuerySet[Checklist]:
    queryset = Checklist.objects.all()
    if user is not None:
        queryset = scope_queryset(queryset, user)
    return (
        queryset.select_related("enterprise", "inspector")
        .annotate(
            visit_count=Count("visits", distinct=True),
            item_count=Count("items", distinct=True),
        )
        .order_by("enterprise__name", "pk")
    )


@dataclass(frozen=True)
class ChecklistCoverage:
    inspectors: int
    enterprises: int
    visits: int
    follow_ups: int


def checklist_coverage(*, on: date | None = None) -> ChecklistCoverage:
    """How many inspectors keep checklists on how many enterprises (the article's 12 and 19),
    with their visits and follow-up tasks."""
    checklists = Checklist.objects.filter(started_on__lte=on or _today())
    values = checklists.aggregate(
        inspectors=Count("inspector", distinct=True),
        enterprises=Count("enterprise", distinct=True),
    )
    visits = ChecklistVisit.objects.filter(checklist__in=checklists)
    return ChecklistCoverage(
        inspectors=values["inspectors"],
        enterprises=values["enterprises"],
        visits=visits.count(),
        follow_ups=SupervisionTask.objects.filter(visit__in=visits).count(),
    )


def decision_task_open(*, decision: Any) -> str | None:
    """Meetings asks before a decision is marked done (meetings.followers): a decision that
    became a task is done when its task is closed (销号), not in meetings."""
    task = SupervisionTask.objects.open().filter(decision=decision).first()
    if task is None:
        return None
    return _("该议定事项已转督办（%(task)s，%(status)s），请在督办事项中办结/销号。") % {
        "task": task.title,
        "status": task.get_status_display(),
    }
