"""Writes of supervision (督查督办): a task is handed over (交办) with a deadline, signed for
(签收), worked with progress and evidence (办理), reported (反馈), reviewed (复核) and closed
(销号) by its supervisor, who may also send it back (退回); a late task is urged (催办) and
escalated to the leader in charge of its department (提级). Every step writes its event in the
same transaction (the kernel's step helpers).

A task comes in one step from a meeting decision, a project problem, an enterprise request or
an inspector's visit; one task per record. Closing a task made from a decision marks the
decision done (meetings' `decision_done`).

The inspectors' checklists (动态清单): one per enterprise an inspector liaises with (纪检包联),
its items, visits with findings, and follow-ups that become tasks.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.clocks import deadline_note
from zoneops.casework.services import (
    deadlines_recompute,
    step_check_limit,
    step_check_status,
    step_date,
    step_event,
    step_lock,
)
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.files import megabytes, original_name
from zoneops.common.inputs import text_error
from zoneops.common.services import (
    check_happened,
    record_save,
    required_text,
)
from zoneops.common.workcalendar import (
    WorkingDayResult,
    add_working_days,
    working_days_between,
)
from zoneops.enterprises.models import Enterprise, EnterpriseRequest
from zoneops.meetings.models import Decision, Meeting
from zoneops.meetings.services import decision_done
from zoneops.orgs.models import Department, User
from zoneops.projects.models import Problem
from zoneops.supervision.enums import TaskSource, TaskStatus
from zoneops.supervision.models import (
    Checklist,
    ChecklistItem,
    ChecklistVisit,
    SupervisionTask,
    TaskEvent,
    TaskEvidence,
)
from zoneops.supervision.selectors import (
    EVIDENCE_EXTENSIONS,
    inspector_liaises_with,
    task_escalation_target,
    task_may_review,
    task_may_supervise,
    task_may_work,
)

Kind = TaskEvent.Kind
S = TaskStatus
# The default limit of a task made from a record that gives no date (a visit's follow-up).
DEFAULT_LIMIT_DAYS = 10


def _today() -> date:
    return timezone.localdate()


# --- the deadline -------------------------------------------------------------------------------


def task_deadline(
    *, assigned_on: date, limit_days: int | None = None, due_on: date | None = None
) -> tuple[int, WorkingDayResult]:
    """The limit in working days and the deadline of a task assigned on `assigned_on`, given as
    a number of working days or as a date. A date is turned into the working days up to it (at
    least one); a date that is not a working day gives the working day before it."""
    if (limit_days is None) == (due_on is None):
        raise ApplicationError(
            _("请填写办理时限（工作日）或办结期限，二者选一。"), field="limit_days"
        )
    if due_on is not None:
        check_happened(assigned_on, field="assigned_on")
        if due_on < assigned_on:
            raise ApplicationError(
                _("办结期限（%(due)s）不能早于交办日期（%(on)s）。")
                % {"due": due_on, "on": assigned_on},
                field="due_on",
            )
        if (due_on - assigned_on).days > 400:
            raise ApplicationError(
                _("办结期限（%(due)s）距交办日期超过一年，请核对。") % {"due": due_on},
                field="due_on",
            )
        limit_days = max(1, working_days_between(assigned_on, due_on).days)
    limit = step_check_limit(limit_days)
    return limit, add_working_days(assigned_on, limit)


def tasks_recompute_deadlines(*, years: Iterable[int] | None = None, by: User | None = None) -> int:
    """Work out again the stored deadlines of running tasks after the work calendar changed
    (like the problems' and the requests'): a task whose clock runs through one of `years`
    (from its handing over to its deadline), or whose deadline is still provisional. Its limit
    in working days stays; the date moves. Returns how many deadlines moved."""
    return deadlines_recompute(SupervisionTask.objects.open(), years=years, by=by)


# --- handing a task over ------------------------------------------------------------------------


def _check_department(department: Department, *, field: str) -> None:
    if not department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能交办。") % {"department": department}, field=field
        )


def _check_staff(user: User | None, *, field: str, label: str) -> None:
    if user is not None and (getattr(user, "enterprise_id", None) or not user.is_active):
        raise ApplicationError(
            _("%(label)s须为在职的管委会工作人员。") % {"label": label}, field=field
        )


def _check_text(value: str, *, field: str, multiline: bool = True) -> str:
    error = text_error(value, multiline=multiline)
    if error:
        raise ApplicationError(error, field=field)
    return value.strip()


@transaction.atomic
def task_assign(
    *,
    source: TaskSource | str,
    title: str,
    department: Department,
    supervisor: User,
    by: User,
    content: str = "",
    owner: User | None = None,
    co_departments: Iterable[Department] = (),
    assigned_on: date | None = None,
    limit_days: int | None = None,
    due_on: date | None = None,
    decision: Decision | None = None,
    problem: Problem | None = None,
    request: EnterpriseRequest | None = None,
    visit: ChecklistVisit | None = None,
) -> SupervisionTask:
    """Hand a task over (交办) to a department, with its deadline (working days or a date) and
    its supervisor; the clock counts from the day after `assigned_on` (today by default)."""
    if source not in TaskSource.values:
        raise ApplicationError(_("请选择督办来源。"), field="source")
    title = required_text(
        _check_text(title or "", field="title", multiline=False),
        field="title",
        message=_("请填写督办事项。"),
    )
    if len(title) > 200:
        raise ApplicationError(_("督办事项不能超过 200 个字。"), field="title")
    content = _check_text(content or "", field="content")
    _check_department(department, field="department")
    _check_staff(owner, field="owner", label=_("责任人"))
    _check_staff(supervisor, field="supervisor", label=_("督办人"))
    helpers = [d for d in co_departments if d.pk != department.pk]
    for helper in helpers:
        _check_department(helper, field="co_departments")
    assigned_on = assigned_on or _today()
    check_happened(assigned_on, field="assigned_on")
    limit, due = task_deadline(assigned_on=assigned_on, limit_days=limit_days, due_on=due_on)
    task = SupervisionTask(
        source=source,
        title=title,
        content=content,
        department=department,
        owner=owner,
        supervisor=supervisor,
        assigned_on=assigned_on,
        limit_days=limit,
        due_on=due.date,
        due_provisional=due.provisional,
        status=S.ASSIGNED,
        decision=decision,
        problem=problem,
        request=request,
        visit=visit,
    )
    try:
        with transaction.atomic():
            record_save(instance=task, by=by, reason=_("交办"))
    except IntegrityError as error:  # the record became a task meanwhile
        raise ApplicationError(_("该记录已转为督办事项。"), field="source") from error
    if helpers:
        task.co_departments.set(helpers)
    step_event(
        TaskEvent,
        task=task,
        kind=Kind.ASSIGNED,
        on=assigned_on,
        by=by,
        to_department=department,
        note=deadline_note(limit, due),
    )
    return task


# --- the steps ----------------------------------------------------------------------------------


def _locked(task: SupervisionTask, *, expected_version: int | None) -> SupervisionTask:
    return step_lock(
        task, expected_version=expected_version, select_related=("department", "supervisor")
    )


def _status(task: SupervisionTask, allowed: Sequence[str], *, doing: str) -> None:
    step_check_status(
        task,
        tuple(allowed),
        refusal=_("督办事项当前为“%(status)s”，不能%(doing)s。"),
        doing=doing,
    )


def _worker(task: SupervisionTask, by: User) -> None:
    if not task_may_work(user=by, task=task):
        raise PermissionDeniedError(
            _("只有责任部门“%(department)s”的人员可以办理该督办事项。")
            % {"department": task.department}
        )


def _supervisor(task: SupervisionTask, by: User, *, doing: str) -> None:
    if not task_may_supervise(user=by, task=task):
        raise PermissionDeniedError(
            _("只有督办人%(supervisor)s可以%(doing)s。")
            % {"supervisor": task.supervisor, "doing": doing}
        )


def _event(task: SupervisionTask, kind: str, *, on: date, by: User, **values: Any) -> TaskEvent:
    return step_event(TaskEvent, task=task, kind=kind, on=on, by=by, **values)


@transaction.atomic
def task_sign(
    *,
    task: SupervisionTask,
    by: User,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> SupervisionTask:
    """The owner department signs for the task (签收)."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.ASSIGNED,), doing=_("签收"))
    _worker(task, by)
    note = _check_text(note, field="note")
    on = step_date(task, on)
    task.status, task.signed_on = S.SIGNED, on
    record_save(instance=task, by=by, reason=_("签收"))
    _event(task, Kind.SIGNED, on=on, by=by, note=note)
    return task


def _evidence_check(files: Sequence[Any]) -> None:
    limit = settings.ZONEOPS_PHOTO_MAX_BYTES
    if len(files) > 10:
        raise ApplicationError(_("每次最多上传 10 个佐证材料。"), field="files")
    for upload in files:
        name = original_name(upload.name or "")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in EVIDENCE_EXTENSIONS:
            raise ApplicationError(
                _("“%(name)s”的格式不能作为佐证材料；可上传：%(kinds)s。")
                % {"name": name, "kinds": "、".join(EVIDENCE_EXTENSIONS)},
                field="files",
            )
        if not upload.size:
            raise ApplicationError(_("“%(name)s”是空文件。") % {"name": name}, field="files")
        if upload.size > limit:
            raise ApplicationError(
                _("“%(name)s”过大（%(size)s MB），不能超过 %(limit)s MB。")
                % {
                    "name": name,
                    "size": megabytes(upload.size, over=True),
                    "limit": megabytes(limit),
                },
                field="files",
            )


@transaction.atomic
def task_progress(
    *,
    task: SupervisionTask,
    text: str,
    by: User,
    files: Sequence[Any] = (),
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """Record progress (办理进展) with evidence files; a signed task becomes 办理中."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.SIGNED, S.IN_PROGRESS), doing=_("登记办理进展"))
    _worker(task, by)
    text = required_text(
        _check_text(text or "", field="text"), field="text", message=_("请填写办理进展。")
    )
    _evidence_check(files)
    on = step_date(task, on)
    if task.status == S.SIGNED:
        task.status = S.IN_PROGRESS
        record_save(instance=task, by=by, reason=_("开始办理"))
    event = _event(task, Kind.PROGRESS, on=on, by=by, note=text)
    stored: list[str] = []
    try:
        for upload in files:
            name = original_name(upload.name)
            evidence = TaskEvidence(event=event, filename=name[:200])
            evidence.file.save(name, upload, save=False)
            stored.append(evidence.file.name or "")
            evidence.save()
    except Exception:
        storage = TaskEvidence._meta.get_field("file").storage  # type: ignore[attr-defined]
        for name in stored:
            storage.delete(name)  # a refused upload leaves nothing behind
        raise
    return task


@transaction.atomic
def task_report(
    *,
    task: SupervisionTask,
    feedback: str,
    by: User,
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """The owner department reports the task done (反馈), with what was done."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.SIGNED, S.IN_PROGRESS), doing=_("反馈"))
    _worker(task, by)
    feedback = required_text(
        _check_text(feedback or "", field="feedback"),
        field="feedback",
        message=_("请填写办理结果。"),
    )
    on = step_date(task, on)
    task.status, task.reported_on, task.feedback = S.REPORTED, on, feedback
    record_save(instance=task, by=by, reason=_("反馈"))
    _event(task, Kind.REPORTED, on=on, by=by, note=feedback)
    return task


@transaction.atomic
def task_review(
    *,
    task: SupervisionTask,
    by: User,
    note: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """The supervisor, or an inspector, checks the reported result (复核)."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.REPORTED,), doing=_("复核"))
    if not task_may_review(user=by, task=task):
        raise PermissionDeniedError(_("只有督办人或纪检监察干部可以复核督办事项。"))
    note = _check_text(note, field="note")
    on = step_date(task, on)
    task.status, task.reviewed_on = S.REVIEWED, on
    record_save(instance=task, by=by, reason=_("复核"))
    _event(task, Kind.REVIEWED, on=on, by=by, note=note)
    return task


@transaction.atomic
def task_return(
    *,
    task: SupervisionTask,
    reason: str,
    by: User,
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """The supervisor sends a reported task back to be worked again (退回), with the reason;
    the clock keeps running."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.REPORTED, S.REVIEWED), doing=_("退回"))
    _supervisor(task, by, doing=_("退回"))
    reason = required_text(
        _check_text(reason or "", field="reason"), field="reason", message=_("退回须填写原因。")
    )
    on = step_date(task, on)
    task.status = S.IN_PROGRESS
    task.reported_on, task.reviewed_on = None, None
    record_save(instance=task, by=by, reason=_("退回"))
    _event(task, Kind.RETURNED, on=on, by=by, note=reason, to_department=task.department)
    return task


@transaction.atomic
def task_close(
    *,
    task: SupervisionTask,
    by: User,
    note: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """The supervisor closes a reviewed task (销号); a task made from a meeting decision marks
    the decision done the same day."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.REVIEWED,), doing=_("销号"))
    _supervisor(task, by, doing=_("销号"))
    note = _check_text(note, field="note")
    on = step_date(task, on)
    task.status, task.closed_on = S.CLOSED, on
    record_save(instance=task, by=by, reason=_("销号"))
    _event(task, Kind.CLOSED, on=on, by=by, note=note)
    if task.decision_id is not None:
        decision = Decision.objects.get(pk=task.decision_id)
        if decision.done_on is None:
            decision_done(decision=decision, by=by, done_on=on)
    return task


@transaction.atomic
def task_urge(
    *,
    task: SupervisionTask,
    by: User,
    note: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """Urge a late task (催办): an event, and the count on the task."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.ASSIGNED, S.SIGNED, S.IN_PROGRESS), doing=_("催办"))
    if not task_may_review(user=by, task=task):
        raise PermissionDeniedError(_("只有督办人或纪检监察干部可以催办。"))
    note = _check_text(note, field="note")
    on = step_date(task, on)
    if task.due_on >= on:
        raise ApplicationError(
            _("督办事项尚未逾期（办结期限 %(due)s），不需催办。") % {"due": task.due_on},
            field="status",
            code="not_late",
        )
    task.urge_count += 1
    record_save(instance=task, by=by, reason=_("催办"))
    _event(task, Kind.URGED, on=on, by=by, note=note or _("已逾期，请抓紧办理。"))
    return task


@transaction.atomic
def task_escalate(
    *,
    task: SupervisionTask,
    by: User,
    note: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> SupervisionTask:
    """Escalate a late task to the leader in charge of its department (提级至分管领导): he
    then reads it (`escalated_to`); the department keeps it and its clock."""
    task = _locked(task, expected_version=expected_version)
    _status(task, (S.ASSIGNED, S.SIGNED, S.IN_PROGRESS), doing=_("提级"))
    if not task_may_review(user=by, task=task):
        raise PermissionDeniedError(_("只有督办人或纪检监察干部可以提级。"))
    note = _check_text(note, field="note")
    leader = task_escalation_target(task=task)
    if leader is None:
        raise ApplicationError(
            _("“%(department)s”没有分管领导，无法提级；请先在用户中设置分管部门。")
            % {"department": task.department},
            field="department",
            code="no_leader",
        )
    if task.escalated_to_id == leader.pk:
        raise ApplicationError(
            _("督办事项已于 %(on)s 提级至%(leader)s。")
            % {"on": task.escalated_on, "leader": leader},
            field="escalated_to",
            code="escalated",
        )
    on = step_date(task, on)
    task.escalated_to, task.escalated_on = leader, on
    record_save(instance=task, by=by, reason=_("提级至%(leader)s") % {"leader": leader})
    text = note or _("提级至分管领导%(leader)s协调督办。") % {"leader": leader}
    _event(task, Kind.ESCALATED, on=on, by=by, note=text)
    return task


# --- tasks from other records --------------------------------------------------------------------


def _existing(**source: Any) -> SupervisionTask | None:
    return SupervisionTask.objects.filter(**source).first()


@transaction.atomic
def task_from_decision(
    *, decision: Decision, by: User, supervisor: User | None = None
) -> SupervisionTask:
    """A meeting decision becomes a supervised task (会议议定事项 → 督办) in one step; the
    decision's owner department and person, deadline and text carry over. Idempotent: the
    decision's task when it has one. The supervisor is the meeting's host by default."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    existing = _existing(decision=decision)
    if existing is not None:
        return existing
    if decision.done_on is not None:
        raise ApplicationError(_("该议定事项已完成，无需督办。"), field="decision")
    meeting = Meeting.objects.select_related("host").get(pk=decision.meeting_id)
    supervisor = supervisor or meeting.host or by
    held = meeting.held_on
    return task_assign(
        source=TaskSource.MEETING,
        title=decision.text[:200],
        content=_("%(on)s%(meeting)s议定：%(text)s")
        % {"on": held, "meeting": meeting.title, "text": decision.text},
        department=decision.owner_department,
        owner=decision.owner,
        supervisor=supervisor,
        by=by,
        assigned_on=min(held, _today()),
        due_on=max(decision.due_on, held),
        decision=decision,
    )


def tasks_from_meeting(*, meeting: Meeting, by: User | None) -> list[SupervisionTask]:
    """Every decision of a closed meeting not done yet becomes a task (the meeting's host
    supervises)."""
    actor = by or meeting.host
    if actor is None:
        return []
    decisions = Decision.objects.filter(meeting=meeting, done_on__isnull=True).order_by("pk")
    tasks = []
    for decision in decisions:
        try:
            tasks.append(task_from_decision(decision=decision, by=actor))
        except ApplicationError as error:
            # The meeting is not held: say which decision stops it and why.
            raise ApplicationError(
                _("议定事项“%(decision)s”不能转为督办事项：%(reason)s")
                % {"decision": decision.text[:40], "reason": error.message},
                field="decisions",
                code=error.code,
            ) from error
    return tasks


@transaction.atomic
def task_from_problem(
    *,
    problem: Problem,
    by: User,
    supervisor: User | None = None,
    limit_days: int | None = None,
) -> SupervisionTask:
    """A project problem becomes a supervised task (问题 → 督办): same department, the
    problem's deadline unless a limit is given. Idempotent."""
    problem = Problem.objects.select_for_update().select_related("project").get(pk=problem.pk)
    existing = _existing(problem=problem)
    if existing is not None:
        return existing
    if problem.status == Problem.Status.RESOLVED:
        raise ApplicationError(_("该问题已解决，无需督办。"), field="problem")
    today = _today()
    return task_assign(
        source=TaskSource.PROBLEM,
        title=problem.title,
        content=_("项目“%(project)s”问题：%(text)s")
        % {"project": problem.project, "text": problem.description or problem.title},
        department=problem.department,
        supervisor=supervisor or by,
        by=by,
        assigned_on=today,
        limit_days=limit_days,
        due_on=None if limit_days is not None else max(problem.due_on, today),
        problem=problem,
    )


@transaction.atomic
def task_from_request(
    *,
    request: EnterpriseRequest,
    by: User,
    supervisor: User | None = None,
    limit_days: int | None = None,
) -> SupervisionTask:
    """An enterprise request becomes a supervised task (诉求 → 督办): its handling department,
    its deadline unless a limit is given. Idempotent."""
    request = (
        EnterpriseRequest.objects.select_for_update()
        .select_related("enterprise")
        .get(pk=request.pk)
    )
    existing = _existing(request=request)
    if existing is not None:
        return existing
    department = request.department
    if department is None:
        raise ApplicationError(_("诉求尚未交办承办部门，不能转督办。"), field="request")
    if request.status not in EnterpriseRequest.running_statuses:
        raise ApplicationError(_("诉求已答复，无需督办。"), field="request")
    today = _today()
    due = request.due_on if request.due_on and limit_days is None else None
    return task_assign(
        source=TaskSource.REQUEST,
        title=request.title,
        content=_("企业“%(enterprise)s”诉求：%(text)s")
        % {"enterprise": request.enterprise, "text": request.description},
        department=department,
        supervisor=supervisor or by,
        by=by,
        assigned_on=today,
        limit_days=limit_days if due is None else None,
        due_on=max(due, today) if due else None,
        request=request,
    )


# --- checklists (动态清单) ------------------------------------------------------------------------


def _inspector_only(checklist: Checklist, by: User) -> None:
    if by.pk != checklist.inspector_id and not by.is_superuser:
        raise PermissionDeniedError(
            _("只有包联该企业的纪检监察干部%(inspector)s可以登记。")
            % {"inspector": checklist.inspector}
        )


@transaction.atomic
def checklist_create(
    *,
    enterprise: Enterprise,
    inspector: User,
    by: User,
    items: Iterable[str] = (),
    started_on: date | None = None,
    note: str = "",
) -> Checklist:
    """The checklist of an enterprise the inspector liaises with (纪检包联); one per enterprise."""
    started_on = started_on or _today()
    check_happened(started_on, field="started_on")
    if not inspector_liaises_with(inspector=inspector, enterprise=enterprise, on=started_on):
        raise ApplicationError(
            _("%(inspector)s在 %(on)s 未包联“%(enterprise)s”（纪检包联），不能建立动态清单。")
            % {"inspector": inspector, "on": started_on, "enterprise": enterprise},
            field="inspector",
        )
    if by.pk != inspector.pk and not by.is_superuser:
        raise PermissionDeniedError(_("动态清单由包联的纪检监察干部本人建立。"))
    if Checklist.objects.filter(enterprise=enterprise).exists():
        raise ApplicationError(
            _("“%(enterprise)s”已有动态清单。") % {"enterprise": enterprise}, field="enterprise"
        )
    checklist = Checklist(
        enterprise=enterprise,
        inspector=inspector,
        started_on=started_on,
        note=_check_text(note, field="note"),
    )
    record_save(instance=checklist, by=by, reason=_("建立动态清单"))
    for text in items:
        checklist_item_add(checklist=checklist, text=text, by=by)
    return checklist


@transaction.atomic
def checklist_item_add(*, checklist: Checklist, text: str, by: User) -> ChecklistItem:
    _inspector_only(checklist, by)
    text = required_text(
        _check_text(text or "", field="text", multiline=False),
        field="text",
        message=_("请填写督查事项。"),
    )
    if len(text) > 200:
        raise ApplicationError(_("督查事项不能超过 200 个字。"), field="text")
    order = checklist.items.count() + 1
    item = ChecklistItem(checklist=checklist, text=text, order=order)
    item.save()
    return item


@transaction.atomic
def checklist_visit_record(
    *, checklist: Checklist, findings: str, by: User, visited_on: date | None = None
) -> ChecklistVisit:
    """A visit to the enterprise with what it found (走访发现)."""
    _inspector_only(checklist, by)
    findings = required_text(
        _check_text(findings or "", field="findings"),
        field="findings",
        message=_("请填写发现问题。"),
    )
    visited_on = visited_on or _today()
    check_happened(visited_on, field="visited_on")
    if visited_on < checklist.started_on:
        raise ApplicationError(
            _("走访日期不能早于清单建立日期（%(on)s）。") % {"on": checklist.started_on},
            field="visited_on",
        )
    visit = ChecklistVisit(
        checklist=checklist, visited_on=visited_on, inspector=by, findings=findings
    )
    record_save(instance=visit, by=by, reason=_("督查走访"))
    return visit


@transaction.atomic
def checklist_follow_up(
    *,
    visit: ChecklistVisit,
    title: str,
    department: Department,
    by: User,
    limit_days: int | None = None,
    due_on: date | None = None,
    owner: User | None = None,
    assigned_on: date | None = None,
) -> SupervisionTask:
    """A visit's finding followed up as a supervised task (整改督办), the inspector its
    supervisor; handed over on the day of the visit or later (today by default)."""
    checklist = visit.checklist
    _inspector_only(checklist, by)
    if limit_days is None and due_on is None:
        limit_days = DEFAULT_LIMIT_DAYS
    if assigned_on is not None and assigned_on < visit.visited_on:
        raise ApplicationError(
            _("交办日期不能早于走访日期（%(on)s）。") % {"on": visit.visited_on},
            field="assigned_on",
        )
    return task_assign(
        source=TaskSource.CHECKLIST,
        title=title,
        content=_("%(enterprise)s督查走访（%(on)s）发现：%(findings)s")
        % {"enterprise": checklist.enterprise, "on": visit.visited_on, "findings": visit.findings},
        department=department,
        owner=owner,
        supervisor=by,
        by=by,
        assigned_on=assigned_on,
        limit_days=limit_days,
        due_on=due_on,
        visit=visit,
    )
