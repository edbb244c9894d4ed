"""The back office's side of the kernel: one step page and one set of step buttons for every
clocked record, and the clock's badge.

An app's admin:
- mixes `StepButtonsMixin` into its ModelAdmin and says which steps a record offers now
  (`record_steps`, from its selector); each step is an unfold `@action` opening its page;
- writes one `ClockedStepView` subclass per step, naming its form (on `StepForm`), its title
  and words, and either `service` (the form's fields are the service's arguments) or `perform`;
- extends "casework/step.html" for the record's header (block `record`).
"""

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.casework.clocks import SUSPENDED_KEY, DeadlineClock
from zoneops.casework.selectors import clock_of, records_with_clock
from zoneops.common.admin_base import (
    RecordStepView,
    StepActionsMixin,
    add_service_error,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form


def clock_colours(clock_class: type[DeadlineClock]) -> dict[str, str]:
    """DeadlineClock.key → unfold label colour, every key listed (unfold prints an unknown key
    as is): the warning's colours, the suspended clock's, and the record's done keys."""
    return {
        "normal": "success",
        "yellow": "warning",
        "red": "danger",
        SUSPENDED_KEY: "primary",  # the clock stands: neither a warning nor done
        clock_class.done_key: "info",
        f"{clock_class.done_key}_late": "default",  # grey: done, late
    }


def clock_badge(clock: DeadlineClock | None, colours: dict[str, str]) -> str:
    """The clock as a badge: its label in its key's colour; "—" while no clock runs."""
    if clock is None:
        return "—"
    return label_html(clock.label, colours.get(clock.key))


class StepForm(Form):
    """The fields every step form has: the day of the step (today by default) and the version
    the record was opened at (a stale step is refused)."""

    on = forms.DateField(
        label=_("日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("默认今天。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class StepButtonsMixin(StepActionsMixin):
    """A clocked record's change page offers the buttons of the steps its state allows now:
    `record_steps` names them (the app's selector), `step_methods` maps a step to its admin
    method when the names differ (e.g. "return", a Python keyword)."""

    step_methods: ClassVar[dict[str, str]] = {}

    def record_steps(self, request: HttpRequest, obj: Any) -> Any:
        raise NotImplementedError

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return {self.step_methods.get(step, step) for step in self.record_steps(request, obj)}


class ClockedStepView(RecordStepView):
    """One step on a clocked record: the record within the user's scope, the form with the
    version it was opened at, the service call, the service's refusal on the form with
    nothing changed, and the record's clock and events on the page.

    A subclass names `model`, `context_name`, `permission_required`, `template_name` (an
    extension of "casework/step.html"), `title`, `step`, `form_class`, `submit_label`,
    `done_message`, and `service` or `perform`; and implements `available_steps` (the steps
    the record offers this user now) and `closed_notice` (why this step is not one of them).
    """

    template_name = "casework/step.html"
    # The step's service, when the form's fields are its arguments (the hidden edit_version
    # its expected version); it takes the record as `record_argument`.
    service: Any = None
    record_argument: ClassVar[str] = "record"

    def available_steps(self) -> set[str]:
        raise NotImplementedError

    def closed_notice(self) -> str:
        raise NotImplementedError

    def available(self) -> set[str]:
        if not hasattr(self, "_available"):
            self._available = set(self.available_steps())
        return self._available

    def notice(self) -> str:
        """Why the step cannot be taken now ("" when it can)."""
        if self.step in self.available():
            return ""
        return self.closed_notice()

    def events(self) -> list[Any]:
        """The record's steps as the page lists them."""
        return list(self.record.events.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meta = self.model._meta
        return super().get_context_data(
            record=self.record,
            record_url=reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.record.pk]
            ),
            clock=clock_of(self.record),
            colours=clock_colours(self.model.clock_class),  # type: ignore[attr-defined]
            events=self.events(),
            **kwargs,
        )

    def perform(self, data: dict[str, Any]) -> Any:
        values = dict(data)
        expected_version = values.pop("edit_version", None)
        return self.service(
            **{self.record_argument: self.record},
            by=self.request.user,
            expected_version=expected_version,
            **values,
        )

    def message_values(self, result: Any) -> dict[str, Any]:
        record = result if isinstance(result, self.model) else self.record
        return {self.context_name: record}

    def form_valid(self, form: forms.Form) -> HttpResponse:
        # A step no longer open (another user moved the record on) is refused by the service
        # with its reason, shown on the form; nothing changes.
        try:
            result = self.perform(form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message % self.message_values(result))
        return HttpResponseRedirect(self.success_url(result))


class OverdueFilter(admin.SimpleListFilter):
    """逾期 / 未逾期 on a clocked register, as the record's own `overdue_q` says today."""

    title = _("逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        overdue = queryset.model.overdue_q(on=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class ClockedChangeList(ChangeList):
    """A clocked register's page of rows gets each record's clock from one calendar reading."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        records_with_clock(self.result_list)
