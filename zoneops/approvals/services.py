"""Writes of government services: the catalogue's items and every step of a case (办件), each
step with its event in the same transaction (STYLE 1-2, on the casework kernel).

The clock. A case's clock starts on acceptance (受理, counting from the next working day) with
its item's promised limit (承诺时限); there is no extension. 补正 (the applicant supplies
materials) and the other statutory suspensions (专家评审, 听证, 公示, 检验检测) stop it from
`suspended_since`; when it runs again the working days it stood are added to `suspended_days`
and the deadline moves by them. 补正 is asked once only, and only within
ZONEOPS_CASE_MATERIALS_NOTICE_DAYS working days of receipt (行政许可法 第32条: 一次性告知).
A case is decided (准予 / 不予许可) while its clock runs, and concluded (办结) after that: the
conclusion is what counts as done on time or late.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.approvals.enums import CaseStatus, Decision, ItemKind, SuspensionKind
from zoneops.approvals.models import (
    RUNNING_STATUSES,
    Case,
    CaseEvent,
    ServiceItem,
)
from zoneops.approvals.validators import (
    id_number_error,
    normalise_id_number,
    phone_error,
)
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
from zoneops.common.inputs import DateKind, date_error, text_error
from zoneops.common.periods import format_day
from zoneops.common.services import (
    check_happened,
    record_save,
    required_text,
)
from zoneops.common.workcalendar import add_working_days, working_days_between
from zoneops.orgs.models import User

Status = CaseStatus
Kind = CaseEvent.Kind


def materials_notice_days() -> int:
    """The working days after receipt within which 补正 may be asked (the setting)."""
    return int(getattr(settings, "ZONEOPS_CASE_MATERIALS_NOTICE_DAYS", 5))


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _staff_only(by: Any, *, doing: str) -> None:
    if getattr(by, "enterprise_id", None) is not None:
        raise PermissionDeniedError(
            _("企业用户不能%(doing)s，该步骤由审批工作人员办理。") % {"doing": doing},
            field="case",
        )


def _choice(value: Any, choices: Any, *, field: str, label: str) -> str:
    if value not in choices.values:
        raise ApplicationError(
            _("“%(label)s”的值“%(value)s”无效，请从列表中选择。")
            % {"label": label, "value": str(value)[:50]},
            field=field,
        )
    return str(value)


def _text(value: str, *, field: str, multiline: bool = False) -> str:
    value = (value or "").strip()
    problem = text_error(value, multiline=multiline)
    if problem:
        raise ApplicationError(problem, field=field)
    return value


# --- the catalogue ----------------------------------------------------------------------------


ITEM_FIELDS = (
    "code",
    "name",
    "department",
    "kind",
    "statutory_days",
    "promised_days",
    "one_visit",
    "online",
    "in_centre",
    "taken_over",
    "taken_over_on",
    "taken_over_document",
    "materials",
    "fee",
    "listed_on",
    "withdrawn_on",
)


def service_item_check(values: dict[str, Any]) -> None:
    """The rules of an item across its fields, for a form, an import row or the API."""
    _choice(values.get("kind"), ItemKind, field="kind", label=_("事项类型"))
    statutory = step_check_limit(values.get("statutory_days"), field="statutory_days")
    promised = step_check_limit(values.get("promised_days"), field="promised_days")
    if promised > statutory:
        raise ApplicationError(
            _("承诺时限（%(promised)s个工作日）不能超过法定时限（%(statutory)s个工作日）。")
            % {"promised": promised, "statutory": statutory},
            field="promised_days",
        )
    department = values.get("department")
    if department is None:
        raise ApplicationError(_("请选择实施部门。"), field="department")
    listed_on = values.get("listed_on")
    if listed_on is None:
        raise ApplicationError(_("请填写纳入目录日期。"), field="listed_on")
    for name in ("listed_on", "withdrawn_on", "taken_over_on"):
        day = values.get(name)
        if day is not None and (problem := date_error(day, DateKind.RECORD)):
            raise ApplicationError(problem, field=name)
    withdrawn_on = values.get("withdrawn_on")
    if withdrawn_on is not None and withdrawn_on < listed_on:
        raise ApplicationError(_("取消日期不能早于纳入目录日期。"), field="withdrawn_on")
    if values.get("taken_over"):
        if values.get("taken_over_on") is None:
            raise ApplicationError(_("承接市级下放的事项须填写承接日期。"), field="taken_over_on")
        if not (values.get("taken_over_document") or "").strip():
            raise ApplicationError(
                _("承接市级下放的事项须填写承接文件文号。"), field="taken_over_document"
            )
    elif values.get("taken_over_on") or (values.get("taken_over_document") or "").strip():
        raise ApplicationError(
            _("未勾选“承接市级下放”，不应填写承接日期或文号。"), field="taken_over"
        )


@transaction.atomic
def service_item_save(
    *,
    by: User | None,
    item: ServiceItem | None = None,
    values: dict[str, Any],
    expected_version: int | None = None,
    reason: str = "",
) -> ServiceItem:
    """Add an item to the catalogue or change one (`values` by field name; an existing item
    keeps the fields not given)."""
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(_("未知字段：%(names)s") % {"names": "、".join(sorted(unknown))})
    item = item or ServiceItem()
    merged: dict[str, Any] = {
        name: getattr(item, name, None) for name in ITEM_FIELDS if name != "department"
    }
    merged["department"] = item.department if item.department_id else None
    merged.update(values)
    for name in ("code", "name", "taken_over_document", "fee"):
        merged[name] = _text(merged.get(name) or "", field=name)
    merged["materials"] = _text(merged.get("materials") or "", field="materials", multiline=True)
    merged["code"] = required_text(merged["code"], field="code", message=_("请填写事项编码。"))
    merged["name"] = required_text(merged["name"], field="name", message=_("请填写事项名称。"))
    service_item_check(merged)
    clash = ServiceItem.objects.filter(code=merged["code"]).exclude(pk=item.pk).first()
    if clash is not None:
        raise ApplicationError(
            _("事项编码“%(code)s”已被“%(name)s”使用。") % {"code": clash.code, "name": clash.name},
            field="code",
        )
    for name, value in merged.items():
        setattr(item, name, value)
    adding = item.pk is None
    return record_save(
        instance=item,
        by=by,
        expected_version=expected_version,
        reason=reason or (_("新增事项") if adding else _("修改事项")),
    )


# --- receiving a case -----------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """Who applies: an enterprise of the register, or a person (name and an id number or a
    phone number)."""

    enterprise: Any = None
    name: str = ""
    id_number: str = ""
    phone: str = ""


def _checked_applicant(applicant: Applicant) -> Applicant:
    name = _text(applicant.name, field="applicant_name")
    id_number = normalise_id_number(applicant.id_number)
    phone = (applicant.phone or "").strip().replace(" ", "")
    if applicant.enterprise is not None:
        if name or id_number:
            raise ApplicationError(
                _("申请人为企业时不填写个人姓名和身份证号。"), field="applicant_name"
            )
    else:
        if not name:
            raise ApplicationError(
                _("请选择申请企业，或填写个人申请人的姓名。"), field="applicant_name"
            )
        if not id_number and not phone:
            raise ApplicationError(
                _("个人申请人须填写身份证号或联系电话。"), field="applicant_id_number"
            )
    if id_number and (problem := id_number_error(id_number)):
        raise ApplicationError(problem, field="applicant_id_number")
    if phone and (problem := phone_error(phone)):
        raise ApplicationError(problem, field="applicant_phone")
    return Applicant(applicant.enterprise, name, id_number, phone)


@transaction.atomic
def case_receive(
    *,
    item: ServiceItem,
    applicant: Applicant,
    by: User | None,
    project: Any = None,
    handler: User | None = None,
    received_on: date | None = None,
    note: str = "",
) -> Case:
    """Receive an application (收件) for an item of the catalogue; it waits for acceptance."""
    _staff_only(by, doing=_("收件"))
    applicant = _checked_applicant(applicant)
    received_on = received_on or timezone.localdate()
    check_happened(received_on, field="received_on")
    if item.listed_on > received_on or (
        item.withdrawn_on is not None and item.withdrawn_on <= received_on
    ):
        raise ApplicationError(
            _("事项“%(item)s”在%(on)s不在政务服务事项目录中，不能收件。")
            % {"item": item, "on": format_day(received_on)},
            field="item",
        )
    if (
        project is not None
        and applicant.enterprise is not None
        and project.investor_enterprise_id not in (None, applicant.enterprise.pk)
    ):
        raise ApplicationError(
            _("项目“%(project)s”不是“%(enterprise)s”投资的项目，不能关联。")
            % {"project": project, "enterprise": applicant.enterprise},
            field="project",
        )
    case = Case(
        item=item,
        department=item.department,
        enterprise=applicant.enterprise,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        project=project,
        handler=handler,
        received_on=received_on,
        status=Status.RECEIVED,
    )
    record_save(instance=case, by=by, reason=_("收件"))
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.RECEIVED,
        on=received_on,
        by=by,
        note=_text(note, field="note", multiline=True),
    )
    return case


# --- the steps --------------------------------------------------------------------------------


def _locked(case: Case, expected_version: int | None) -> Case:
    return step_lock(case, expected_version=expected_version, in_place=True)


def _ensure(case: Case, allowed: tuple[str, ...], *, doing: str) -> None:
    step_check_status(
        case, allowed, refusal=_("办件当前为“%(status)s”，不能%(doing)s。"), doing=doing
    )


def _not_suspended(case: Case, *, doing: str) -> None:
    if case.suspended_since is not None:
        raise ApplicationError(
            _("办件自%(since)s暂停计时（%(kind)s），请先恢复计时再%(doing)s。")
            % {
                "since": format_day(case.suspended_since),
                "kind": case.get_suspension_kind_display(),
                "doing": doing,
            },
            field="status",
            code="suspended",
        )


@transaction.atomic
def case_accept(
    *,
    case: Case,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Accept the application (受理): the clock starts with the item's promised limit."""
    _staff_only(by, doing=_("受理"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.RECEIVED,), doing=_("受理"))
    on = step_date(case, on)
    limit = step_check_limit(case.item.promised_days)
    case.status, case.accepted_on = Status.ACCEPTED, on
    due = case.clock_restart(start=on, limit_days=limit)
    record_save(instance=case, by=by, reason=_("受理"))
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.ACCEPTED,
        on=on,
        by=by,
        note=_join(deadline_note(limit, due), _text(note, field="note", multiline=True)),
    )
    return case


@transaction.atomic
def case_refuse(
    *,
    case: Case,
    reason: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Refuse to accept the application (不予受理), with the reason the applicant is told."""
    _staff_only(by, doing=_("不予受理"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.RECEIVED,), doing=_("不予受理"))
    reason = required_text(
        _text(reason, field="reason", multiline=True),
        field="reason",
        message=_("不予受理须写明理由。"),
    )
    on = step_date(case, on)
    case.status, case.refused_on, case.refusal_reason = Status.REFUSED, on, reason
    record_save(instance=case, by=by, reason=_("不予受理"))
    step_event(CaseEvent, case=case, kind=Kind.REFUSED, on=on, by=by, note=reason)
    return case


@transaction.atomic
def case_review(
    *,
    case: Case,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Start the review (审查) of an accepted case."""
    _staff_only(by, doing=_("审查"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.ACCEPTED,), doing=_("开始审查"))
    on = step_date(case, on)
    case.status = Status.REVIEWING
    record_save(instance=case, by=by, reason=_("审查"))
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.REVIEWING,
        on=on,
        by=by,
        note=_text(note, field="note", multiline=True),
    )
    return case


def case_materials_deadline(*, case: Case) -> date:
    """The last day 补正 may be asked: the N-th working day after receipt."""
    return add_working_days(case.received_on, materials_notice_days()).date


@transaction.atomic
def case_suspend(
    *,
    case: Case,
    kind: SuspensionKind | str,
    reason: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Stop the clock (暂停计时) for 补正 or another statutory suspension, with what is asked
    or why. 补正 at most once per case, within the days after receipt the law gives."""
    _staff_only(by, doing=_("暂停计时"))
    kind = _choice(kind, SuspensionKind, field="kind", label=_("暂停计时事由"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.ACCEPTED, Status.REVIEWING), doing=_("暂停计时"))
    _not_suspended(case, doing=_("再次暂停"))
    reason = required_text(
        _text(reason, field="reason", multiline=True),
        field="reason",
        message=_("请写明暂停计时的事由；补正时一次性写明需补正的全部材料。"),
    )
    on = step_date(case, on)
    if case.due_on is not None and on > case.due_on:
        raise ApplicationError(
            _("承诺期限%(due)s已过，不能再暂停计时。") % {"due": format_day(case.due_on)},
            field="on",
            code="overdue",
        )
    if kind == SuspensionKind.MATERIALS:
        if case.materials_asked_on is not None:
            raise ApplicationError(
                _("该办件已于%(on)s一次性告知补正，补正只能要求一次。")
                % {"on": format_day(case.materials_asked_on)},
                field="kind",
                code="materials_once",
            )
        last = case_materials_deadline(case=case)
        if on > last:
            raise ApplicationError(
                _("补正须在收件后%(days)s个工作日内（%(last)s前）一次性告知，已超过期限。")
                % {"days": materials_notice_days(), "last": format_day(last)},
                field="on",
                code="materials_late",
            )
        case.materials_asked_on = on
    case.suspended_since, case.suspension_kind = on, kind
    record_save(instance=case, by=by, reason=_("暂停计时"))
    label = SuspensionKind(kind).label
    step_event(CaseEvent, case=case, kind=Kind.SUSPENDED, on=on, by=by, note=f"{label}：{reason}")
    return case


@transaction.atomic
def case_resume(
    *,
    case: Case,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Run the clock again (恢复计时: the materials supplied, the review or hearing over); the
    working days it stood move the deadline."""
    _staff_only(by, doing=_("恢复计时"))
    case = _locked(case, expected_version)
    _ensure(case, RUNNING_STATUSES, doing=_("恢复计时"))
    if case.suspended_since is None:
        raise ApplicationError(_("办件未暂停计时，无需恢复。"), field="status", code="running")
    on = step_date(case, on)
    days = working_days_between(case.suspended_since, on).days
    case.suspended_days += days
    case.suspended_since, case.suspension_kind = None, ""
    due = case.deadline_update()
    record_save(instance=case, by=by, reason=_("恢复计时"))
    text = _("暂停计时 %(days)s 个工作日，承诺期限顺延至%(due)s") % {
        "days": days,
        "due": format_day(due.date),
    }
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.RESUMED,
        on=on,
        by=by,
        note=_join(_text(note, field="note", multiline=True), text),
    )
    return case


@transaction.atomic
def case_decide(
    *,
    case: Case,
    decision: Decision | str,
    by: User | None,
    reason: str = "",
    on: date | None = None,
    expected_version: int | None = None,
) -> Case:
    """Decide (决定): 准予许可, or 不予许可 with the reason the applicant is told."""
    _staff_only(by, doing=_("作出决定"))
    decision = _choice(decision, Decision, field="decision", label=_("决定"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.ACCEPTED, Status.REVIEWING), doing=_("作出决定"))
    _not_suspended(case, doing=_("作出决定"))
    reason = _text(reason, field="reason", multiline=True)
    if decision == Decision.DENIED and not reason:
        raise ApplicationError(_("不予许可须写明理由。"), field="reason")
    on = step_date(case, on)
    case.status, case.decision, case.decision_reason, case.decided_on = (
        Status.DECIDED,
        decision,
        reason,
        on,
    )
    record_save(instance=case, by=by, reason=_("决定"))
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.DECIDED,
        on=on,
        by=by,
        note=_join(str(Decision(decision).label), reason),
    )
    return case


@transaction.atomic
def case_conclude(
    *,
    case: Case,
    by: User | None,
    on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Conclude the case (办结: the decision served, the licence issued); the clock stops."""
    _staff_only(by, doing=_("办结"))
    case = _locked(case, expected_version)
    _ensure(case, (Status.DECIDED,), doing=_("办结"))
    on = step_date(case, on)
    case.status, case.concluded_on = Status.CONCLUDED, on
    record_save(instance=case, by=by, reason=_("办结"))
    assert case.due_on is not None  # accepted
    late = on > case.due_on
    text = _("超过承诺期限%(due)s办结") if late else _("在承诺期限%(due)s内办结")
    step_event(
        CaseEvent,
        case=case,
        kind=Kind.CONCLUDED,
        on=on,
        by=by,
        note=_join(
            text % {"due": format_day(case.due_on)}, _text(note, field="note", multiline=True)
        ),
    )
    return case


@transaction.atomic
def cases_recompute_deadlines(*, years: Iterable[int] | None = None, by: User | None = None) -> int:
    """Work out again the stored deadlines of running cases after the calendar changed (the
    years that changed, and every provisional deadline). Returns how many moved."""
    return deadlines_recompute(Case.objects.filter(status__in=RUNNING_STATUSES), years=years, by=by)
