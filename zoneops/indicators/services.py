"""Writes of the indicators: each save and delete goes through the common audit trail; a rolled-up
indicator takes no typed figures, and no figure is entered for a month that has not begun."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.services import record_delete, record_save
from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from zoneops.orgs.models import User


@transaction.atomic
def indicator_save(
    *, indicator: Indicator, by: User | None, expected_version: int | None = None
) -> Indicator:
    """Add or change an indicator. One with typed figures cannot become a roll-up of the
    enterprises' figures: those figures would be silently replaced."""
    if indicator.enterprise_metric and indicator.pk is not None:
        typed = IndicatorValue.objects.filter(indicator=indicator).count()
        if typed:
            raise ApplicationError(
                _("该指标已录入%(count)d个月的数值，不能改为由企业经济数据汇总。")
                % {"count": typed},
                field="enterprise_metric",
            )
    return record_save(instance=indicator, by=by, expected_version=expected_version)


@transaction.atomic
def indicator_delete(*, indicator: Indicator, by: User | None) -> None:
    record_delete(instance=indicator, by=by)


def month_problem(*, year: int | None, month: int | None) -> str | None:
    """Why no figure can be entered for the month: it has not begun."""
    if year is None or month is None:
        return None
    today = timezone.localdate()
    if (year, month) > (today.year, today.month):
        return _("%(year)d年%(month)d月还未到，不能登记这个月的数值。") % {
            "year": year,
            "month": month,
        }
    return None


def _check_month(*, year: int | None, month: int | None) -> None:
    problem = month_problem(year=year, month=month)
    if problem:
        raise ApplicationError(problem, field="month")


@transaction.atomic
def indicator_value_save(
    *, value: IndicatorValue, by: User | None, expected_version: int | None = None
) -> IndicatorValue:
    """Add or change one month's figure of an indicator that is typed in."""
    indicator = Indicator.objects.filter(pk=value.indicator_id).first()
    if indicator is not None and indicator.is_rolled_up:
        raise ApplicationError(
            _("“%(name)s”由企业经济数据汇总，不能直接录入数值。") % {"name": indicator.name},
            field="indicator",
        )
    _check_month(year=value.year, month=value.month)
    return record_save(instance=value, by=by, expected_version=expected_version)


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue, by: User | None) -> None:
    record_delete(instance=value, by=by)


@transaction.atomic
def indicator_target_save(
    *, target: IndicatorTarget, by: User | None, expected_version: int | None = None
) -> IndicatorTarget:
    return record_save(instance=target, by=by, expected_version=expected_version)


@transaction.atomic
def indicator_target_delete(*, target: IndicatorTarget, by: User | None) -> None:
    record_delete(instance=target, by=by)
