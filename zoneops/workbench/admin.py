"""The back office's first page (今日事项, the admin index: 工作台), the carry-over step
(日清日结: 顺延) and the same-day count (日清日结统计) with its Excel export."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.casework.admin import clock_badge, clock_colours
from zoneops.casework.workbench import LATE, TODAY
from zoneops.common.admin_base import BusinessAdmin, label_html
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, read_day
from zoneops.common.periods import MONTH_CHOICES, Period, format_day
from zoneops.workbench.excel import cleared_counts_workbook
from zoneops.workbench.models import REASON_MAX_LENGTH, CarryOver
from zoneops.workbench.selectors import (
    MINE,
    VIEW_TITLES,
    Board,
    Row,
    cleared_same_day_counts,
    day_board,
    sources_by_key,
)
from zoneops.workbench.services import carry_over_item

VIEW_PERMISSION = "workbench.view_carryover"
ADD_PERMISSION = "workbench.add_carryover"
# How far back the page shows a past day (its 日清日结 after the fact).
PAST_DAYS = 366
ID_MAX = 2**63 - 1
WEEKDAYS = (
    _("星期一"),
    _("星期二"),
    _("星期三"),
    _("星期四"),
    _("星期五"),
    _("星期六"),
    _("星期日"),
)


def _badge(row: Row) -> str:
    """The kernel's clock badge where the item runs a clock; days late otherwise."""
    clock = row.item.clock
    if clock is not None:
        return clock_badge(clock, clock_colours(type(clock)))
    if row.standing == LATE:
        return label_html(gettext("逾期%(days)s天") % {"days": row.days_late}, "danger")
    if row.standing == TODAY:
        return label_html(gettext("今日到期"), "warning")
    return label_html(gettext("%(day)s到期") % {"day": format_day(row.item.due_on)}, "success")


def _finished_badge(row: Row, on: date) -> str:
    """A finished item's clock says whether it was on time; without one, its day says it."""
    if row.item.clock is not None:
        return _badge(row)
    if row.item.due_on >= on:
        return label_html(gettext("按期完成"), "info")
    return label_html(gettext("逾期完成"), "default")


def _with_badges(board: Board) -> None:
    for row in (*board.late, *board.today, *board.soon):
        vars(row)["badge"] = _badge(row)
    for row in board.finished:
        vars(row)["badge"] = _finished_badge(row, board.on)


def _day_asked(request: HttpRequest, today: date) -> date:
    """The day asked for (`?day=`, a past day's 日清日结), today when none or not a fit."""
    text = request.GET.get("day", "")
    if not text:
        return today
    day = read_day(text)
    if day is None or day > today or day < today - timedelta(days=PAST_DAYS):
        messages.error(
            request,
            gettext("日期“%(text)s”无效：请填写今天或一年内的某一天，如 %(today)s。")
            % {"text": text[:20], "today": today.isoformat()},
        )
        return today
    return day


def today_index(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """今日事项: the first page after login (the admin index)."""
    today = timezone.localdate()
    on = _day_asked(request, today)
    every = request.GET.get("rows") == "all"
    board = day_board(user=request.user, on=on, view=request.GET.get("view", MINE), every=every)
    _with_badges(board)
    context = {
        **admin.site.each_context(request),
        "title": gettext("今日事项"),
        "board": board,
        "today": today,
        "is_today": on == today,
        "weekday": WEEKDAYS[on.weekday()],
        "views": [(view, VIEW_TITLES[view]) for view in board.views],
        "may_carry_over": on == today and request.user.has_perm(ADD_PERMISSION),
        "reason_max": REASON_MAX_LENGTH,
        **(extra_context or {}),
    }
    return TemplateResponse(request, "workbench/today.html", context)


class CarryOverForm(Form):
    source = forms.CharField(label=_("事项类别"), max_length=30)
    record_pk = forms.IntegerField(label=_("事项编号"), min_value=1, max_value=ID_MAX)
    reason = forms.CharField(
        label=_("顺延理由"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea
    )
    new_date = forms.DateField(label=_("预计完成日期"), required=False)
    view = forms.CharField(required=False, max_length=20)


def _form_message(form: forms.Form) -> str:
    return "；".join(
        f"{form.fields[name].label or name}：{'、'.join(str(e) for e in errors)}"
        if name in form.fields
        else "、".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )


# --- 日清日结统计 -----------------------------------------------------------------------------


class PeriodForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    first_month = forms.TypedChoiceField(label=_("起始月份"), coerce=int, choices=MONTH_CHOICES)
    last_month = forms.TypedChoiceField(label=_("截止月份"), coerce=int, choices=MONTH_CHOICES)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        self.today = timezone.localdate()
        self.defaults = {"year": self.today.year, "first_month": 1, "last_month": self.today.month}
        super().__init__(data, initial=self.defaults, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first is not None and last is not None and first > last:
            self.add_error("last_month", _("截止月份不能早于起始月份。"))
        return cleaned

    def period(self) -> Period:
        """The period asked for, or this year so far when the form is empty or wrong."""
        values = dict(self.defaults)
        if self.is_bound and self.is_valid():
            values.update(self.cleaned_data)
        return Period(values["year"], values["first_month"], values["last_month"])

    def title(self, period: Period) -> str:
        return gettext("%(period)s日清日结情况统计表") % {"period": period.label_on(self.today)}


class ClearedCountsView(UnfoldModelAdminViewMixin, TemplateView):
    """日清日结统计: the items finished on the day they arrived, per kind and department."""

    title = _("日清日结统计")
    permission_required = (VIEW_PERMISSION,)
    template_name = "workbench/cleared.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PeriodForm(self.request.GET or None)
        period = form.period()
        return super().get_context_data(
            form=form,
            period_title=form.title(period),
            counts=cleared_same_day_counts(user=self.request.user, period=period),
            query=self.request.GET.urlencode(),
            **kwargs,
        )


@admin.register(CarryOver)
class CarryOverAdmin(BusinessAdmin):
    """The carry-overs, read only: each is written by its service from the day's page."""

    list_display = ["day", "title", "source_label", "department", "user", "reason", "new_date"]
    list_filter = ["day"]
    search_fields = ["title", "reason"]
    date_hierarchy = "day"
    fields = ["day", "title", "source", "record_pk", "department", "user", "reason", "new_date"]
    readonly_fields = fields

    @admin.display(description=_("事项类别"))
    def source_label(self, obj: CarryOver) -> str:
        source = sources_by_key().get(obj.source)
        return str(source.label) if source else obj.source

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        site = self.admin_site
        return [
            path(
                "carry-over/",
                site.admin_view(require_POST(self.carry_over_view)),
                name="workbench_carryover_carry",
            ),
            path(
                "cleared/",
                site.admin_view(ClearedCountsView.as_view(model_admin=self)),
                name="workbench_carryover_cleared",
            ),
            path(
                "cleared/export/",
                site.admin_view(self.cleared_export),
                name="workbench_carryover_cleared_export",
            ),
            *super().get_urls(),
        ]

    def carry_over_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        form = CarryOverForm(request.POST)
        back = reverse("admin:index")
        if form.is_valid():
            data = form.cleaned_data
            if data["view"] and data["view"] != MINE:
                back += f"?view={data['view'] if data['view'].isalnum() else MINE}"
            try:
                carry_over = carry_over_item(
                    source=data["source"],
                    record_pk=data["record_pk"],
                    reason=data["reason"],
                    new_date=data["new_date"],
                    by=request.user,
                )
            except ApplicationError as error:
                messages.error(request, gettext("未能顺延：%(error)s") % {"error": error.message})
            else:
                messages.success(
                    request, gettext("已顺延：%(title)s。") % {"title": carry_over.title}
                )
        else:
            messages.error(request, gettext("未能顺延：%(error)s") % {"error": _form_message(form)})
        return HttpResponseRedirect(back)

    def cleared_export(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        form = PeriodForm(request.GET or None)
        period = form.period()
        title = form.title(period)
        counts = cleared_same_day_counts(user=request.user, period=period)
        return xlsx_response(cleared_counts_workbook(counts=counts, title=title), f"{title}.xlsx")
