"""Writes of one-enterprise-one-policy plans (一企一策): a plan for one enterprise with its lead,
the measures it takes (each with a responsible department and a due date), each measure's
completion with what was done, and the plan's completion once no measure is left open.

A completed measure or plan is the record of what was done: it is no longer edited.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, StaleEditError
from zoneops.common.periods import format_day
from zoneops.common.scope import can_write
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_apply,
    record_delete,
    record_save,
    required_text,
)
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.enterprises.models import Enterprise, EnterprisePlan, PlanMeasure
from zoneops.orgs.models import Department, User

PLAN_FIELDS = frozenset(
    {"title", "background", "goal", "starts_on", "ends_on", "owner", "department"}
)
MEASURE_FIELDS = frozenset({"content", "department", "owner", "due_on"})


def _today() -> date:
    return timezone.localdate()


def _check_department(department: Department | None, *, field: str = "department") -> None:
    if department is None:
        raise ApplicationError(_("请选择责任部门。"), field=field)
    if not department.is_active:
        raise ApplicationError(
            _("“%(department)s”已停用，不能承担。") % {"department": department}, field=field
        )


def _check_person(person: User | None, *, field: str, required: bool) -> None:
    if person is None:
        if required:
            raise ApplicationError(_("请选择牵头领导。"), field=field)
        return
    if not person.is_active or getattr(person, "enterprise_id", None):
        raise ApplicationError(_("应为在职的管委会工作人员。"), field=field)


def plan_check(
    *,
    title: str,
    owner: User | None,
    department: Department | None,
    starts_on: date | None,
    ends_on: date | None = None,
) -> None:
    """Check a plan's own fields before it is created or changed; writes nothing."""
    required_text(title, field="title", message=_("请填写方案名称。"))
    _check_person(owner, field="owner", required=True)
    _check_department(department)
    if starts_on is None:
        raise ApplicationError(_("请填写开始日期。"), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(
            _("计划完成日期（%(ends)s）不能早于开始日期（%(starts)s）。")
            % {"ends": format_day(ends_on), "starts": format_day(starts_on)},
            field="ends_on",
        )


def measure_check(
    *, plan: EnterprisePlan, content: str, department: Department | None, due_on: date | None
) -> None:
    """Check a measure before it is added or changed; writes nothing."""
    required_text(content, field="content", message=_("请填写帮扶措施。"))
    _check_department(department)
    if due_on is None:
        raise ApplicationError(_("请填写完成时限。"), field="due_on")
    if due_on < plan.starts_on:
        raise ApplicationError(
            _("完成时限（%(due)s）不能早于方案开始日期（%(starts)s）。")
            % {"due": format_day(due_on), "starts": format_day(plan.starts_on)},
            field="due_on",
        )


@transaction.atomic
def plan_create(
    *,
    enterprise: Enterprise,
    title: str,
    owner: User,
    department: Department,
    starts_on: date,
    by: User | None,
    background: str = "",
    goal: str = "",
    ends_on: date | None = None,
) -> EnterprisePlan:
    """Draw up a plan for an enterprise (一企一策) with its lead leader and department."""
    plan_check(
        title=title, owner=owner, department=department, starts_on=starts_on, ends_on=ends_on
    )
    plan = EnterprisePlan(
        enterprise=enterprise,
        title=title.strip(),
        background=(background or "").strip(),
        goal=(goal or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner,
        department=department,
    )
    return record_save(instance=plan, by=by, reason=_("制定方案"))


@transaction.atomic
def plan_update(
    *, plan: EnterprisePlan, by: User | None, expected_version: int | None = None, **changes: Any
) -> EnterprisePlan:
    """Change an active plan's title, texts, dates or lead."""
    unknown = sorted(set(changes) - PLAN_FIELDS)
    if unknown:
        raise ApplicationError(
            _("方案没有可修改的字段“%(field)s”。") % {"field": unknown[0]}, field=unknown[0]
        )
    locked = _locked_plan(plan, expected_version=expected_version)
    _ensure_active(locked, doing=_("修改"))
    record_apply(instance=locked, changes=changes)
    locked.title = (locked.title or "").strip()
    plan_check(
        title=locked.title,
        owner=locked.owner,
        department=locked.department,
        starts_on=locked.starts_on,
        ends_on=locked.ends_on,
    )
    if "starts_on" in changes:
        earliest = locked.measures.order_by("due_on").values_list("due_on", flat=True).first()
        if earliest is not None and earliest < locked.starts_on:
            raise ApplicationError(
                _("已有措施的完成时限（%(due)s）早于新的开始日期。")
                % {"due": format_day(earliest)},
                field="starts_on",
            )
    return record_save(instance=locked, by=by, reason=_("修改方案"))


@transaction.atomic
def measure_add(
    *,
    plan: EnterprisePlan,
    content: str,
    department: Department,
    due_on: date,
    by: User | None,
    owner: User | None = None,
) -> PlanMeasure:
    """Add a measure to an active plan, with its responsible department and due date; a new
    measure changes the plan, so it is added by those who may change the plan."""
    actor = acting_user(by)
    if actor is not None and not (
        actor.has_perm("enterprises.change_enterpriseplan") and can_write(actor, plan)
    ):
        raise PermissionDeniedError(
            _("只有能修改方案“%(plan)s”的人员可以为其增加措施。") % {"plan": plan.title},
            field="plan",
        )
    plan = _locked_plan(plan, expected_version=None)
    _ensure_active(plan, doing=_("增加措施"))
    measure_check(plan=plan, content=content, department=department, due_on=due_on)
    _check_person(owner, field="owner", required=False)
    measure = PlanMeasure(
        plan=plan, content=content.strip(), department=department, owner=owner, due_on=due_on
    )
    return record_save(instance=measure, by=by, reason=_("增加措施"))


@transaction.atomic
def measure_update(
    *, measure: PlanMeasure, by: User | None, expected_version: int | None = None, **changes: Any
) -> PlanMeasure:
    """Change an open measure's content, responsibility or due date."""
    unknown = sorted(set(changes) - MEASURE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("措施没有可修改的字段“%(field)s”。") % {"field": unknown[0]}, field=unknown[0]
        )
    locked = _locked_measure(measure, expected_version=expected_version)
    _ensure_measure_open(locked, doing=_("修改"))
    record_apply(instance=locked, changes=changes)
    locked.content = (locked.content or "").strip()
    measure_check(
        plan=locked.plan,
        content=locked.content,
        department=locked.department,
        due_on=locked.due_on,
    )
    _check_person(locked.owner, field="owner", required=False)
    return record_save(instance=locked, by=by, reason=_("修改措施"))


@transaction.atomic
def measure_delete(
    *, measure: PlanMeasure, by: User | None, expected_version: int | None = None
) -> None:
    """Remove an open measure (entered by mistake); a completed one stays as the record."""
    locked = _locked_measure(measure, expected_version=expected_version)
    _ensure_measure_open(locked, doing=_("删除"))
    record_delete(instance=locked, by=by)


@transaction.atomic
def measure_complete(
    *,
    measure: PlanMeasure,
    result: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> PlanMeasure:
    """Record that a measure was carried out, with what was done (落实情况)."""
    locked = _locked_measure(measure, expected_version=expected_version)
    _ensure_measure_open(locked, doing=_("再次完成"))
    result = required_text(result, field="result", message=_("请填写落实情况。"))
    on = on or _today()
    check_happened(on, field="on")
    if on < locked.plan.starts_on:
        raise ApplicationError(
            _("完成日期（%(on)s）不能早于方案开始日期（%(starts)s）。")
            % {"on": format_day(on), "starts": format_day(locked.plan.starts_on)},
            field="on",
        )
    locked.status = MeasureStatus.DONE
    locked.done_on, locked.result = on, result
    return record_save(instance=locked, by=by, reason=_("措施完成"))


@transaction.atomic
def plan_complete(
    *,
    plan: EnterprisePlan,
    summary: str,
    by: User | None,
    on: date | None = None,
    expected_version: int | None = None,
) -> EnterprisePlan:
    """Close a plan with its results (实施成效); refused while any measure is open."""
    locked = _locked_plan(plan, expected_version=expected_version)
    _ensure_active(locked, doing=_("再次完成"))
    summary = required_text(summary, field="summary", message=_("请填写实施成效。"))
    measures = locked.measures.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=MeasureStatus.OPEN)),
        last_done=Max("done_on"),
    )
    if not measures["total"]:
        raise ApplicationError(
            _("方案尚无帮扶措施，不能完成；请先增加措施。"), field="measures", code="empty"
        )
    if measures["open"]:
        raise ApplicationError(
            _("方案还有%(n)d项措施未完成，请先逐项完成。") % {"n": measures["open"]},
            field="measures",
            code="open_measures",
        )
    on = on or _today()
    check_happened(on, field="on")
    earliest = max(filter(None, (locked.starts_on, measures["last_done"])))
    if on < earliest:
        raise ApplicationError(
            _("完成日期（%(on)s）不能早于%(day)s（方案开始或最后一项措施完成）。")
            % {"on": format_day(on), "day": format_day(earliest)},
            field="on",
        )
    locked.status = PlanStatus.COMPLETED
    locked.completed_on, locked.summary = on, summary
    return record_save(instance=locked, by=by, reason=_("方案完成"))


# --- helpers ------------------------------------------------------------------------------------


def _locked_plan(plan: EnterprisePlan, *, expected_version: int | None) -> EnterprisePlan:
    locked = (
        EnterprisePlan.objects.select_for_update(of=("self",))
        .select_related("enterprise", "owner", "department")
        .get(pk=plan.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(label=str(locked), current_version=locked.version)
    return locked


def _locked_measure(measure: PlanMeasure, *, expected_version: int | None) -> PlanMeasure:
    locked = (
        PlanMeasure.objects.select_for_update(of=("self",))
        .select_related("plan", "department", "owner")
        .get(pk=measure.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(label=str(locked), current_version=locked.version)
    _ensure_active(locked.plan, doing=_("变更措施"))
    return locked


def _ensure_active(plan: EnterprisePlan, *, doing: str) -> None:
    if plan.status == PlanStatus.COMPLETED:
        raise ApplicationError(
            _("方案“%(plan)s”已于%(on)s完成，不能%(doing)s。")
            % {
                "plan": plan.title,
                "on": format_day(plan.completed_on) if plan.completed_on else "",
                "doing": doing,
            },
            field="status",
            code="completed",
        )


def _ensure_measure_open(measure: PlanMeasure, *, doing: str) -> None:
    if measure.status == MeasureStatus.DONE:
        raise ApplicationError(
            _("措施已于%(on)s完成，不能%(doing)s。")
            % {
                "on": format_day(measure.done_on) if measure.done_on else "",
                "doing": doing,
            },
            field="status",
            code="done",
        )
