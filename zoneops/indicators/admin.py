"""Back office of the indicators: the registers (指标, 数值, 年度目标), the economy page
(经济运行情况) and an indicator's year month by month with its chart."""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import BusinessAdmin
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, MAX_ID
from zoneops.common.periods import MONTH_CHOICES
from zoneops.indicators.apps import VIEW
from zoneops.indicators.excel import indicator_value_register
from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from zoneops.indicators.selectors import (
    economy_month,
    economy_overview,
    indicator_year,
    indicators_visible,
)
from zoneops.indicators.services import (
    indicator_delete,
    indicator_save,
    indicator_target_delete,
    indicator_target_save,
    indicator_value_delete,
    indicator_value_save,
)


class PeriodForm(Form):
    """?year=2019&month=10 of the economy and an indicator's year; a value out of range is
    refused with its message, and the page shows the default instead."""

    year = forms.IntegerField(
        label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    month = forms.TypedChoiceField(
        label=_("截至月份"), coerce=int, choices=MONTH_CHOICES, required=False
    )

    def value(self, name: str) -> int | None:
        return self.cleaned_data.get(name) if self.is_valid() else None


@admin.register(Indicator)
class IndicatorAdmin(BusinessAdmin):
    list_display = ["code", "name", "unit", "kind", "department", "enterprise_metric", "position"]
    list_filter = ["kind", "department"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "unit",
        "kind",
        "higher_is_better",
        "places",
        "department",
        "enterprise_metric",
        "position",
        "note",
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        indicator_save(indicator=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        indicator_delete(indicator=obj, by=request.user)

    def get_urls(self):
        def view(cls: type) -> Any:
            return self.admin_site.admin_view(cls.as_view(model_admin=self))

        return [
            path("economy/", view(EconomyView), name="indicators_indicator_overview"),
            path("<int:pk>/year/", view(IndicatorYearView), name="indicators_indicator_year"),
            *super().get_urls(),
        ]


class _YearMixin:
    request: HttpRequest

    @cached_property
    def period_form(self) -> PeriodForm:
        return PeriodForm(self.request.GET)

    def chosen_year(self) -> int:
        return self.period_form.value("year") or timezone.localdate().year

    def years(self, year: int) -> list[int]:
        today = timezone.localdate()
        return sorted({*range(today.year - 9, today.year + 1), year}, reverse=True)


class EconomyView(_YearMixin, UnfoldModelAdminViewMixin, TemplateView):
    """经济运行情况: every indicator for 1-N月 of a year, with 同比, target and 序时进度.
    ?year=2019&month=10; without a month, the latest month that has figures."""

    title = _("经济运行情况")
    permission_required = (VIEW,)
    template_name = "indicators/economy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = self.chosen_year()
        month = self.period_form.value("month") or economy_month(year=year)
        economy = economy_overview(year=year, month=month, user=self.request.user)
        return super().get_context_data(
            form=self.period_form,
            economy=economy,
            years=self.years(year),
            months=MONTH_CHOICES,
            **kwargs,
        )


class IndicatorYearView(_YearMixin, UnfoldModelAdminViewMixin, TemplateView):
    """One indicator's year: each month's 1-N月, 当月, 同比 and 环比, and a chart against the
    year before."""

    permission_required = (VIEW,)
    template_name = "indicators/year.html"

    @property
    def title(self) -> str:  # type: ignore[override]
        return str(self.indicator)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs["pk"] > MAX_ID:
            raise Http404
        self.indicator = get_object_or_404(indicators_visible(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        year = self.chosen_year()
        series = indicator_year(indicator=self.indicator, year=year)
        shown = [m for m in series.months if m.value is not None or m.previous is not None]
        # This year against the year before, as the table's 本期 and 上年同期 (1-N月 of a flow,
        # the month's end of a stock); unfold's bundled Chart.js draws it.
        unit = self.indicator.unit
        chart = {
            "labels": [str(label) for _number, label in MONTH_CHOICES],
            "datasets": [
                {
                    "label": str(year - 1),
                    "data": [_number(m.previous) for m in series.months],
                    "borderColor": "var(--color-base-400)",
                    "displayYAxis": True,
                    "suffixYAxis": unit,
                },
                {
                    "label": str(year),
                    "data": [_number(m.value) for m in series.months],
                    "borderColor": "var(--color-primary-600)",
                },
            ],
        }
        return super().get_context_data(
            form=self.period_form,
            indicator=self.indicator,
            series=series,
            shown=shown,
            years=self.years(year),
            chart=json.dumps(chart, ensure_ascii=False),
            **kwargs,
        )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


class _IndicatorChildAdmin(BusinessAdmin):
    """The figures and targets of the indicators."""

    list_select_related = ["indicator"]
    list_filter = ["year", "indicator"]
    search_fields = ["indicator__name", "indicator__code"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ExcelAdminMixin, _IndicatorChildAdmin):
    excel_register = indicator_value_register
    list_display = ["indicator", "year", "month", "value", "note"]
    fields = ["indicator", "year", "month", "value", "note"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "indicator" and field is not None:
            # A roll-up of the enterprises' figures takes no typed figure.
            field.queryset = field.queryset.typed()
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        indicator_value_save(value=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        indicator_value_delete(value=obj, by=request.user)


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(_IndicatorChildAdmin):
    list_display = ["indicator", "year", "value", "note"]
    fields = ["indicator", "year", "value", "note"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        indicator_target_save(target=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        indicator_target_delete(target=obj, by=request.user)
