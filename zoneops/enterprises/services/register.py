"""Writes of the enterprise register: enterprises, their periodic figures and liaison (包联)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import model_bound
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.importing import key_set
from zoneops.common.inputs import year_error
from zoneops.common.scope import kept_by_own_fields, writable_queryset
from zoneops.common.services import (
    acting_user,
    record_check_version,
    record_delete,
    record_save,
    records_bulk_create,
    records_bulk_update,
)
from zoneops.enterprises.enums import METRICS, LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.selectors import enterprise_figure_of, liaison_may_arrange
from zoneops.enterprises.selectors.register import liaison_widens_scope_of
from zoneops.enterprises.validators import credit_code_problem, normalise_credit_code
from zoneops.industry.gb4754 import industry_code_problem, normalise_industry_code
from zoneops.orgs.models import User

# What an edit of an enterprise may change (audit fields and the version are the services').
ENTERPRISE_FIELDS = frozenset(
    {
        "name",
        "former_names",
        "credit_code",
        "legal_representative",
        "registered_capital",
        "established_on",
        "address",
        "park",
        "park_id",
        "park_unit",
        "responsible_department",
        "responsible_department_id",
        "industry",
        "industry_id",
        "industry_code",
        "country",
        "is_above_scale_industry",
        "is_above_quota_trade",
        "is_high_tech",
        "is_specialized",
        "is_tech_sme",
        "contact_person",
        "contact_phone",
        "note",
        "is_sample",
    }
)


def _check_fields(fields: Iterable[str]) -> None:
    unknown = set(fields) - ENTERPRISE_FIELDS
    if unknown:
        raise TypeError(f"enterprise fields unknown: {', '.join(sorted(unknown))}")


def enterprise_normalise(*, enterprise: Enterprise) -> None:
    """The codes in their stored form: no spaces, upper case, an empty code as none at all."""
    enterprise.name = (enterprise.name or "").strip()
    enterprise.credit_code = normalise_credit_code(enterprise.credit_code or "") or None
    enterprise.industry_code = normalise_industry_code(enterprise.industry_code)


def _check_credit_code_free(enterprise: Enterprise) -> None:
    if not enterprise.credit_code:
        return
    holder = (
        Enterprise.objects.filter(credit_code=enterprise.credit_code)
        .exclude(pk=enterprise.pk)
        .values_list("name", flat=True)
        .first()
    )
    if holder is not None:
        raise ApplicationError(
            _("统一社会信用代码“%(code)s”已登记为“%(name)s”，不能重复登记。")
            % {"code": enterprise.credit_code, "name": holder},
            field="credit_code",
        )


def enterprise_keeping_problem(
    *, stored: Enterprise, by: User | None, park_id: Any, responsible_department_id: Any
) -> tuple[str, str] | None:
    """Who keeps an enterprise follows its responsible department and its park: the department
    is handed over by those who may arrange the enterprise's liaison (its head, a principal
    leader, an administrator); the park is changed by those who keep the enterprise through its
    own fields, not by someone who reaches it only through liaison (moving it into a park his
    department manages would keep him in after the liaison ends). (field, message) or None."""
    user = acting_user(by)
    if user is None:
        return None
    handed_over = stored.responsible_department_id != responsible_department_id
    if handed_over and not liaison_may_arrange(user=user, enterprise=stored):
        return (
            "responsible_department",
            _("服务责任部门只能由原责任部门的负责人、主要领导或系统管理员变更。"),
        )
    if stored.park_id != park_id and not kept_by_own_fields(user, Enterprise, [stored.pk]):
        return "park", str(PARK_MOVE_REFUSED)
    return None


PARK_MOVE_REFUSED = gettext_lazy(
    "只有企业的服务责任部门、所在园区的管理部门、该企业的登记人，"
    "或管委会主要领导、系统管理员可以变更“所在园区”。"
)


def _park_move_problems(
    rows: Sequence["EnterpriseRow"], by: User | None
) -> list[tuple[int, str, str]]:
    """Rows that move a stored enterprise to another park where `by` keeps it only through
    liaison (the rule of enterprise_keeping_problem, for many rows in two queries)."""
    user = acting_user(by)
    moving = {
        index: row.values.get("park_id", row.values.get("park"))
        for index, row in enumerate(rows)
        if row.pk is not None and ("park_id" in row.values or "park" in row.values)
    }
    if user is None or not moving:
        return []
    pks = {pk for index in moving if (pk := rows[index].pk) is not None}
    parks = dict(Enterprise._base_manager.filter(pk__in=pks).values_list("pk", "park_id"))
    kept = kept_by_own_fields(user, Enterprise, pks)
    return [
        (index, "park", str(PARK_MOVE_REFUSED))
        for index, park in moving.items()
        if parks.get(rows[index].pk or 0) != _pk(park) and rows[index].pk not in kept
    ]


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _check_keeping_change(enterprise: Enterprise, by: User | None) -> None:
    if enterprise.pk is None or enterprise._state.adding:
        return
    stored = Enterprise._base_manager.filter(pk=enterprise.pk).first()
    problem = stored and enterprise_keeping_problem(
        stored=stored,
        by=by,
        park_id=enterprise.park_id,
        responsible_department_id=enterprise.responsible_department_id,
    )
    if problem:
        raise PermissionDeniedError(problem[1], field=problem[0])


def enterprise_save(
    *,
    enterprise: Enterprise,
    by: User | None,
    expected_version: int | None = None,
    reason: str = "",
) -> Enterprise:
    """Save a new or edited enterprise: codes normalised and checked, version, history."""
    enterprise_normalise(enterprise=enterprise)
    _check_credit_code_free(enterprise)
    _check_keeping_change(enterprise, by)
    return record_save(instance=enterprise, by=by, expected_version=expected_version, reason=reason)


@transaction.atomic
def enterprise_create(*, name: str, by: User | None, **fields: Any) -> Enterprise:
    _check_fields(fields)
    return enterprise_save(enterprise=Enterprise(name=name, **fields), by=by)


@transaction.atomic
def enterprise_update(
    *, enterprise: Enterprise, by: User | None, expected_version: int | None = None, **fields: Any
) -> Enterprise:
    """Change an enterprise's fields; a stale `expected_version` is refused, nothing changes."""
    _check_fields(fields)
    record_check_version(instance=enterprise, expected_version=expected_version)
    for name, value in fields.items():
        setattr(enterprise, name, value)
    return enterprise_save(enterprise=enterprise, by=by, expected_version=expected_version)


# --- Many enterprises at once (the register's Excel import) ---------------------------------


@dataclass(frozen=True)
class EnterpriseRow:
    """One row of an import: the fields it gives (by attname) and the record it updates."""

    values: dict[str, Any]
    pk: int | None = None


def enterprises_import_problems(
    *, rows: Sequence[EnterpriseRow], by: User | None = None
) -> list[tuple[int, str, str]]:
    """(row index, field, message) for each rule the rows break, read set-based: codes that
    fail GB 32100-2015 or GB/T 4754-2017, a credit code or a name given twice, a name another
    enterprise already bears. One query whatever the number of rows."""
    problems: list[tuple[int, str, str]] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for index, row in enumerate(rows):
        code = row.values.get("credit_code")
        if code:
            problem = credit_code_problem(code)
            if problem:
                problems.append(
                    (index, "credit_code", _("统一社会信用代码有误：%(p)s。") % {"p": problem})
                )
            else:
                normal = normalise_credit_code(code)
                if normal in seen_codes:
                    problems.append(
                        (
                            index,
                            "credit_code",
                            _("统一社会信用代码与第 %(n)s 个企业重复。")
                            % {"n": seen_codes[normal] + 1},
                        )
                    )
                seen_codes.setdefault(normal, index)
        industry_code = row.values.get("industry_code")
        if industry_code:
            problem = industry_code_problem(industry_code)
            if problem:
                problems.append(
                    (index, "industry_code", _("国民经济行业代码有误：%(p)s。") % {"p": problem})
                )
        capital = row.values.get("registered_capital")
        if capital is not None:
            problem = model_bound(Enterprise, "registered_capital").problem(capital)
            if problem:
                problems.append((index, "registered_capital", problem))
        name = (row.values.get("name") or "").strip()
        if name:
            if name in seen_names:
                problems.append(
                    (
                        index,
                        "name",
                        _("企业名称与第 %(n)s 个企业重复。") % {"n": seen_names[name] + 1},
                    )
                )
            seen_names.setdefault(name, index)
    holders: dict[str, tuple[int, str | None]] = {
        name: (pk, code)
        for pk, name, code in Enterprise.objects.filter(name__in=list(seen_names)).values_list(
            "pk", "name", "credit_code"
        )
    }
    for index, row in enumerate(rows):
        name = (row.values.get("name") or "").strip()
        holder = holders.get(name)
        if holder is None or holder[0] == row.pk:
            continue
        if holder[1]:
            message = _("企业名称“%(name)s”已被统一社会信用代码为“%(code)s”的企业使用。") % {
                "name": name,
                "code": holder[1],
            }
        else:
            message = _(
                "企业“%(name)s”已登记但尚无统一社会信用代码：请先在企业名录中为其补填代码，再导入。"
            ) % {"name": name}
        problems.append((index, "name", message))
    problems += _park_move_problems(rows, by)
    return problems


@transaction.atomic
def enterprises_import(*, rows: Sequence[EnterpriseRow], by: User | None) -> tuple[int, int]:
    """Register the new enterprises and change the known ones, in bulk, each with its history
    row; refused whole when a row breaks a rule. Returns (created, updated)."""
    problems = enterprises_import_problems(rows=rows, by=by)
    if problems:
        _index, field_name, message = problems[0]
        raise ApplicationError(message, field=field_name)
    for row in rows:
        _check_fields(row.values)
    new = []
    for row in rows:
        if row.pk is None:
            enterprise = Enterprise(**row.values)
            enterprise_normalise(enterprise=enterprise)
            new.append(enterprise)
    changed = [row for row in rows if row.pk is not None and row.values]
    stored = Enterprise.objects.in_bulk([row.pk for row in changed])
    updated = []
    fields: set[str] = set()
    for row in changed:
        enterprise = stored[row.pk]  # type: ignore[index]
        for name, value in row.values.items():
            setattr(enterprise, name, value)
        enterprise_normalise(enterprise=enterprise)
        fields.update(row.values)
        updated.append(enterprise)
    if new:
        records_bulk_create(model=Enterprise, instances=new, by=by)
    if updated:
        names = sorted({name.removesuffix("_id") for name in fields})
        records_bulk_update(model=Enterprise, instances=updated, fields=names, by=by)
    return len(new), len(updated)


# --- Periodic figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class FigureInput:
    """One period of one enterprise's figures: 1-N月 cumulative for a month, or the year."""

    enterprise_id: int
    year: int
    month: int | None
    values: dict[str, Decimal | int | None]
    note: str | None = None  # None: keep the stored note


@dataclass
class FiguresSaved:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    records: list[EnterpriseFigure] = field(default_factory=list)


def figure_problems(row: FigureInput) -> list[tuple[str, str]]:
    """(field, reason) for each rule a period's figures break; empty when they are fine."""
    problems: list[tuple[str, str]] = []
    if problem := year_error(row.year):
        problems.append(("year", problem))
    if row.month is not None and not 1 <= row.month <= 12:
        problems.append(("month", _("月份应为1至12，全年数据不填月份")))
    unknown = set(row.values) - set(METRICS)
    if unknown:
        raise TypeError(f"figure metrics unknown: {', '.join(sorted(unknown))}")
    for metric, value in row.values.items():
        if value is None:
            continue
        problem = model_bound(EnterpriseFigure, metric).problem(value)
        if problem:
            problems.append((metric, problem))
    return problems


def _period_key(enterprise_id: int, year: int, month: int | None) -> tuple[int, int, int | None]:
    return (enterprise_id, year, month)


@transaction.atomic
def figures_unwritable(*, enterprise_ids: Iterable[int], by: User | None) -> set[int]:
    """The enterprises among these whose figures `by` may not enter: an enterprise's figures
    are written by whoever may write the enterprise (EnterpriseFigure.scope_write_parent)."""
    wanted = set(enterprise_ids)
    if acting_user(by) is None or not wanted:
        return set()
    writable = writable_queryset(Enterprise.objects.filter(pk__in=key_set(sorted(wanted))), by)
    return wanted - set(writable.values_list("pk", flat=True))


def figures_check_writable(*, enterprise_ids: Iterable[int], by: User | None) -> None:
    if figures_unwritable(enterprise_ids=enterprise_ids, by=by):
        raise PermissionDeniedError(str(FIGURES_NOT_YOURS), field="enterprise")


FIGURES_NOT_YOURS = gettext_lazy(
    "您不能为该企业登记经济数据：该企业不由您或您的部门负责"
    "（不是其服务责任部门或所在园区的管理部门，也未安排您包联）。"
)


def enterprise_figures_save(*, rows: Sequence[FigureInput], by: User | None) -> FiguresSaved:
    """Create or replace the figures of many periods at once (imports, the demo).

    A period is found by enterprise, year and month; each metric given replaces the stored
    one (None: "not reported"), a metric not given stays as it is. Reads the existing rows in
    one query per thousand enterprises and writes in bulk, each change with its history row.
    """
    for row in rows:
        problems = figure_problems(row)
        if problems:
            field_name, reason = problems[0]
            raise ApplicationError(reason, field=field_name)
    keys = [_period_key(r.enterprise_id, r.year, r.month) for r in rows]
    if len(set(keys)) != len(keys):
        raise ApplicationError(_("同一企业同一期的数据出现了不止一次。"), field="month")
    enterprise_ids = sorted({r.enterprise_id for r in rows})
    figures_check_writable(enterprise_ids=enterprise_ids, by=by)
    existing: dict[tuple[int, int, int | None], EnterpriseFigure] = {}
    years = sorted({r.year for r in rows})
    for start in range(0, len(enterprise_ids), 1000):
        chunk = enterprise_ids[start : start + 1000]
        for found in EnterpriseFigure.objects.filter(enterprise_id__in=chunk, year__in=years):
            existing[_period_key(found.enterprise_id, found.year, found.month)] = found
    result = FiguresSaved()
    to_create: list[EnterpriseFigure] = []
    to_update: list[EnterpriseFigure] = []
    for row, key in zip(rows, keys, strict=True):
        values = dict(row.values)
        figure = existing.get(key)
        if figure is None:
            figure = EnterpriseFigure(
                enterprise_id=row.enterprise_id,
                year=row.year,
                month=row.month,
                note=row.note or "",
                **values,
            )
            to_create.append(figure)
        elif any(_differs(getattr(figure, m), v) for m, v in values.items()) or (
            row.note is not None and figure.note != row.note
        ):
            for metric, value in values.items():
                setattr(figure, metric, value)
            if row.note is not None:
                figure.note = row.note
            to_update.append(figure)
        else:
            result.unchanged += 1
        result.records.append(figure)
    if to_create:
        records_bulk_create(model=EnterpriseFigure, instances=to_create, by=by)
    if to_update:
        records_bulk_update(
            model=EnterpriseFigure, instances=to_update, fields=[*METRICS, "note"], by=by
        )
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _differs(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is not new
    return Decimal(old) != Decimal(new)


@transaction.atomic
def enterprise_figure_save(
    *,
    enterprise: Enterprise,
    year: int,
    month: int | None,
    values: dict[str, Decimal | int | None],
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> EnterpriseFigure:
    """Record one period's figures: a new period is created, a known one replaced (API)."""
    row = FigureInput(enterprise.pk, year, month, values, note)
    problems = figure_problems(row)
    if problems:
        raise ApplicationError(problems[0][1], field=problems[0][0])
    figures_check_writable(enterprise_ids=[enterprise.pk], by=by)
    figure = enterprise_figure_of(enterprise=enterprise, year=year, month=month)
    if figure is None:
        figure = EnterpriseFigure(enterprise=enterprise, year=year, month=month)
    for metric in METRICS:
        setattr(figure, metric, values.get(metric))
    figure.note = note
    return record_save(instance=figure, by=by, expected_version=expected_version)


# --- Liaison (包联) ------------------------------------------------------------------------


def _check_may_arrange(
    *, by: User | None, enterprise: Enterprise, person: Any = None, department: Any = None
) -> None:
    """Liaison widens the liaising person's data scope (包联): it is arranged by a holder of
    ASSIGN_LIAISON for an enterprise his departments are responsible for (or zone-wide), and
    never so that it widens his own scope. The system itself (commands, the demo) may."""
    user = acting_user(by)
    if user is None:
        return
    if not liaison_may_arrange(user=user, enterprise=enterprise):
        raise PermissionDeniedError(
            _(
                "“%(enterprise)s”的包联只能由其服务责任部门的负责人、主要领导或系统管理员"
                "安排和结束。"
            )
            % {"enterprise": enterprise},
            field="enterprise",
        )
    if liaison_widens_scope_of(user=user, person=person, department=department):
        raise PermissionDeniedError(
            _("不能安排本人或本人所在、分管的部门包联（包联会扩大本人的数据范围），请由他人安排。"),
            field="person" if person is not None and person.pk == user.pk else "department",
        )


def liaison_check_arrangement(
    *, assignment: LiaisonAssignment, by: User | None
) -> LiaisonAssignment | None:
    """Whether `by` may make this assignment (or this edit of one: the assignment as stored is
    checked too, so nobody takes over another's liaison); raises PermissionDeniedError naming
    the field. Returns the stored assignment, if any. Forms ask it before saving."""
    stored = None
    if assignment.pk is not None and not assignment._state.adding:
        stored = (
            LiaisonAssignment._base_manager.select_related("enterprise", "person", "department")
            .filter(pk=assignment.pk)
            .first()
        )
    if stored is not None:
        _check_may_arrange(by=by, enterprise=stored.enterprise)
    _check_may_arrange(
        by=by,
        enterprise=assignment.enterprise,
        person=assignment.person if assignment.person_id else None,
        department=assignment.department if assignment.department_id else None,
    )
    return stored


def _check_backdating(*, by: User | None, on: date | None, reason: str, field: str) -> None:
    """A liaison begun or ended on a past day is recorded with why it is entered late."""
    if acting_user(by) is None or on is None:
        return
    if on < timezone.localdate() and not (reason or "").strip():
        raise ApplicationError(
            _("补登 %(on)s 的包联变动须填写说明（补登原因）。") % {"on": on}, field=field
        )


@transaction.atomic
def liaison_assign(
    *,
    enterprise: Enterprise,
    kind: LiaisonKind | str,
    started_on: date,
    by: User | None,
    level: LiaisonLevel | str = LiaisonLevel.DISTRICT,
    person: Any = None,
    department: Any = None,
    note: str = "",
) -> LiaisonAssignment:
    """Assign a leader, a department or an inspector to liaise with an enterprise from a day.

    Refused (naming the field) when `by` may not arrange the enterprise's liaison or the
    assignment would widen his own scope, when the kind lacks its person or department, a
    leader's assignment names someone who is not a leader or an inspector's someone who is not
    an inspector, when the same person or department already liaises with the enterprise in
    that kind over the same days, or when a past start comes without a note.
    """
    assignment = LiaisonAssignment(
        enterprise=enterprise,
        kind=kind,
        level=level,
        person=person,
        department=department,
        started_on=started_on,
        note=note,
    )
    return liaison_save(assignment=assignment, by=by)


@transaction.atomic
def liaison_save(
    *, assignment: LiaisonAssignment, by: User | None, expected_version: int | None = None
) -> LiaisonAssignment:
    """Save a new or edited assignment (the back office's form) under liaison_assign's rules;
    an edit also checks the assignment as it was, so nobody takes over another's liaison."""
    stored = liaison_check_arrangement(assignment=assignment, by=by)
    if stored is not None:
        # Who liaised with whom stays on record: end this one and assign anew instead.
        for name in ("enterprise_id", "kind", "person_id", "department_id"):
            if getattr(stored, name) != getattr(assignment, name):
                raise ApplicationError(
                    _("已安排的包联不能改换企业、类型、包联人或包联部门：请结束它并重新安排。"),
                    field=name.removesuffix("_id"),
                )
    # What is wrong with the assignment itself is said before how late it is entered.
    assignment.full_clean(exclude=["created_by", "updated_by"])
    # An edit's reason is what it writes into the note now, not what the note already said.
    reason = assignment.note if stored is None or assignment.note != stored.note else ""
    if stored is None or stored.started_on != assignment.started_on:
        _check_backdating(by=by, on=assignment.started_on, reason=reason, field="note")
    if stored is not None and stored.ended_on != assignment.ended_on:
        if assignment.ended_on is None and acting_user(by) and not reason.strip():
            raise ApplicationError(_("恢复已结束的包联须填写说明。"), field="note")
        _check_backdating(by=by, on=assignment.ended_on, reason=reason, field="note")
    return record_save(instance=assignment, by=by, expected_version=expected_version)


@transaction.atomic
def liaison_delete(*, assignment: LiaisonAssignment, by: User | None) -> None:
    """Delete an assignment entered by mistake. Liaison is ended, not deleted (who liaised
    when stays on record): only a superuser removes a row."""
    actor = acting_user(by)
    if actor is not None and not actor.is_superuser:
        raise PermissionDeniedError(_("包联不能删除，请使用“结束包联”。"))
    record_delete(instance=assignment, by=by)


@transaction.atomic
def liaison_end(
    *,
    assignment: LiaisonAssignment,
    on: date,
    by: User | None,
    reason: str = "",
    expected_version: int | None = None,
) -> LiaisonAssignment:
    """End an assignment on a day; the row stays, so the history of who liaised is kept.

    Only those who may arrange the enterprise's liaison end it; a past day needs a reason.
    """
    _check_may_arrange(by=by, enterprise=assignment.enterprise)
    if assignment.ended_on is not None:
        raise ApplicationError(
            _("该包联已于%(day)s结束。") % {"day": assignment.ended_on}, field="ended_on"
        )
    if on < assignment.started_on:
        raise ApplicationError(_("结束日期不能早于开始日期。"), field="ended_on")
    _check_backdating(by=by, on=on, reason=reason, field="reason")
    assignment.ended_on = on
    if reason:
        assignment.note = reason[:200]
    return record_save(instance=assignment, by=by, expected_version=expected_version, reason=reason)
