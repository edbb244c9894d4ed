"""The work calendar in the back office: the years entered and the days that break the weekend rule.

Every change goes through `zoneops.common.calendar_services`, so a hand-made change marks its
year as entered by hand (MANUAL) and a re-import from chinesecalendar leaves that year alone.
"""

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from zoneops.common.admin_base import InputRulesAdminMixin
from zoneops.common.calendar_services import (
    calendar_check_day,
    calendar_clear_day,
    calendar_move_day,
    calendar_package_years,
    calendar_seed_year,
    calendar_set_day,
    calendar_year_delete,
    calendar_year_enter,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import ModelForm
from zoneops.common.models import CalendarDay, CalendarYear

# The index page lists every area the user may open, as the sidebar does.
admin.site.index_title = _("工作台")


class CalendarDayForm(ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day, working = cleaned.get("date"), cleaned.get("is_working_day")
        if day is not None and working is not None:
            try:
                calendar_check_day(day=day, is_working_day=working)
            except ApplicationError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(InputRulesAdminMixin, ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]
    list_per_page = 100
    nav_order = 110

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if change:
            saved = calendar_move_day(
                from_day=form.initial["date"],
                to_day=obj.date,
                is_working_day=obj.is_working_day,
                name=obj.name,
                by=request.user,
            )
        else:
            saved = calendar_set_day(
                day=obj.date, is_working_day=obj.is_working_day, name=obj.name, by=request.user
            )
        obj.pk = saved.pk  # the admin redirects to it
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_clear_day(day=obj.date, by=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for day in queryset.values_list("date", flat=True):
            calendar_clear_day(day=day, by=request.user)


def _days_of_year(**conditions: Any) -> Subquery:
    return Subquery(
        CalendarDay.objects.filter(date__year=OuterRef("year"), **conditions)
        .order_by()
        .values("date__year")
        .annotate(count=Count("pk"))
        .values("count")
    )


class CalendarYearForm(ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(InputRulesAdminMixin, ModelAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "holidays", "working_weekend_days", "note", "updated_at"]
    list_filter = ["source"]
    actions = ["reseed", "reseed_overwriting_manual"]
    nav_order = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_count=_days_of_year(is_working_day=False),
                working_weekend_count=_days_of_year(is_working_day=True),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A year is entered by adding it; afterwards it changes through its days and the actions.
        return ["year", "source", "note", "updated_at"] if obj else ["source"]

    @admin.display(description=_("节假日（工作日放假）"), ordering="holiday_count")
    def holidays(self, obj: CalendarYear) -> int:
        return obj.holiday_count or 0  # type: ignore[attr-defined]

    @admin.display(description=_("调休上班"), ordering="working_weekend_count")
    def working_weekend_days(self, obj: CalendarYear) -> int:
        return obj.working_weekend_count or 0  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        if change:
            return
        saved = calendar_year_enter(year=obj.year, note=obj.note, by=request.user)
        obj.pk, obj.source = saved.pk, saved.source
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        calendar_year_delete(calendar_year=obj, by=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for calendar_year in queryset:
            calendar_year_delete(calendar_year=calendar_year, by=request.user)

    @admin.action(description=_("从 chinesecalendar 重新导入"), permissions=["change"])
    def reseed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reseed(request, queryset, force=False)

    @admin.action(
        description=_("从 chinesecalendar 重新导入（覆盖人工修改）"), permissions=["change"]
    )
    def reseed_overwriting_manual(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reseed(request, queryset, force=True)

    def _reseed(self, request: HttpRequest, queryset: QuerySet, *, force: bool) -> None:
        seeded, kept, refused = [], [], []
        covered = calendar_package_years()
        for year in sorted(queryset.values_list("year", flat=True)):
            if year not in covered:
                refused.append(year)
                continue
            try:
                result = calendar_seed_year(year=year, force=force)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            (kept if result.source == CalendarYear.Source.MANUAL else seeded).append(year)
        if seeded:
            self.message_user(
                request, _("已重新导入：%(years)s") % {"years": _years(seeded)}, messages.SUCCESS
            )
        if kept:
            self.message_user(
                request,
                _("%(years)s 有人工修改，未覆盖；如确需覆盖，请用“重新导入（覆盖人工修改）”。")
                % {"years": _years(kept)},
                messages.WARNING,
            )
        if refused:
            self.message_user(
                request,
                _(
                    "chinesecalendar 数据包没有这些年份的数据"
                    "（仅有 %(first)s–%(last)s 年）：%(years)s"
                )
                % {"years": _years(refused), "first": covered[0], "last": covered[-1]},
                messages.ERROR,
            )


def _years(years: list[int]) -> str:
    return "、".join(str(year) for year in years)
