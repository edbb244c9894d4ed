"""Writes of support funds: the programme catalogue and each step of an application.

An application runs 已申报 → 已获批 (with the amount approved) or → 未获批 (final); an approved
one is paid in one or more payments (部分拨付 until the approved amount is paid in full,
then 已拨付). Every step writes a FundEvent in the same transaction and a history row.
Amounts are bounded by the field (common.amounts); approved ≤ applied, paid ≤ approved (the
higher level may cut an application, never give more than was asked for); each step's day is
a day that has come, not before the previous step.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.amounts import format_wan, model_bound
from zoneops.common.exceptions import ApplicationError
from zoneops.common.periods import format_day
from zoneops.common.scope import writable_queryset
from zoneops.common.services import (
    acting_user,
    check_happened,
    record_delete,
    record_save,
)
from zoneops.enterprises.models import Enterprise
from zoneops.funds.enums import FundApplicationStatus, FundStep
from zoneops.funds.models import FundApplication, FundEvent, FundProgramme
from zoneops.orgs.models import User
from zoneops.projects.models import Project

S = FundApplicationStatus
PAYABLE = frozenset({S.APPROVED, S.PART_PAID})
APPLICATION_EDITABLE_FIELDS = ("programme", "title", "enterprise", "project", "applied_amount")


def _today() -> date:
    return timezone.localdate()


def _event(
    *, application: FundApplication, step: str, on: date, by: User | None, amount=None, note=""
) -> FundEvent:
    return FundEvent.objects.create(
        application=application,
        step=step,
        on=on,
        amount=amount,
        note=note,
        by=acting_user(by),
    )


def _amount(value: Any, *, field: str) -> Decimal:
    return model_bound(FundApplication, field).clean(value, field=field)


def _locked(application: FundApplication) -> FundApplication:
    return FundApplication.objects.select_for_update().get(pk=application.pk)


def _check_status(application: FundApplication, allowed: frozenset[str], *, step: str) -> None:
    if application.status not in allowed:
        raise ApplicationError(
            _("申报状态为“%(status)s”，不能登记“%(step)s”。")
            % {"status": application.get_status_display(), "step": FundStep(step).label},
            field="status",
            code="status",
        )


def _check_not_before(on: date, earlier: date | None, *, field: str) -> None:
    if earlier is not None and on < earlier:
        raise ApplicationError(
            _("日期不能早于上一环节的日期（%(day)s）。") % {"day": format_day(earlier)},
            field=field,
        )


# --- programmes -------------------------------------------------------------------------------


@transaction.atomic
def programme_save(
    *, programme: FundProgramme, by: User | None, expected_version: int | None = None
) -> FundProgramme:
    """Add or change a programme of the catalogue."""
    return record_save(instance=programme, by=by, expected_version=expected_version)


@transaction.atomic
def programme_delete(*, programme: FundProgramme, by: User | None) -> None:
    """Remove a programme no application was made to (one with applications is protected)."""
    record_delete(instance=programme, by=by)


# --- applications -----------------------------------------------------------------------------


def _owner_enterprise(application: FundApplication) -> Enterprise | None:
    if application.enterprise_id:
        return application.enterprise
    if application.project_id:
        return application.project.investor_enterprise  # type: ignore[union-attr]
    return None


@transaction.atomic
def application_file(
    *,
    programme: FundProgramme,
    title: str,
    applied_amount: Any,
    applied_on: date | None = None,
    enterprise: Enterprise | None = None,
    project: Project | None = None,
    by: User | None,
    note: str = "",
    is_sample: bool = False,
) -> FundApplication:
    """申报: an enterprise or a project (one of the two) applies to a programme for an amount,
    filed by someone who may write that programme's applications (its department's staff)."""
    if (
        by is not None
        and not writable_queryset(FundProgramme.objects.filter(pk=programme.pk), by).exists()
    ):
        raise ApplicationError(
            _("只能为本部门对口的资金项目登记申报。"), field="programme", code="scope"
        )
    applied_on = applied_on or _today()
    check_happened(applied_on, field="applied_on")
    application = FundApplication(
        programme=programme,
        title=(title or "").strip(),
        enterprise=enterprise,
        project=project,
        applied_amount=_amount(applied_amount, field="applied_amount"),
        applied_on=applied_on,
        is_sample=is_sample,
    )
    if application.applied_amount <= 0:
        raise ApplicationError(_("“申报金额”须大于零。"), field="applied_amount")
    application.owner_enterprise = _owner_enterprise(application)
    record_save(instance=application, by=by, reason=_("申报"))
    _event(application=application, step=FundStep.APPLY, on=applied_on, by=by, note=note)
    return application


@transaction.atomic
def application_update(
    *,
    application: FundApplication,
    by: User | None,
    expected_version: int | None = None,
) -> FundApplication:
    """Save an edit of the application's own fields (programme, content, applicant, amount
    applied for) made on the instance; the amounts approved and paid follow their steps."""
    approved = application.approved_amount
    if approved is not None and (application.applied_amount or 0) < approved:
        raise ApplicationError(
            _("申报金额不能小于已获批金额（%(amount)s）。") % {"amount": format_wan(approved)},
            field="applied_amount",
        )
    application.owner_enterprise = _owner_enterprise(application)
    return record_save(instance=application, by=by, expected_version=expected_version)


@transaction.atomic
def application_approve(
    *,
    application: FundApplication,
    amount: Any,
    on: date | None = None,
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> FundApplication:
    """获批: the higher level approves the application for an amount up to the one applied."""
    application = _locked(application)
    _check_status(application, frozenset({S.APPLIED}), step=FundStep.APPROVE)
    on = on or _today()
    check_happened(on, field="on")
    _check_not_before(on, application.applied_on, field="on")
    approved = _amount(amount, field="approved_amount")
    if approved <= 0:
        raise ApplicationError(_("“获批金额”须大于零；未获批请登记“未获批”。"), field="amount")
    if approved > application.applied_amount:
        raise ApplicationError(
            _("获批金额（%(approved)s）不能超过申报金额（%(applied)s）。")
            % {"approved": format_wan(approved), "applied": format_wan(application.applied_amount)},
            field="amount",
        )
    application.approved_amount, application.approved_on = approved, on
    application.status = S.APPROVED
    record_save(instance=application, by=by, expected_version=expected_version, reason=_("获批"))
    _event(application=application, step=FundStep.APPROVE, on=on, amount=approved, by=by, note=note)
    return application


@transaction.atomic
def application_reject(
    *,
    application: FundApplication,
    reason: str,
    on: date | None = None,
    by: User | None,
    expected_version: int | None = None,
) -> FundApplication:
    """未获批: the application was not approved; the reason is kept on the step."""
    application = _locked(application)
    _check_status(application, frozenset({S.APPLIED}), step=FundStep.REJECT)
    on = on or _today()
    check_happened(on, field="on")
    _check_not_before(on, application.applied_on, field="on")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("请填写未获批的原因。"), field="reason")
    application.status = S.REJECTED
    application.approved_on = on
    record_save(instance=application, by=by, expected_version=expected_version, reason=_("未获批"))
    _event(application=application, step=FundStep.REJECT, on=on, by=by, note=reason)
    return application


@transaction.atomic
def application_pay(
    *,
    application: FundApplication,
    amount: Any,
    on: date | None = None,
    by: User | None,
    note: str = "",
    expected_version: int | None = None,
) -> FundApplication:
    """拨付: a payment of an approved application; payments add up to the approved amount at
    most (部分拨付 until then, 已拨付 once paid in full)."""
    application = _locked(application)
    _check_status(application, PAYABLE, step=FundStep.PAY)
    on = on or _today()
    check_happened(on, field="on")
    _check_not_before(on, application.paid_on or application.approved_on, field="on")
    paid = _amount(amount, field="paid_amount")
    if paid <= 0:
        raise ApplicationError(_("“拨付金额”须大于零。"), field="amount")
    approved = application.approved_amount or Decimal(0)
    left = approved - application.paid_amount
    if paid > left:
        raise ApplicationError(
            _("拨付金额（%(paid)s）超过获批金额尚未拨付的部分（%(left)s）。")
            % {"paid": format_wan(paid), "left": format_wan(left)},
            field="amount",
        )
    application.paid_amount += paid
    application.paid_on = on
    application.status = S.PAID if application.paid_amount == approved else S.PART_PAID
    record_save(instance=application, by=by, expected_version=expected_version, reason=_("拨付"))
    _event(application=application, step=FundStep.PAY, on=on, amount=paid, by=by, note=note)
    return application


@transaction.atomic
def application_delete(*, application: FundApplication, by: User | None) -> None:
    """Remove an application filed by mistake: only while nothing was approved or paid."""
    if application.status != S.APPLIED:
        raise ApplicationError(_("已有审批结果的申报不能删除。"), field="status", code="protected")
    record_delete(instance=application, by=by)
