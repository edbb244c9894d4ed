"""Writes of enterprise requests (诉求): filing, acceptance and routing, the steps of the work,
extensions, suspending the clock while the enterprise supplies materials, the answer and the
enterprise's rating — each step with its event in the same transaction.

The clock. `clock_from` is the day the current round counts from (counting starts on the next
working day, 受理次日起算) and `due_on` is always `request_deadline`:
`add_working_days(clock_from, limit_days + extension_days + suspended_days)`:
- acceptance starts it with the kind's limit (RequestKindLimit) or the one given;
- a reroute keeps it, so handing a request on never buys time;
- only an extension asked by the deadline and approved by a holder of
  `enterprises.approve_extension` other than the asker lengthens it;
- while the department waits for the enterprise's materials (请企业补充材料, asked by the
  deadline) the clock stands from `suspended_since`; when it runs again — the enterprise
  supplies them, staff record them received, or the request is answered or returned — the
  working days after `suspended_since` up to that day are added to `suspended_days`;
- an unsatisfied rating (below SATISFIED_SCORE) reopens the request and restarts the clock from
  the rating day with the kind's limit, no extension and no suspension.
Every step happens on a day (`on`): today by default, never in the future, and never before
the request's previous step, so that the events read in date order tell its state on any day.

Who. An enterprise user files only for its own enterprise, rates only its own enterprise's
answers and supplies the materials asked of it; every other step is the committee's. Which
records a member of staff may act on is the edges' check (`ensure_allowed`); these functions
hold the rules that do not depend on the page.
"""

from collections.abc import Iterable
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
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.periods import format_day
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_save,
    required_text,
)
from zoneops.common.workcalendar import (
    WorkingDayResult,
    working_days_between,
)
from zoneops.enterprises.enums import (
    DEFAULT_REQUEST_LIMITS,
    SATISFIED_SCORE,
    RequestChannel,
    RequestKind,
    RequestStatus,
)
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseRequest,
    RequestEvent,
    RequestExtension,
    RequestKindLimit,
)
from zoneops.enterprises.models.requests import CLOCK_STATUSES, OPEN_STATUSES
from zoneops.enterprises.permissions import APPROVE_EXTENSION
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic

# The longest single extension the model accepts.
MAX_EXTENSION_DAYS = 60

Kind = RequestEvent.Kind
Status = RequestStatus

OPEN = OPEN_STATUSES
RUNNING = CLOCK_STATUSES


# --- small checks -------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def is_enterprise_user(user: Any) -> bool:
    """An enterprise's own login (企业用户), as opposed to the committee's staff."""
    return getattr(user, "enterprise_id", None) is not None


def _check_choice(value: Any, choices: Any, *, field: str, label: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            _("“%(label)s”的值“%(value)s”无效，请从列表中选择。")
            % {"label": label, "value": value},
            field=field,
        )


def _check_department(department: Department | None, *, field: str) -> Department:
    if department is None:
        raise ApplicationError(_("请选择承办部门。"), field=field)
    if not department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能交办。") % {"department": department}, field=field
        )
    return department


def _staff_only(by: User | None, *, doing: str) -> None:
    if is_enterprise_user(by):
        raise PermissionDeniedError(
            _("企业用户不能%(doing)s，该步骤由管委会工作人员办理。") % {"doing": doing},
            field="request",
        )


def _ensure_status(request: EnterpriseRequest, allowed: tuple[str, ...], *, doing: str) -> None:
    step_check_status(
        request, allowed, refusal=_("诉求当前为“%(status)s”，不能%(doing)s。"), doing=doing
    )


def request_deadline(*, request: EnterpriseRequest) -> WorkingDayResult:
    """The deadline (办结期限) of a request whose clock has started: the working day after
    `clock_from` that ends the limit, the approved extensions and the working days the clock
    stood (a suspension still running is not in `suspended_days` yet)."""
    if request.clock_start is None or request.limit_days is None:
        raise ApplicationError(_("诉求尚未受理，没有办结期限。"), field="status")
    return request.deadline()


def _update_deadline(request: EnterpriseRequest) -> WorkingDayResult:
    return request.deadline_update()


def _set_clock(
    request: EnterpriseRequest, *, clock_from: date, limit_days: int
) -> WorkingDayResult:
    """Start a round of the clock: from `clock_from`, with the limit, no extension and no
    suspension."""
    return request.clock_restart(start=clock_from, limit_days=limit_days)


def _locked(request: EnterpriseRequest, *, expected_version: int | None) -> EnterpriseRequest:
    """The request's row locked for the rest of the transaction, read again into the caller's
    instance (so that it shows the step once done), at the version expected."""
    return step_lock(request, expected_version=expected_version, in_place=True)


def _event(
    request: EnterpriseRequest, kind: str, *, on: date, by: User | None, **values: Any
) -> RequestEvent:
    """The step's event; `values` are its note, `internal`, `score` and departments."""
    return step_event(RequestEvent, request=request, kind=kind, on=on, by=by, **values)


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# --- filing -------------------------------------------------------------------------------------


def request_limit_days(*, kind: RequestKind | str) -> int:
    """The working-day limit of a kind of request: the administrators' setting, else the
    default (咨询 1, 求助 5, 投诉 10)."""
    _check_choice(kind, RequestKind, field="kind", label=_("诉求类型"))
    stored = RequestKindLimit.objects.filter(kind=kind).values_list("limit_days", flat=True).first()
    return int(stored) if stored is not None else DEFAULT_REQUEST_LIMITS[str(kind)]


def request_intake_department() -> Department | None:
    """The desk where a new request waits for acceptance (受理): the active department marked
    `receives_enterprise_requests` (企业服务局 in the demo); none marked, administrators see it."""
    return (
        Department.objects.filter(is_active=True, receives_enterprise_requests=True)
        .order_by("order", "pk")
        .first()
    )


@transaction.atomic
def request_file(
    *,
    enterprise: Enterprise,
    title: str,
    description: str,
    kind: RequestKind | str,
    category: BlockerKind | str,
    topic: BlockerTopic | str,
    by: User,
    channel: RequestChannel | str | None = None,
    project: Any = None,
    contact_person: str = "",
    contact_phone: str = "",
    filed_on: date | None = None,
    backdate_reason: str = "",
) -> EnterpriseRequest:
    """File a request (提交诉求), waiting for acceptance.

    An enterprise user files for its own enterprise only, on the day (自助提交) — an earlier day
    only when it is recorded afterwards (补登, demo data or a migration) with `backdate_reason`;
    staff file on an enterprise's behalf through any channel but self-service (代报, liaison by
    default), and may record a request received earlier (`filed_on`).
    """
    title = required_text(title, field="title", message=_("请填写诉求标题。"))
    description = required_text(description, field="description", message=_("请填写诉求内容。"))
    _check_choice(kind, RequestKind, field="kind", label=_("诉求类型"))
    _check_choice(category, BlockerKind, field="category", label=_("类别"))
    _check_choice(topic, BlockerTopic, field="topic", label=_("领域"))
    today = _today()
    if is_enterprise_user(by):
        if by.enterprise_id != enterprise.pk:
            raise PermissionDeniedError(_("企业用户只能为本企业提交诉求。"), field="enterprise")
        if filed_on is not None and filed_on != today and not backdate_reason.strip():
            raise ApplicationError(
                _("企业自助提交的诉求以提交当天为提交日期；补登 %(on)s 提交的诉求须填写补登原因。")
                % {"on": filed_on},
                field="filed_on",
            )
        channel = RequestChannel.SELF_SERVICE
    else:
        channel = channel or RequestChannel.LIAISON
        _check_choice(channel, RequestChannel, field="channel", label=_("来源渠道"))
        if channel == RequestChannel.SELF_SERVICE:
            raise ApplicationError(
                _("“企业自助提交”只能由企业用户本人提交；工作人员代报请选择其他来源渠道。"),
                field="channel",
            )
    filed_on = filed_on or today
    check_happened(filed_on, field="filed_on")
    if project is not None and project.investor_enterprise_id != enterprise.pk:
        raise ApplicationError(
            _("项目“%(project)s”不是“%(enterprise)s”投资的项目，不能关联。")
            % {"project": project, "enterprise": enterprise},
            field="project",
        )
    request = EnterpriseRequest(
        enterprise=enterprise,
        project=project,
        title=title,
        description=description,
        kind=kind,
        category=category,
        topic=topic,
        channel=channel,
        contact_person=(contact_person or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        filed_on=filed_on,
        status=Status.SUBMITTED,
        department=request_intake_department(),
    )
    reason = _("提交诉求")
    if backdate_reason.strip() and filed_on < today:
        reason = _("提交诉求（补登：%(reason)s）") % {"reason": backdate_reason.strip()}
    record_save(instance=request, by=by, reason=reason)
    _event(
        request,
        Kind.FILED,
        on=filed_on,
        by=by,
        note=_("来源：%(channel)s") % {"channel": request.get_channel_display()},
    )
    return request


# --- the committee's steps ----------------------------------------------------------------------


@transaction.atomic
def request_accept(
    *,
    request: EnterpriseRequest,
    department: Department,
    by: User | None,
    limit_days: int | None = None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Accept a submitted request (受理) and route it to a department; the clock starts with the
    kind's limit, or `limit_days`."""
    _staff_only(by, doing=_("受理诉求"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, (Status.SUBMITTED,), doing=_("受理"))
    _check_department(department, field="department")
    limit = step_check_limit(
        request_limit_days(kind=request.kind) if limit_days is None else limit_days
    )
    on = step_date(request, on)
    intake = request.department
    request.status = Status.ACCEPTED
    request.department, request.accepted_on = department, on
    due = _set_clock(request, clock_from=on, limit_days=limit)
    record_save(
        instance=request,
        by=by,
        reason=_("受理并交办%(department)s") % {"department": department},
    )
    _event(
        request,
        Kind.ACCEPTED,
        on=on,
        by=by,
        from_department=intake,
        to_department=department,
        note=_join(deadline_note(limit, due), note.strip()),
    )
    return request


def request_limits_seed(*, using: str = "default") -> int:
    """Give every kind of request that has no limit row its default (咨询 1, 求助 5, 投诉 10).

    Run after every migrate, like the built-in roles: a new kind gets its row, a database
    emptied by `flush` gets them back, and a limit an administrator set is never touched.
    Returns the number of rows made.
    """
    present = set(RequestKindLimit.objects.using(using).values_list("kind", flat=True))
    missing = [
        RequestKindLimit(kind=kind, limit_days=days)
        for kind, days in DEFAULT_REQUEST_LIMITS.items()
        if kind not in present
    ]
    RequestKindLimit.objects.using(using).bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def request_limit_set(
    *, kind: RequestKind | str, limit_days: int, by: User | None, expected_limit: int | None = None
) -> RequestKindLimit:
    """Change the working-day limit of a kind of request; it applies to requests accepted from
    now on (a running clock keeps the limit it started with). Only administrators hold the
    permission (`system_setting`). `expected_limit` refuses the change when someone changed the
    limit meanwhile."""
    _check_choice(kind, RequestKind, field="kind", label=_("诉求类型"))
    limit = step_check_limit(limit_days)
    row = RequestKindLimit.objects.select_for_update().filter(kind=kind).first()
    if row is None:
        row = RequestKindLimit(kind=kind, limit_days=limit)
    elif expected_limit is not None and row.limit_days != expected_limit:
        raise ApplicationError(
            _("“%(kind)s”的办理时限已被他人改为%(days)s个工作日，请刷新后再改。")
            % {"kind": row.get_kind_display(), "days": row.limit_days},
            field="limit_days",
        )
    row.limit_days = limit
    row._change_reason = _("修改办理时限")  # type: ignore[attr-defined]
    if by is not None and getattr(by, "pk", None):
        row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def request_reroute(
    *,
    request: EnterpriseRequest,
    to_department: Department,
    reason: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Hand an accepted request to another department (改派), with the reason. The deadline
    stays; the new department starts the work again (已受理)."""
    _staff_only(by, doing=_("改派诉求"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, RUNNING, doing=_("改派"))
    reason = required_text(reason, field="reason", message=_("改派须填写原因。"))
    _check_department(to_department, field="to_department")
    if to_department.pk == request.department_id:
        raise ApplicationError(
            _("诉求已由“%(department)s”办理，请选择其他部门。") % {"department": to_department},
            field="to_department",
        )
    on = step_date(request, on)
    from_department = request.department
    request.department = to_department
    request.status = Status.ACCEPTED
    record_save(
        instance=request,
        by=by,
        reason=_("改派：%(from)s → %(to)s") % {"from": from_department, "to": to_department},
    )
    _event(
        request,
        Kind.REROUTED,
        on=on,
        by=by,
        note=reason,
        from_department=from_department,
        to_department=to_department,
    )
    return request


@transaction.atomic
def request_start(
    *,
    request: EnterpriseRequest,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """The department starts the work (开始办理)."""
    _staff_only(by, doing=_("办理诉求"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, (Status.ACCEPTED,), doing=_("开始办理"))
    on = step_date(request, on)
    request.status = Status.IN_PROGRESS
    record_save(instance=request, by=by, reason=_("开始办理"))
    _event(request, Kind.STARTED, on=on, by=by, note=note.strip())
    return request


@transaction.atomic
def request_add_note(
    *,
    request: EnterpriseRequest,
    note: str,
    by: User | None,
    internal: bool = False,
    on: date | None = None,
) -> RequestEvent:
    """Record progress on an open request (办理记录); an internal note is never shown to the
    enterprise."""
    _staff_only(by, doing=_("登记办理记录"))
    request = _locked(request, expected_version=None)
    _ensure_status(request, OPEN, doing=_("登记办理记录"))
    note = required_text(note, field="note", message=_("请填写办理记录。"))
    on = step_date(request, on)
    return _event(request, Kind.NOTE, on=on, by=by, note=note, internal=internal)


# --- extensions ---------------------------------------------------------------------------------


@transaction.atomic
def request_ask_extension(
    *,
    request: EnterpriseRequest,
    days: int,
    reason: str,
    by: User,
    on: date | None = None,
) -> RequestExtension:
    """Ask for more working days (申请延期); they count only once a supervisor approves."""
    _staff_only(by, doing=_("申请延期"))
    if acting_user(by) is None:
        raise ApplicationError(_("延期申请须有申请人。"), field="by")
    request = _locked(request, expected_version=None)
    _ensure_status(request, RUNNING, doing=_("申请延期"))
    if not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ApplicationError(
            _("延期天数应为 1 至 %(max)s 个工作日。") % {"max": MAX_EXTENSION_DAYS}, field="days"
        )
    reason = required_text(reason, field="reason", message=_("申请延期须填写理由。"))
    if request.suspended_since is not None:
        raise ApplicationError(
            _("诉求自%(since)s起暂停计时，等待企业补充材料；恢复计时后如仍需延期再申请。")
            % {"since": format_day(request.suspended_since)},
            field="status",
            code="suspended",
        )
    pending = request.extensions.filter(decision=RequestExtension.Decision.PENDING).first()
    if pending is not None:
        raise ApplicationError(
            _("该诉求已有一项延期申请（%(on)s 提出，%(days)s 个工作日）待审批，请等待审批结果。")
            % {"on": pending.asked_on, "days": pending.days},
            field="days",
            code="pending",
        )
    on = step_date(request, on)
    # An extension is asked for within the limit (期限届满前); asked once the deadline has
    # passed and approved, it would turn an overdue request back to on time.
    if request.due_on is not None and on > request.due_on:
        raise ApplicationError(
            _("办结期限%(due)s已过，不能再申请延期；请尽快答复企业。")
            % {"due": format_day(request.due_on)},
            field="on",
            code="overdue",
        )
    extension = RequestExtension.objects.create(
        request=request, days=days, reason=reason, asked_on=on, asked_by=by
    )
    _event(
        request,
        Kind.EXTENSION_ASKED,
        on=on,
        by=by,
        note=_("申请延期 %(days)s 个工作日：%(reason)s") % {"days": days, "reason": reason},
    )
    return extension


@transaction.atomic
def request_decide_extension(
    *,
    extension: RequestExtension,
    approve: bool,
    by: User,
    note: str = "",
    on: date | None = None,
) -> RequestExtension:
    """Approve or refuse a pending extension (审批延期). Only a holder of
    `enterprises.approve_extension` who did not ask for it decides; approval adds the days and
    moves the deadline, a refusal needs a note."""
    if acting_user(by) is None or not by.has_perm(APPROVE_EXTENSION):
        raise PermissionDeniedError(
            _("审批延期须由具有“可批准诉求延期”权限的负责人办理。"), field="by"
        )
    # The request first, then the extension, in the order of the steps that lapse a pending ask
    # (answer, return): the other order deadlocks with them on PostgreSQL.
    request = _locked(extension.request, expected_version=None)
    extension.refresh_from_db(from_queryset=RequestExtension.objects.select_for_update())
    if extension.asked_by_id == by.pk:
        raise PermissionDeniedError(
            _("不能审批本人提出的延期申请，请由其他负责人审批。"), field="by"
        )
    if extension.decision != RequestExtension.Decision.PENDING:
        raise ApplicationError(
            _("该延期申请已于 %(on)s %(decision)s，不能再次审批。")
            % {"on": extension.decided_on, "decision": extension.get_decision_display()},
            field="extension",
            code="decided",
        )
    note = note.strip()
    if not approve and not note:
        raise ApplicationError(_("不批准延期须填写审批意见。"), field="note")
    _ensure_status(request, RUNNING, doing=_("审批延期"))
    on = step_date(request, on)
    extension.decided_on, extension.decided_by, extension.decision_note = on, by, note
    if approve:
        extension.decision = RequestExtension.Decision.APPROVED
        extension.save(update_fields=["decision", "decided_on", "decided_by", "decision_note"])
        request.extension_days += extension.days
        due = _update_deadline(request)
        record_save(
            instance=request,
            by=by,
            reason=_("批准延期 %(days)s 个工作日") % {"days": extension.days},
        )
        text = _("批准延期 %(days)s 个工作日，办结期限延至%(due)s") % {
            "days": extension.days,
            "due": format_day(due.date),
        }
        _event(request, Kind.EXTENSION_APPROVED, on=on, by=by, note=_join(text, note))
    else:
        extension.decision = RequestExtension.Decision.REFUSED
        extension.save(update_fields=["decision", "decided_on", "decided_by", "decision_note"])
        _event(request, Kind.EXTENSION_REFUSED, on=on, by=by, note=note)
    return extension


def _close_pending_extensions(
    request: EnterpriseRequest, *, on: date, by: User | None, why: str
) -> None:
    """A pending ask lapses when the clock stops (answered or returned): nothing left to extend,
    and a reopened round starts without it."""
    for extension in request.extensions.filter(decision=RequestExtension.Decision.PENDING):
        extension.decision = RequestExtension.Decision.REFUSED
        extension.decided_on, extension.decision_note = on, why
        extension.save(update_fields=["decision", "decided_on", "decision_note"])
        _event(request, Kind.EXTENSION_REFUSED, on=on, by=by, note=why)


# --- waiting for the enterprise's materials -------------------------------------------------------


def _end_suspension(request: EnterpriseRequest, *, on: date) -> int | None:
    """Run the clock again on `on`: the working days it stood (after `suspended_since`, up to
    and including `on`) are added to `suspended_days` and the deadline moves by them. Returns
    those days, None when the clock was not suspended."""
    since = request.suspended_since
    if since is None:
        return None
    days = working_days_between(since, on).days
    request.suspended_days += days
    request.suspended_since = None
    _update_deadline(request)
    return days


def _resumed_note(request: EnterpriseRequest, days: int) -> str:
    assert request.due_on is not None  # running
    return _("暂停计时 %(days)s 个工作日，办结期限顺延至%(due)s") % {
        "days": days,
        "due": format_day(request.due_on),
    }


def _end_suspension_with_event(
    request: EnterpriseRequest, *, on: date, by: User | None, why: str
) -> None:
    """Answering or returning a suspended request ends the suspension first, recorded as its
    own step so that the events tell the days the clock stood."""
    days = _end_suspension(request, on=on)
    if days is not None:
        _event(request, Kind.RESUMED, on=on, by=by, note=_join(why, _resumed_note(request, days)))


@transaction.atomic
def request_suspend(
    *,
    request: EnterpriseRequest,
    reason: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Stop the clock while the enterprise supplies materials (暂停计时，请企业补充材料).

    The reason tells the enterprise what to supply, so its event is shown to the enterprise.
    Only a running clock that is not already stopped, and only by the deadline: a request
    overdue cannot stop its clock (as it cannot be extended)."""
    _staff_only(by, doing=_("暂停计时"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, RUNNING, doing=_("暂停计时"))
    if request.suspended_since is not None:
        raise ApplicationError(
            _("诉求已于%(since)s暂停计时，正在等待企业补充材料。")
            % {"since": format_day(request.suspended_since)},
            field="status",
            code="suspended",
        )
    reason = required_text(
        reason, field="reason", message=_("请写明需要企业补充的材料，企业将看到这一说明。")
    )
    on = step_date(request, on)
    if request.due_on is not None and on > request.due_on:
        raise ApplicationError(
            _("办结期限%(due)s已过，不能再暂停计时；请尽快答复企业。")
            % {"due": format_day(request.due_on)},
            field="on",
            code="overdue",
        )
    request.suspended_since = on
    record_save(instance=request, by=by, reason=_("暂停计时（请企业补充材料）"))
    _event(request, Kind.SUSPENDED, on=on, by=by, note=reason)
    return request


@transaction.atomic
def request_resume(
    *,
    request: EnterpriseRequest,
    by: User,
    note: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Run the clock again (恢复计时): the working days it stood are added to the deadline.

    The enterprise user of the request's enterprise supplies the materials (提交补充材料) on the
    day, saying what it supplies (`note`, shown to the department); staff record materials
    received otherwise (by mail, at the desk), with an optional note."""
    own = is_enterprise_user(by)
    if own and by.enterprise_id != request.enterprise_id:
        raise PermissionDeniedError(_("企业用户只能为本企业的诉求补充材料。"), field="request")
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, RUNNING, doing=_("恢复计时"))
    if request.suspended_since is None:
        raise ApplicationError(
            _("诉求未暂停计时，无需恢复。"), field="status", code="not_suspended"
        )
    note = (note or "").strip()
    if own:
        note = required_text(note, field="note", message=_("请填写补充的材料或说明。"))
        if on is not None and on != _today():
            raise ApplicationError(_("企业补充材料以提交当天为准，不能选择其他日期。"), field="on")
    on = step_date(request, on)
    days = _end_suspension(request, on=on)
    assert days is not None  # suspended, checked above
    record_save(
        instance=request,
        by=by,
        reason=_("恢复计时（暂停%(days)s个工作日）") % {"days": days},
    )
    _event(request, Kind.RESUMED, on=on, by=by, note=_join(note, _resumed_note(request, days)))
    return request


# --- answer, rating, return ---------------------------------------------------------------------


@transaction.atomic
def request_answer(
    *,
    request: EnterpriseRequest,
    answer: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Answer the enterprise (答复); the clock stops and the request waits for its rating."""
    _staff_only(by, doing=_("答复诉求"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, RUNNING, doing=_("答复"))
    answer = required_text(answer, field="answer", message=_("请填写答复内容。"))
    on = step_date(request, on)
    _end_suspension_with_event(request, on=on, by=by, why=_("答复企业，结束暂停计时。"))
    request.status = Status.ANSWERED
    request.answered_on, request.answer = on, answer
    record_save(instance=request, by=by, reason=_("答复"))
    _close_pending_extensions(request, on=on, by=by, why=_("诉求已答复，延期申请不再审批。"))
    _event(request, Kind.ANSWERED, on=on, by=by, note=answer)
    return request


@transaction.atomic
def request_rate(
    *,
    request: EnterpriseRequest,
    score: int,
    by: User,
    comment: str = "",
    on: date | None = None,
    expected_version: int | None = None,
    backdate_reason: str = "",
) -> EnterpriseRequest:
    """The enterprise rates the answer (评价, 1–5). Satisfied (SATISFIED_SCORE or more): the
    request is done. Below it (不满意, a comment required): the rating is recorded and the
    request reopens — in progress again with the kind's limit counted afresh from `on`.

    An enterprise user rates only its own enterprise's requests, on the day it rates — an
    earlier day only when recorded afterwards (补登, demo data) with `backdate_reason`: a
    reopening dated back would start the department's new round already overdue. Staff record
    a rating taken on a return visit (回访) on the day of the visit."""
    if is_enterprise_user(by):
        if by.enterprise_id != request.enterprise_id:
            raise PermissionDeniedError(_("企业用户只能评价本企业的诉求。"), field="request")
        if on is not None and on != _today() and not backdate_reason.strip():
            raise ApplicationError(
                _("企业评价以评价当天为评价日期；补登 %(on)s 的评价须填写补登原因。") % {"on": on},
                field="on",
            )
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, (Status.ANSWERED,), doing=_("评价"))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ApplicationError(_("评分应为 1 至 5 分。"), field="score")
    comment = (comment or "").strip()
    satisfied = score >= SATISFIED_SCORE
    if not satisfied and not comment:
        raise ApplicationError(
            _("评分低于 %(score)s 分视为不满意，请在评价意见中说明尚未解决的问题。")
            % {"score": SATISFIED_SCORE},
            field="comment",
        )
    on = step_date(request, on)
    backdated = ""
    if backdate_reason.strip() and on < _today():
        backdated = _("（补登：%(reason)s）") % {"reason": backdate_reason.strip()}
    _event(request, Kind.RATED, on=on, by=by, note=comment, score=score)
    if satisfied:
        request.status = Status.RATED
        request.rating, request.rating_comment, request.rated_on = score, comment, on
        reason = _("评价：%(score)s分") % {"score": score}
        record_save(instance=request, by=by, reason=reason + backdated)
        return request
    limit = request_limit_days(kind=request.kind)
    request.status = Status.IN_PROGRESS
    request.reopen_count += 1
    # The answer and the rating of the round just ended stay in the events and the history.
    request.answered_on, request.answer = None, ""
    request.rating, request.rating_comment, request.rated_on = None, "", None
    due = _set_clock(request, clock_from=on, limit_days=limit)
    record_save(
        instance=request,
        by=by,
        reason=_("评价%(score)s分，不满意，重新办理") % {"score": score} + backdated,
    )
    _event(
        request,
        Kind.REOPENED,
        on=on,
        by=by,
        note=_join(comment, _("重新计时：") + deadline_note(limit, due)),
    )
    return request


@transaction.atomic
def request_return(
    *,
    request: EnterpriseRequest,
    reason: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterpriseRequest:
    """Return a request that the committee will not handle (退回), with the reason."""
    _staff_only(by, doing=_("退回诉求"))
    request = _locked(request, expected_version=expected_version)
    _ensure_status(request, OPEN, doing=_("退回"))
    reason = required_text(reason, field="reason", message=_("退回须填写理由。"))
    on = step_date(request, on)
    _end_suspension_with_event(request, on=on, by=by, why=_("退回诉求，结束暂停计时。"))
    request.status = Status.RETURNED
    request.returned_on, request.return_reason = on, reason
    record_save(instance=request, by=by, reason=_("退回"))
    _close_pending_extensions(request, on=on, by=by, why=_("诉求已退回，延期申请不再审批。"))
    _event(request, Kind.RETURNED, on=on, by=by, note=reason)
    return request


@transaction.atomic
def requests_recompute_deadlines(
    *, years: Iterable[int] | None = None, by: User | None = None
) -> int:
    """Work out again the stored deadlines of running requests after the calendar changed.

    `years` are the calendar years that changed: a request whose clock runs through one of them
    (from its clock start to its deadline), or whose deadline is still provisional, is worked
    out again; without `years`, the provisional ones only. Returns how many deadlines moved.
    """
    return deadlines_recompute(
        EnterpriseRequest.objects.filter(status__in=RUNNING),
        years=years,
        by=by,
        deadline=lambda request: request_deadline(request=request),
    )
