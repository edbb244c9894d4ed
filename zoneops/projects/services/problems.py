"""Writes of the problem list (问题清单): a problem raised on a project is routed to a department
with a limit in working days, and every step after that — reroute, progress note, escalation to
the project's liaison leader, resolution, reopening — writes its event in the same transaction.

The clock. `routed_on` is the day the current limit counts from (counting starts on the next
working day, 受理次日起算) and `due_on` is always `add_working_days(routed_on, limit_days)`:
- a reroute keeps the clock, so handing a problem on never buys time; given a new limit, the
  clock restarts from the reroute day (the new department's own deadline);
- a reopening restarts the clock from the reopening day, with the same limit or a new one
  (the earlier round's deadline, met or missed, stays in the events and the history);
- progress notes and escalation leave the clock alone.
Every step happens on a day (`on`): today by default, never in the future, and never before
the problem's previous step, so that the events read in date order tell its state on any day.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.clocks import deadline_note
from zoneops.casework.services import MAX_LIMIT_DAYS as MAX_LIMIT_DAYS  # the kernel's bound
from zoneops.casework.services import (
    deadlines_recompute,
    step_check_limit,
    step_check_status,
    step_date,
    step_event,
    step_lock,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.services import (
    check_happened,
    record_save,
    required_text,
)
from zoneops.common.workcalendar import WorkingDayResult
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic, Stage
from zoneops.projects.models import Problem, ProblemEvent, Project
from zoneops.projects.selectors.problems import problem_escalation_target


@dataclass(frozen=True)
class RaisePlan:
    """What raising a problem would record: the checked dates and the deadline."""

    raised_on: date
    routed_on: date
    due: WorkingDayResult


def _today() -> date:
    return timezone.localdate()


def _deadline(routed_on: date, limit_days: int) -> WorkingDayResult:
    """The deadline of a clock routed on `routed_on` with the limit (the kernel's rule)."""
    return Problem(routed_on=routed_on, limit_days=limit_days).deadline()


def problem_raise_check(
    *,
    project: Project,
    title: str,
    department: Department,
    limit_days: int,
    raised_on: date | None = None,
    routed_on: date | None = None,
) -> RaisePlan:
    """Check a problem before it is raised and work out its deadline; writes nothing.

    The back office's add form calls it to show a refusal on the form; `problem_raise` calls it
    again inside its transaction.
    """
    required_text(title, field="title", message=_("请填写问题。"))
    if project.stage == Stage.TERMINATED:
        raise ApplicationError(
            _("“%(project)s”已终止，不能再提出问题。") % {"project": project}, field="project"
        )
    if not department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能交办。") % {"department": department},
            field="department",
        )
    step_check_limit(limit_days)
    routed_on = routed_on or _today()
    raised_on = raised_on or routed_on
    check_happened(routed_on, field="routed_on")
    check_happened(raised_on, field="raised_on")
    if raised_on > routed_on:
        raise ApplicationError(
            _("提出日期（%(raised)s）不能晚于交办日期（%(routed)s）。")
            % {"raised": raised_on, "routed": routed_on},
            field="raised_on",
        )
    return RaisePlan(raised_on=raised_on, routed_on=routed_on, due=_deadline(routed_on, limit_days))


@transaction.atomic
def problem_raise(
    *,
    project: Project,
    title: str,
    kind: BlockerKind | str,
    topic: BlockerTopic | str,
    department: Department,
    limit_days: int,
    by: User | None,
    description: str = "",
    raised_on: date | None = None,
    routed_on: date | None = None,
) -> Problem:
    """Raise a problem on a project and route it to a department with a limit in working days.

    `routed_on` (today by default) starts the clock; `raised_on` (the routing day by default)
    may be earlier, when the problem came up at a meeting and was routed later.
    """
    plan = problem_raise_check(
        project=project,
        title=title,
        department=department,
        limit_days=limit_days,
        raised_on=raised_on,
        routed_on=routed_on,
    )
    problem = Problem(
        project=project,
        title=title.strip(),
        description=description.strip(),
        kind=kind,
        topic=topic,
        department=department,
        raised_on=plan.raised_on,
        routed_on=plan.routed_on,
        limit_days=limit_days,
        due_on=plan.due.date,
        due_provisional=plan.due.provisional,
        status=Problem.Status.ROUTED,
    )
    record_save(instance=problem, by=by, reason=_("提出并交办"))
    _event(
        problem,
        ProblemEvent.Kind.RAISED,
        on=plan.routed_on,
        by=by,
        to_department=department,
        note=deadline_note(limit_days, plan.due),
    )
    return problem


def _locked(problem: Problem, *, expected_version: int | None) -> Problem:
    """The problem's row, locked for the rest of the transaction, at the version expected."""
    return step_lock(problem, expected_version=expected_version, select_related=("project",))


def _ensure_open(problem: Problem, *, doing: str) -> None:
    step_check_status(
        problem,
        Problem.running_statuses,
        refusal=_("问题已解决，不能%(doing)s；如需继续办理，请先重新办理。"),
        code="resolved",
        doing=doing,
    )


def _event(
    problem: Problem, kind: str, *, on: date, by: User | None, **values: Any
) -> ProblemEvent:
    return step_event(ProblemEvent, problem=problem, kind=kind, on=on, by=by, **values)


@transaction.atomic
def problem_reroute(
    *,
    problem: Problem,
    to_department: Department,
    reason: str,
    by: User | None,
    on: date | None = None,
    limit_days: int | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Hand an open problem to another department (改派), with the reason.

    The deadline stays as it was; with `limit_days` the clock restarts from the reroute day.
    """
    problem = _locked(problem, expected_version=expected_version)
    _ensure_open(problem, doing=_("改派"))
    reason = required_text(reason, field="reason", message=_("改派须填写原因。"))
    if to_department.pk == problem.department_id:
        raise ApplicationError(
            _("问题已由“%(department)s”办理，请选择其他部门。") % {"department": to_department},
            field="to_department",
        )
    if not to_department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能交办。") % {"department": to_department},
            field="to_department",
        )
    if limit_days is not None:
        step_check_limit(limit_days)
    on = step_date(problem, on)
    from_department = problem.department
    problem.department = to_department
    problem.status = Problem.Status.ROUTED  # the new department has not reported yet
    note = reason
    if limit_days is not None:
        due = problem.clock_restart(start=on, limit_days=limit_days)
        note = f"{reason}\n{_('重新计时：')}{deadline_note(limit_days, due)}"
    record_save(
        instance=problem,
        by=by,
        reason=_("改派：%(from)s → %(to)s") % {"from": from_department, "to": to_department},
    )
    _event(
        problem,
        ProblemEvent.Kind.REROUTED,
        on=on,
        by=by,
        note=note,
        from_department=from_department,
        to_department=to_department,
    )
    return problem


@transaction.atomic
def problem_add_note(
    *,
    problem: Problem,
    text: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Record progress on an open problem; the first note after routing makes it 办理中."""
    problem = _locked(problem, expected_version=expected_version)
    _ensure_open(problem, doing=_("登记进展"))
    text = required_text(text, field="text", message=_("请填写办理进展。"))
    on = step_date(problem, on)
    if problem.status == Problem.Status.ROUTED:
        problem.status = Problem.Status.IN_PROGRESS
        record_save(instance=problem, by=by, reason=_("开始办理"))
    _event(problem, ProblemEvent.Kind.NOTE, on=on, by=by, note=text)
    return problem


@transaction.atomic
def problem_escalate(
    *,
    problem: Problem,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Problem:
    """Escalate an open problem to the project's liaison leader (提级至包联领导).

    The leader then sees it through the data scope (`escalated_to`); the department keeps it
    and its clock.
    """
    problem = _locked(problem, expected_version=expected_version)
    _ensure_open(problem, doing=_("提级"))
    leader = problem_escalation_target(problem=problem)
    if leader is None:
        raise ApplicationError(
            _("项目“%(project)s”未确定包联领导，无法提级；请先在项目中指定包联领导。")
            % {"project": problem.project},
            field="project",
            code="no_leader",
        )
    if problem.escalated_to_id == leader.pk:
        raise ApplicationError(
            _("问题已于 %(on)s 提级至%(leader)s。")
            % {"on": problem.escalated_on, "leader": leader},
            field="escalated_to",
            code="escalated",
        )
    on = step_date(problem, on)
    problem.escalated_to, problem.escalated_on = leader, on
    record_save(instance=problem, by=by, reason=_("提级至%(leader)s") % {"leader": leader})
    text = note.strip() or _("提级至包联领导%(leader)s协调解决。") % {"leader": leader}
    _event(problem, ProblemEvent.Kind.ESCALATED, on=on, by=by, note=text)
    return problem


@transaction.atomic
def problem_resolve(
    *,
    problem: Problem,
    resolution: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Close an open problem with what was done (解决情况)."""
    problem = _locked(problem, expected_version=expected_version)
    _ensure_open(problem, doing=_("再次办结"))
    resolution = required_text(resolution, field="resolution", message=_("请填写解决情况。"))
    on = step_date(problem, on)
    problem.status = Problem.Status.RESOLVED
    problem.resolved_on, problem.resolution = on, resolution
    record_save(instance=problem, by=by, reason=_("解决"))
    _event(problem, ProblemEvent.Kind.RESOLVED, on=on, by=by, note=resolution)
    return problem


@transaction.atomic
def problem_reopen(
    *,
    problem: Problem,
    reason: str,
    by: User | None,
    on: date | None = None,
    limit_days: int | None = None,
    expected_version: int | None = None,
) -> Problem:
    """Reopen a resolved problem (重新办理), with the reason; the clock restarts from the
    reopening day with the same limit, or with `limit_days`."""
    problem = _locked(problem, expected_version=expected_version)
    if problem.status != Problem.Status.RESOLVED:
        raise ApplicationError(
            _("问题尚未解决，无需重新办理。"), field="status", code="not_resolved"
        )
    reason = required_text(reason, field="reason", message=_("重新办理须填写原因。"))
    limit = step_check_limit(problem.limit_days if limit_days is None else limit_days)
    on = step_date(problem, on)
    due = problem.clock_restart(start=on, limit_days=limit)
    problem.status = Problem.Status.IN_PROGRESS
    problem.resolved_on, problem.resolution = None, ""
    record_save(instance=problem, by=by, reason=_("重新办理"))
    note = f"{reason}\n{_('重新计时：')}{deadline_note(limit, due)}"
    _event(problem, ProblemEvent.Kind.REOPENED, on=on, by=by, note=note)
    return problem


@transaction.atomic
def problems_recompute_deadlines(
    *, years: Iterable[int] | None = None, by: User | None = None
) -> int:
    """Work out again the stored deadlines of open problems after the calendar changed.

    `years` are the calendar years that changed: a problem whose clock runs through one of them
    (from its routing day to its deadline), or whose deadline is still provisional, is worked
    out again; without `years`, the provisional ones only. Returns how many deadlines moved.
    """
    return deadlines_recompute(Problem.objects.open(), years=years, by=by)
