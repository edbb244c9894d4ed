"""Writes of key-project scheduling (重点项目调度): milestone plans, annual investment plans,
monthly progress reports (月度调度) and command headquarters (项目指挥部).

A monthly report is started pre-filled from the month before and the year's plan, and its
cumulative figures (本年累计, 开工累计) are always computed from the chain of reports: when an
earlier month is corrected, the later months are recomputed in the same transaction.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import format_wan, model_bound
from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import delete_on_commit, image_check, original_name
from zoneops.common.inputs import year_error
from zoneops.common.periods import Period, format_day, month_start
from zoneops.common.services import (
    acting_user,
    record_apply,
    record_delete,
    record_save,
    records_bulk_update,
)
from zoneops.orgs.models import User
from zoneops.projects.models import (
    AnnualPlan,
    CommandHQ,
    Milestone,
    ProgressPhoto,
    ProgressReport,
    Project,
)

ZERO = Decimal(0)


def _today() -> date:
    return timezone.localdate()


def format_month(month: date) -> str:
    """2019-10-01 → "2019年10月"."""
    return Period.of_month(month).label


# The balances a project's first report starts from are bounded like the cumulative figures
# they become (the API, the back office and the importer read these too).
OPENING_YEAR_BOUND = model_bound(ProgressReport, "invested_year").renamed(
    gettext_lazy("期初本年累计（万元）")
)
OPENING_TOTAL_BOUND = model_bound(ProgressReport, "invested_total").renamed(
    gettext_lazy("期初开工累计（万元）")
)


# --- Milestones (项目节点) ------------------------------------------------------------------------

MILESTONE_FIELDS = frozenset(
    {
        "name",
        "planned_on",
        "actual_on",
        "responsible_department",
        "responsible_department_id",
        "responsible_person",
        "order",
        "note",
    }
)


def milestone_check(*, name: str, planned_on: date | None) -> None:
    """The rules of a milestone's fields; forms call this too, to show the error on the field.
    A completion is not in the future: the record's own date rule (`Milestone.date_kinds`)."""
    if not (name or "").strip():
        raise ApplicationError(_("请填写节点名称。"), field="name")
    if planned_on is None:
        raise ApplicationError(_("请填写计划完成日期。"), field="planned_on")


@transaction.atomic
def milestone_create(
    *,
    project: Project,
    name: str,
    planned_on: date,
    by: User | None,
    actual_on: date | None = None,
    responsible_department: Any = None,
    responsible_person: str = "",
    order: int | None = None,
    note: str = "",
) -> Milestone:
    """Add a node to a project's milestone plan; without an order it goes last."""
    milestone_check(name=name, planned_on=planned_on)
    if order is None:
        last = Milestone.objects.filter(project=project).aggregate(last=Max("order"))["last"]
        order = (last or 0) + 1
    milestone = Milestone(
        project=project,
        name=name.strip(),
        planned_on=planned_on,
        actual_on=actual_on,
        responsible_department=responsible_department,
        responsible_person=responsible_person.strip(),
        order=order,
        note=note,
    )
    return record_save(instance=milestone, by=by, reason=_("新增节点"))


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, by: User | None, expected_version: int | None = None, **changes: Any
) -> Milestone:
    """Change a node's name, dates, responsibility, order or note."""
    unknown = sorted(set(changes) - MILESTONE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("节点没有可修改的字段“%(field)s”。") % {"field": unknown[0]}, field=unknown[0]
        )
    record_apply(instance=milestone, changes=changes)
    milestone.name = (milestone.name or "").strip()
    milestone_check(name=milestone.name, planned_on=milestone.planned_on)
    return record_save(
        instance=milestone, by=by, expected_version=expected_version, reason=_("修改节点")
    )


@transaction.atomic
def milestone_complete(
    *,
    milestone: Milestone,
    actual_on: date,
    by: User | None,
    expected_version: int | None = None,
) -> Milestone:
    """Record that a node was reached on `actual_on` (today or earlier)."""
    if milestone.actual_on is not None:
        raise ApplicationError(
            _("节点“%(name)s”已于%(on)s完成；如需更正请修改实际完成日期。")
            % {"name": milestone.name, "on": format_day(milestone.actual_on)},
            field="actual_on",
            code="done",
        )
    milestone_check(name=milestone.name, planned_on=milestone.planned_on)
    milestone.actual_on = actual_on
    return record_save(
        instance=milestone,
        by=by,
        expected_version=expected_version,
        reason=_("节点完成：%(on)s") % {"on": format_day(actual_on)},
    )


def milestone_delete(
    *, milestone: Milestone, by: User | None, expected_version: int | None = None
) -> None:
    record_delete(instance=milestone, by=by, expected_version=expected_version)


# --- Annual investment plans (年度投资计划) -----------------------------------------------------


def annual_plan_check(*, year: int | None, planned_investment: Any) -> Decimal:
    problem = _("请填写年度。") if year is None else year_error(year)
    if problem:
        raise ApplicationError(problem, field="year")
    return model_bound(AnnualPlan, "planned_investment").clean(
        planned_investment, field="planned_investment"
    )


def annual_plan_exists_message(*, project: Project, year: int) -> str:
    return _("“%(project)s”%(year)d年的年度投资计划已存在。") % {
        "project": project,
        "year": year,
    }


def annual_plan_check_new(*, project: Project, year: int) -> None:
    """A new plan (as opposed to adjusting one): refused when the year has one already."""
    if AnnualPlan.objects.filter(project=project, year=year).exists():
        raise ApplicationError(
            annual_plan_exists_message(project=project, year=year), field="year", code="duplicate"
        )


@transaction.atomic
def annual_plan_set(
    *,
    project: Project,
    year: int,
    planned_investment: Decimal | int | str,
    by: User | None,
    note: str | None = None,
    expected_version: int | None = None,
) -> AnnualPlan:
    """Set a project's investment plan for a year (create it, or change the one there is).

    The year's draft reports follow the new plan; a submitted report keeps the plan it was
    submitted against.
    """
    amount = annual_plan_check(year=year, planned_investment=planned_investment)
    plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).first()
    if plan is None:
        plan = AnnualPlan(project=project, year=year, planned_investment=amount, note=note or "")
        try:
            with transaction.atomic():
                record_save(instance=plan, by=by, reason=_("下达年度投资计划"))
        except IntegrityError as error:
            raise ApplicationError(
                annual_plan_exists_message(project=project, year=year), field="year"
            ) from error
    else:
        previous = plan.planned_investment
        plan.planned_investment = amount
        if note is not None:
            plan.note = note
        record_save(
            instance=plan,
            by=by,
            expected_version=expected_version,
            reason=_("调整年度投资计划：%(old)s → %(new)s")
            % {"old": format_wan(previous), "new": format_wan(amount)},
        )
    drafts = list(
        ProgressReport.objects.filter(
            project=project,
            month__year=year,
            status=ProgressReport.Status.DRAFT,
        ).exclude(year_plan=amount)
    )
    for report in drafts:
        report.year_plan = amount
        setattr(report, "_change_reason", _("随年度投资计划调整"))  # noqa: B010  history reason
    if drafts:
        records_bulk_update(model=ProgressReport, instances=drafts, fields=["year_plan"], by=by)
    return plan


def annual_plan_delete(
    *, plan: AnnualPlan, by: User | None, expected_version: int | None = None
) -> None:
    """Remove a plan entered by mistake; the reports keep the plan they were made against."""
    record_delete(instance=plan, by=by, expected_version=expected_version)


# --- Monthly progress reports (月度调度) --------------------------------------------------------


def _previous_report(project_id: int, month: date) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(project_id=project_id, month__lt=month)
        .order_by("-month")
        .first()
    )


def _year_plan(project_id: int, year: int) -> Decimal | None:
    return (
        AnnualPlan.objects.filter(project_id=project_id, year=year)
        .values_list("planned_investment", flat=True)
        .first()
    )


def report_exists_message(month: date) -> str:
    return _("%(month)s的月度调度已存在。") % {"month": format_month(month)}


def progress_report_check_start(*, project: Project, month: date) -> date:
    """Whether a report may be started for the month; returns the month's first day."""
    month = month_start(month)
    if month > month_start(_today()):
        raise ApplicationError(
            _("%(month)s尚未到来，不能填报该月的月度调度。") % {"month": format_month(month)},
            field="month",
        )
    if ProgressReport.objects.filter(project=project, month=month).exists():
        raise ApplicationError(report_exists_message(month), field="month", code="duplicate")
    if _previous_report(project.pk, month) is None:
        first = (
            ProgressReport.objects.filter(project=project, month__gt=month)
            .order_by("month")
            .values_list("month", flat=True)
            .first()
        )
        if first is not None:
            raise ApplicationError(
                _("该项目的月度调度自%(first)s起填报，不能补报更早的月份。")
                % {"first": format_month(first)},
                field="month",
            )
    return month


def _opening(*, month: date, opening_year: Any, opening_total: Any) -> tuple[Decimal, Decimal]:
    """The balances the project's first report adds its month to (investment before it)."""
    year = OPENING_YEAR_BOUND.clean(opening_year or 0, field="opening_year")
    total = OPENING_TOTAL_BOUND.clean(opening_total or 0, field="opening_total")
    if month.month == 1 and year:
        raise ApplicationError(
            _("1月的本年累计从零开始，期初本年累计应为0。"), field="opening_year"
        )
    if year > total:
        raise ApplicationError(_("期初本年累计不能大于期初开工累计。"), field="opening_year")
    return year, total


@transaction.atomic
def progress_report_start(
    *,
    project: Project,
    month: date,
    by: User | None,
    opening_year: Decimal | int | str | None = None,
    opening_total: Decimal | int | str | None = None,
) -> ProgressReport:
    """Start the month's report as a draft, pre-filled from the records.

    The year's plan comes from the annual plan; 形象进度 and 下步计划 are carried over from the
    previous report for editing; 本月完成投资 starts at 0 and the cumulative figures continue
    from the previous report. Only a project's first report takes opening balances (the
    investment made before the project was reported here).
    """
    month = progress_report_check_start(project=project, month=month)
    previous = _previous_report(project.pk, month)
    if previous is None:
        year_base, total_base = _opening(
            month=month, opening_year=opening_year, opening_total=opening_total
        )
    else:
        if opening_year is not None or opening_total is not None:
            raise ApplicationError(
                _("已有%(month)s的月度调度，累计数由系统接续计算，不能再填期初数。")
                % {"month": format_month(previous.month)},
                field="opening_total" if opening_total is not None else "opening_year",
            )
        total_base = previous.invested_total
        year_base = previous.invested_year if previous.month.year == month.year else ZERO
    report = ProgressReport(
        project=project,
        month=month,
        invested_month=ZERO,
        invested_year=year_base,
        invested_total=total_base,
        year_plan=_year_plan(project.pk, month.year),
        progress=previous.progress if previous else "",
        next_steps=previous.next_steps if previous else "",
        status=ProgressReport.Status.DRAFT,
    )
    try:
        with transaction.atomic():
            record_save(instance=report, by=by, reason=_("开始填报（按上月调度和年度计划预填）"))
    except IntegrityError as error:
        raise ApplicationError(
            report_exists_message(month), field="month", code="duplicate"
        ) from error
    return report


def _bases(report: ProgressReport, previous: ProgressReport | None) -> tuple[Decimal, Decimal]:
    """(本年累计, 开工累计) before the report's own month."""
    if previous is None:
        # The project's first report keeps the opening balances it was started with.
        return (
            report.invested_year - report.invested_month,
            report.invested_total - report.invested_month,
        )
    year_base = previous.invested_year if previous.month.year == report.month.year else ZERO
    return year_base, previous.invested_total


def _lock_reports(project_id: int) -> None:
    """Serialise the writes to one project's chain of reports."""
    list(
        ProgressReport.objects.select_for_update()
        .filter(project_id=project_id)
        .values_list("pk", flat=True)
    )


def _load(report: ProgressReport) -> ProgressReport:
    current = ProgressReport.objects.filter(pk=report.pk).first()
    if current is None:
        raise ApplicationError(
            _("“%(label)s”已被删除，无法保存。") % {"label": report}, code="gone"
        )
    return current


@transaction.atomic
def progress_report_save(
    *,
    report: ProgressReport,
    invested_month: Decimal | int | str,
    progress: str,
    problems: str,
    next_steps: str,
    by: User | None,
    expected_version: int | None,
) -> ProgressReport:
    """Save the month's figures and texts; 本年累计 and 开工累计 are computed, never typed.

    本年累计 = the previous report of the same year's 本年累计 + this month (January starts
    from 0); 开工累计 = the previous report's 开工累计 + this month. Correcting an earlier month
    recomputes every later month of the project, each with its history row.
    """
    amount = model_bound(ProgressReport, "invested_month").clean(
        invested_month, field="invested_month"
    )
    _lock_reports(report.project_id)
    current = _load(report)
    year_base, total_base = _bases(current, _previous_report(current.project_id, current.month))
    correcting = current.status == ProgressReport.Status.SUBMITTED
    current.invested_month = amount
    current.invested_year = year_base + amount
    current.invested_total = total_base + amount
    _check_cumulative(current)
    current.progress = progress or ""
    current.problems = problems or ""
    current.next_steps = next_steps or ""
    if not correcting:
        # A draft follows the plan in force; a submitted report keeps the one it was sent with.
        current.year_plan = _year_plan(current.project_id, current.month.year)
    record_save(
        instance=current,
        by=by,
        expected_version=expected_version,
        reason=_("更正已报送的月度调度") if correcting else _("填写月度调度"),
    )
    _recompute_later(current, by=by)
    return current


def _check_cumulative(report: ProgressReport) -> None:
    """本年累计 and 开工累计 are sums of the months: a month's figure is refused when they would
    pass their bound (in its own month or in a later one it carries into)."""
    for name in ("invested_year", "invested_total"):
        bound = model_bound(ProgressReport, name)
        if getattr(report, name) > bound.maximum:
            raise ApplicationError(
                _("%(month)s的累计数将超出上限：%(problem)s")
                % {"month": format_month(report.month), "problem": bound.too_big()},
                field="invested_month",
            )


def _recompute_later(report: ProgressReport, *, by: User | None) -> list[ProgressReport]:
    """Carry the cumulative figures of `report` through the project's later months."""
    later = ProgressReport.objects.filter(
        project_id=report.project_id, month__gt=report.month
    ).order_by("month")
    previous = report
    changed = []
    reason = _("随%(month)s月度调度更正重算累计") % {"month": format_month(report.month)}
    for item in later:
        year_base, total_base = _bases(item, previous)
        invested_year = year_base + item.invested_month
        invested_total = total_base + item.invested_month
        if (invested_year, invested_total) != (item.invested_year, item.invested_total):
            item.invested_year = invested_year
            item.invested_total = invested_total
            _check_cumulative(item)
            setattr(item, "_change_reason", reason)  # noqa: B010  read by the history rows
            changed.append(item)
        previous = item
    if changed:
        records_bulk_update(
            model=ProgressReport,
            instances=changed,
            fields=["invested_year", "invested_total"],
            by=by,
        )
    return changed


@transaction.atomic
def progress_report_submit(
    *,
    report: ProgressReport,
    by: User | None,
    expected_version: int | None = None,
    at: datetime | None = None,
    backdate_reason: str = "",
) -> ProgressReport:
    """Send the month's report (报送): its figures then count for the lights and summaries.

    `at` records a submission made on paper before (补登): a past day needs a reason, which
    goes into the history.
    """
    current = _load(report)
    if current.status == ProgressReport.Status.SUBMITTED:
        raise ApplicationError(
            _("%(month)s的月度调度已报送。") % {"month": format_month(current.month)},
            field="status",
            code="submitted",
        )
    if not current.progress.strip():
        raise ApplicationError(_("报送前请填写形象进度。"), field="progress")
    now = timezone.now()
    at = at or now
    day = timezone.localdate(at)
    if at > now:
        raise ApplicationError(_("报送时间不能晚于现在。"), field="at")
    if day < current.month:
        raise ApplicationError(
            _("报送时间不能早于所报月份（%(month)s）。") % {"month": format_month(current.month)},
            field="at",
        )
    backdated = day < _today()
    if backdated and not backdate_reason.strip():
        raise ApplicationError(
            _("补登%(day)s的报送须填写补登原因。") % {"day": format_day(day)},
            field="backdate_reason",
        )
    current.status = ProgressReport.Status.SUBMITTED
    current.submitted_at = at
    current.submitted_by = acting_user(by)
    reason = (
        _("报送月度调度（补登：%(reason)s）") % {"reason": backdate_reason.strip()}
        if backdated
        else _("报送月度调度")
    )
    return record_save(instance=current, by=by, expected_version=expected_version, reason=reason)


@transaction.atomic
def progress_report_delete(
    *, report: ProgressReport, by: User | None, expected_version: int | None = None
) -> None:
    """Delete a draft started by mistake: only the project's latest month, never a sent one."""
    _lock_reports(report.project_id)
    current = _load(report)
    if current.status == ProgressReport.Status.SUBMITTED:
        raise ApplicationError(_("已报送的月度调度不能删除；数字有误请直接更正。"), field="status")
    if ProgressReport.objects.filter(
        project_id=current.project_id, month__gt=current.month
    ).exists():
        raise ApplicationError(_("只能删除该项目最近一个月的月度调度草稿。"), field="month")
    photos = list(current.photos.values_list("image", flat=True))
    record_delete(instance=current, by=by, expected_version=expected_version)
    delete_on_commit(ProgressPhoto._meta.get_field("image").storage, photos)  # type: ignore[attr-defined]


@transaction.atomic
def progress_photo_add(
    *, report: ProgressReport, image: Any, by: User | None, caption: str = ""
) -> ProgressPhoto:
    """Attach a site photo (现场照片) to a monthly report: a JPEG, PNG, GIF or WebP image, kept
    under a random name with the user's name for it beside."""
    kind = image_check(image, field="image")
    photo = ProgressPhoto(
        report=report, caption=caption.strip(), filename=original_name(image.name)
    )
    photo.image.save(f"photo.{kind}", image, save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        photo.image.delete(save=False)  # a refused photo leaves nothing behind
        raise
    return photo


@transaction.atomic
def progress_photo_update(*, photo: ProgressPhoto, caption: str, by: User | None) -> ProgressPhoto:
    photo.caption = caption.strip()
    photo.full_clean()
    photo.save(update_fields=["caption"])
    return photo


@transaction.atomic
def progress_photo_delete(*, photo: ProgressPhoto, by: User | None) -> None:
    delete_on_commit(photo.image.storage, [photo.image.name])
    photo.delete()


# --- Command headquarters (项目指挥部) -----------------------------------------------------------

HQ_FIELDS = frozenset({"name", "commander", "commander_id", "established_on", "duties"})


def _check_hq(*, hq: CommandHQ) -> None:
    if not hq.name.strip():
        raise ApplicationError(_("请填写指挥部名称。"), field="name")
    if hq.commander_id is None:
        raise ApplicationError(_("请指定指挥长。"), field="commander")
    duplicate = CommandHQ.objects.filter(name=hq.name).exclude(pk=hq.pk)
    if duplicate.exists():
        raise ApplicationError(
            _("指挥部“%(name)s”已存在。") % {"name": hq.name}, field="name", code="duplicate"
        )


def _change_summary(label: str, before: Iterable[Any], after: Iterable[Any]) -> str:
    old = {obj.pk: str(obj) for obj in before}
    new = {obj.pk: str(obj) for obj in after}
    added = [name for pk, name in new.items() if pk not in old]
    removed = [name for pk, name in old.items() if pk not in new]
    parts = []
    if added:
        parts.append(_("增加%(names)s") % {"names": "、".join(added)})
    if removed:
        parts.append(_("移出%(names)s") % {"names": "、".join(removed)})
    return f"{label}：{'，'.join(parts)}" if parts else ""


@transaction.atomic
def command_hq_create(
    *,
    name: str,
    commander: Any,
    by: User | None,
    members: Iterable[Any] = (),
    projects: Iterable[Project] = (),
    established_on: date | None = None,
    duties: str = "",
) -> CommandHQ:
    """Set up a command HQ (项目指挥部) with its commander (指挥长), members and projects."""
    hq = CommandHQ(
        name=name.strip(), commander=commander, established_on=established_on, duties=duties
    )
    _check_hq(hq=hq)
    record_save(instance=hq, by=by, reason=_("成立指挥部"))
    hq.members.set(list(members))
    hq.projects.set(list(projects))
    return hq


@transaction.atomic
def command_hq_update(
    *,
    hq: CommandHQ,
    by: User | None,
    expected_version: int | None = None,
    members: Iterable[Any] | None = None,
    projects: Iterable[Project] | None = None,
    **changes: Any,
) -> CommandHQ:
    """Change an HQ; who joined or left, and which projects, is written in its history."""
    unknown = sorted(set(changes) - HQ_FIELDS)
    if unknown:
        raise ApplicationError(
            _("指挥部没有可修改的字段“%(field)s”。") % {"field": unknown[0]}, field=unknown[0]
        )
    record_apply(instance=hq, changes=changes)
    hq.name = hq.name.strip()
    _check_hq(hq=hq)
    reasons = []
    member_list = list(members) if members is not None else None
    project_list = list(projects) if projects is not None else None
    if member_list is not None:
        reasons.append(_change_summary(_("成员"), hq.members.all(), member_list))
    if project_list is not None:
        reasons.append(_change_summary(_("项目"), hq.projects.all(), project_list))
    reason = "；".join(part for part in reasons if part) or _("修改指挥部")
    record_save(instance=hq, by=by, expected_version=expected_version, reason=reason)
    if member_list is not None:
        hq.members.set(member_list)
    if project_list is not None:
        hq.projects.set(project_list)
    return hq
