"""Base classes for the back office: data scope, safe concurrent edits, history, services.

Every business ModelAdmin derives from `BusinessAdmin`: its lists are limited to the user's data
scope, its forms carry the record's version, saving goes through `record_save` (so a stale
form is refused with a message and nothing changes), and its 变更记录 page shows each field's
old and new value.
"""

import functools
import json
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ERROR_FLAG, SEARCH_VAR
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import SafeData
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.admin import TabularInline as UnfoldTabularInline
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.forms import ModelForm, add_service_error
from zoneops.common.inputs import (
    DateKind,
    date_bounds,
    date_error,
    parse_id,
    read_day,
    text_error,
)
from zoneops.common.panels import record_panels
from zoneops.common.scope import (
    can_see,
    can_write,
    check_not_widening_own_scope,
    pickable_queryset,
    scope_queryset,
    writable_queryset,
)
from zoneops.common.services import record_check_version, record_delete, record_save


class VersionedForm(ModelForm):
    """A ModelForm that remembers the version it was opened on and refuses a stale save."""

    edit_version = forms.IntegerField(
        label=_("编辑时的版本"), widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["edit_version"] = self.instance.version
        if self.instance.pk:
            self._keep_current_choices()

    def _keep_current_choices(self) -> None:
        """A relation the user may not pick himself (outside his scope) still shows and stays
        as it is: without it the field would render empty and the save would clear it."""
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or name not in self.initial:
                continue
            current = self.initial[name]
            values = current if isinstance(current, list | tuple) else [current]
            pks = [getattr(value, "pk", value) for value in values if value not in (None, "")]
            if pks:
                model = field.queryset.model
                field.queryset = field.queryset | model._base_manager.filter(pk__in=pks)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk:
            try:
                record_check_version(
                    instance=self.instance, expected_version=cleaned.get("edit_version")
                )
            except ApplicationError as error:
                raise ValidationError(error.message, code=error.code) from error
        return cleaned

    # Who saves it (set by BusinessAdmin.get_form): the record as the form leaves it is asked
    # of the write scope, so a refusal stands at its field and nothing typed is lost.
    scope_user: Any = None

    def _post_clean(self) -> None:
        super()._post_clean()
        user, instance = self.scope_user, self.instance
        if user is None or self.errors:
            return
        parent = getattr(type(instance), "scope_write_parent", None)
        if parent and parent in self.fields and not can_write(user, instance):
            self.add_error(parent, _("您不能为所选记录登记或修改：它不在您可修改的范围内。"))
            return
        try:
            check_not_widening_own_scope(user, instance)
        except ApplicationError as error:
            add_service_error(self, error)


class InputRulesAdminMixin:
    """Every ModelAdmin of the back office: its forms follow zoneops.common.inputs (see
    zoneops.common.forms), and a list's query — filters as links or typed into the address — that
    its field could not hold (a NUL, a date near year 1) shows the list unfiltered with a notice,
    as Django does for a filter it does not know, instead of reaching the database."""

    form: type[forms.ModelForm] = ModelForm
    # Options of later unfold versions that its 0.91 templates already read, on every list row
    # (list_sections) and form field (conditional_fields): without them each read is a failed
    # template lookup, which costs a dir() of the whole ModelAdmin. Empty, they mean what absent
    # means: no row sections, no conditional fields.
    list_sections: tuple = ()
    conditional_fields: dict = {}  # read, never written

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        for key, values in request.GET.lists():
            if key == SEARCH_VAR:
                continue  # a text to look for: `get_search_results` judges it
            model = self.model  # type: ignore[attr-defined]
            if not all(_query_value_fits(model, key, value) for value in values):
                raise IncorrectLookupParameters(key)
        return super().get_changelist_instance(request)  # type: ignore[misc]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # An add form prefilled from its link's query (?park=3): a value no field holds is left out.
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        model = self.model  # type: ignore[attr-defined]
        return {
            name: value
            for name, value in initial.items()
            if all(_query_value_fits(model, name, str(part)) for part in _as_list(value))
        }

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET" and request.GET.get(ERROR_FLAG) == "1":
            messages.warning(request, _("筛选条件无效，已显示全部记录。"))
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if request.method == "POST" and any(parse_id(pk) is None for pk in selected):
            messages.error(request, _("所选记录无效，未执行任何操作。"))
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # A past version's page (django-simple-history): its number is an id ('abc' was a 500).
        if parse_id(version_id) is None:
            raise Http404
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        # The list's search box and the pickers' autocomplete: a term no text holds finds nothing.
        if text_error(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]


def _query_value_fits(model: type[models.Model], key: str, value: str) -> bool:
    """Whether a value of a list's or a form's query could be held by the field its key names:
    no text holds a control character; a date field's value (a comma separates those of an
    `__in`) is no day, nor a year (`__year`), outside what any date can be — near year 1 or
    9999 a day fails in the database or in its time zone. Any other value is its field's to
    judge: a text field's is text, and a number no column holds finds nothing
    (zoneops.common.lookups)."""
    if text_error(value):
        return False
    field, lookups = _filtered_field(model, key)
    if not isinstance(field, models.DateField):
        return True
    if {"year", "iso_year"} & set(lookups) and value.strip().lstrip("-").isdigit():
        first, last = date_bounds(DateKind.ANY)
        return first.year <= int(value) <= last.year
    for part in value.split(","):
        day = read_day(part, leading=True)  # 2019-10-01, 2019-10-01 08:00
        if day is not None and date_error(day, DateKind.ANY):
            return False
    return True


def _filtered_field(model: type[models.Model], key: str) -> tuple[Any, list[str]]:
    """The field a query's key filters on, through its relations (project__signed_on__gte: the
    project's signed_on), and the lookups applied to it; (None, ...) for a key that names no
    field (a page number, a list filter's own parameter)."""
    parts = key.split(LOOKUP_SEP)
    field: Any = None
    meta: Any = model._meta
    for index, part in enumerate(parts):
        try:
            field = meta.get_field(part)
        except FieldDoesNotExist:
            return field, parts[index:]
        if field.related_model is None:
            return field, parts[index + 1 :]
        meta = field.related_model._meta
    return field, []


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


class TabularInline(UnfoldTabularInline):
    """The back office's inline rows: their forms follow zoneops.common.inputs too."""

    form = ModelForm


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter over a related model offers only the records the user may see."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        queryset = scope_queryset(field.related_model._default_manager.all(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


# Every relation filter in the back office goes through the data scope.
admin.FieldListFilter.register(
    lambda field: bool(field.remote_field), ScopedRelatedFieldListFilter, take_priority=True
)


class ScopedAdminMixin:
    """Limits every list, lookup and object page to the user's data scope."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if getattr(request.resolver_match, "url_name", None) == "autocomplete":
            # The admin's autocomplete serves form pickers: what one may choose, not read.
            return pickable_queryset(queryset, request.user)
        return scope_queryset(queryset, request.user)

    def get_field_queryset(self, db: Any, db_field: Any, request: HttpRequest) -> Any:
        queryset = super().get_field_queryset(db, db_field, request)  # type: ignore[misc]
        related = db_field.remote_field.model
        if queryset is None:
            queryset = related._default_manager.using(db).all()
        if db_field.name == getattr(self.model, "scope_write_parent", None):  # type: ignore[attr-defined]
            # A record belongs only to a parent the user may write (an enterprise's figures).
            return writable_queryset(queryset, request.user)
        return pickable_queryset(queryset, request.user)

    # Reading is not writing: a record the user sees (the register every colleague reads) is
    # his to change or delete only when its owners include him (`can_write`).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and self._writable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and self._writable(request, obj)

    def _writable(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return True
        # A page asks many times (each button, each inline): once per record and request.
        cache = request.__dict__.setdefault("_zoneops_writable", {})
        if not isinstance(obj, models.Model):
            # unfold's record buttons ask with the record's id; one out of sight is the
            # view's to answer (404), not a refusal to change it.
            key = (self.model._meta.label, str(obj))  # type: ignore[attr-defined]
            if key not in cache:
                found = _object_of_buttons(self, request, str(obj))
                cache[key] = True if found is None else self._writable(request, found)
            return cache[key]
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = can_write(request.user, obj)
        return cache[key]


def _object_of_buttons(model_admin: Any, request: HttpRequest, object_id: str) -> Any:
    """The record a page's buttons ask about (may he change it, which steps fit), read once for
    them all; the page's form reads its own copy."""
    cache = request.__dict__.setdefault("_zoneops_button_objects", {})
    key = (model_admin.model._meta.label, object_id)
    if key not in cache:
        cache[key] = model_admin.get_object(request, unquote(object_id))
    return cache[key]


class ServiceErrorsMixin:
    """A refusal that only the service can see (e.g. a save that raced another) is shown as a
    message on the same page instead of an error page; the admin view's transaction has been
    rolled back, so nothing changed."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())


class StepActionsMixin:
    """A record's page offers only the step buttons its state allows: `available_steps` names
    the `@action` methods that fit (None: every one)."""

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return None

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> Any:
        actions = super().get_actions_detail(request, object_id)  # type: ignore[misc]
        obj = _object_of_buttons(self, request, str(object_id)) if object_id else None
        steps = None if obj is None else self.available_steps(request, obj)
        if steps is None:
            return actions
        meta = self.model._meta  # type: ignore[attr-defined]
        names = {f"{meta.app_label}_{meta.model_name}_{step}" for step in steps}
        return [item for item in actions if item.action_name in names]


class EstimatedCountPaginator(Paginator):
    """Pages of a list that do not count every row where counting is slow.

    PostgreSQL counts by reading the whole table (a million rows take a noticeable part of a
    second); when its planner expects more than `exact_below` rows, the list shows the planner's
    estimate (kept fresh by autovacuum's ANALYZE) and pages by it. Below that, and on SQLite
    (whose count walks the smallest index in a few milliseconds), the count is exact.
    """

    exact_below = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, models.QuerySet):
            database = connections[queryset.db]
            if database.vendor == "postgresql":
                try:
                    sql, params = queryset.order_by().query.sql_with_params()
                except EmptyResultSet:  # a filter that can match nothing (an empty id list)
                    return 0
                exact = _count_if_table_small(
                    queryset.model, sql, params, database, self.exact_below
                )
                if exact is not None:
                    return exact
                estimate = _planned_rows(sql, params, database)
                if estimate >= self.exact_below:
                    return estimate
        return super().count


def _count_if_table_small(
    model: type[models.Model], sql: str, params: Any, database: Any, below: int
) -> int | None:
    """The exact count, in the one query a list always took, when the whole table holds fewer
    than `below` rows by the planner's statistics (or has none yet); None for a large table."""
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN COALESCE((SELECT reltuples FROM pg_class"  # nosec B608 # noqa: S608  the list's SQL
            " WHERE oid = to_regclass(%s)), -1) < %s"
            f" THEN (SELECT COUNT(*) FROM ({sql}) AS listed) END",
            [database.ops.quote_name(model._meta.db_table), below, *params],
        )
        (count,) = cursor.fetchone()
    return count


def _planned_rows(sql: str, params: Any, database: Any) -> int:
    with database.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class IndexDatesQuerySet(models.QuerySet):
    """The date hierarchy's reads from an index: its years (and a year's months) run from the
    first date to the last, each read at one end of the index, and its first and last dates
    likewise, instead of a DISTINCT over every row (seconds on half a million cases). A year or
    month without rows may show among them; opening it shows an empty list."""

    def dates(self, field_name: str, kind: Any, order: Any = "ASC") -> Any:
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        first, last = self._ends(field_name)
        if first is None or last is None:
            return []
        if kind == "year":
            found = [date(year, 1, 1) for year in range(first.year, last.year + 1)]
        else:
            found = [
                date(month // 12, month % 12 + 1, 1)
                for month in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            ]
        return found if order == "ASC" else found[::-1]

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        ends = {"first": models.Min, "last": models.Max}
        if (
            args
            or set(kwargs) != set(ends)
            or not all(
                type(kwargs[name]) is kind and len(kwargs[name].source_expressions) == 1
                for name, kind in ends.items()
            )
        ):
            return super().aggregate(*args, **kwargs)
        field_name = kwargs["first"].source_expressions[0].name
        first, last = self._ends(field_name)
        return {"first": first, "last": last}

    def _ends(self, field_name: str) -> tuple[Any, Any]:
        """The first and the last date in one query (as Django's own aggregate and DISTINCT
        each take one), each end a subquery that reads one end of the index."""
        rows = (
            self._without_annotations()
            .filter(**{f"{field_name}__isnull": False})
            .values_list(field_name, flat=True)
        )
        ends = (
            self.model._base_manager.annotate(
                first=models.Subquery(rows.order_by(field_name)[:1]),
                last=models.Subquery(rows.order_by(f"-{field_name}")[:1]),
            )
            .values_list("first", "last")
            .order_by()[:1]
        )
        return next(iter(ends), (None, None))

    def _without_annotations(self) -> models.QuerySet:
        """The same rows without the list's per-row figures (a meeting's counts, a record's
        clock): the dates read no figure, and each annotation is resolved again, relabelled
        and compiled inside both subqueries (a third of the meetings list's time). A filter on
        an annotation holds its own copy of the expression, so the rows stay the same; an
        aggregate (GROUP BY) is left as it is."""
        annotations = self.query.annotations.values()
        if not annotations or any(annotation.contains_aggregate for annotation in annotations):
            return self
        bare = self._chain()
        bare.query.annotations = {}
        bare.query.set_annotation_mask(None)
        return bare


def with_index_dates(queryset: models.QuerySet) -> models.QuerySet:
    if not isinstance(queryset, IndexDatesQuerySet):
        queryset.__class__ = _index_dates_class(type(queryset))
    return queryset


@functools.cache
def _index_dates_class(cls: type) -> type:
    return type(f"IndexDates{cls.__name__}", (IndexDatesQuerySet, cls), {})


class BusinessAdmin(
    InputRulesAdminMixin,
    StepActionsMixin,
    ScopedAdminMixin,
    ServiceErrorsMixin,
    SimpleHistoryAdmin,
    ModelAdmin,
):
    form = VersionedForm
    list_per_page = 50
    show_full_result_count = False  # a count(*) over a large table on every page is not free
    paginator = EstimatedCountPaginator  # nor is the count of the list itself, on PostgreSQL
    warn_unsaved_form = True
    readonly_preprocess_fields = {}
    history_list_display: list[str] = []
    # What other apps show on this record's page (common.panels), under the form.
    change_form_after_template = "common/_record_panels.html"

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        if changelist.date_hierarchy:
            changelist.queryset = with_index_dates(changelist.queryset)
        return changelist

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "edit_version" not in form.base_fields:
            form.base_fields["edit_version"] = VersionedForm.base_fields["edit_version"]
        form.scope_user = request.user  # a class made for this request by modelform_factory
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets = super().get_fieldsets(request, obj)
        names = {name for _title, options in fieldsets for name in _flatten(options["fields"])}
        if "edit_version" not in names:
            fieldsets = [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        record_save(instance=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_delete(instance=obj, by=request.user)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ):
        context["record_panels"] = record_panels(request=request, obj=obj) if obj else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.path)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        self._visible_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ):
        # A past version is for reading: reverting would save without the version check and
        # the role's change permission, so only GET is served.
        if request.method != "GET":
            raise PermissionDenied
        self._visible_object_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _visible_object_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not can_see(request.user, obj):
            raise Http404
        return obj


def once_per_record(method: Any) -> Any:
    """A record page's computed field worked out once per record and request: unfold draws a
    read-only field by asking for its value up to five times (resolving it, is_file, contents)
    and the record is read anew on each request, so its value is kept on the record."""
    key = f"_once_{method.__name__}"

    @functools.wraps(method)
    def once(self: Any, obj: Any) -> Any:
        if obj is None:
            return method(self, obj)
        found = vars(obj)
        if key not in found:
            found[key] = method(self, obj)
        return found[key]

    return once


def record_or_404(queryset: models.QuerySet, object_id: Any) -> Any:
    """The record a URL's id names within `queryset`; 404 for any other id or text."""
    pk = parse_id(object_id)
    if pk is None:
        raise Http404
    return get_object_or_404(queryset, pk=pk)


def _flatten(fields: Any) -> list[str]:
    names: list[str] = []
    for entry in fields:
        if isinstance(entry, list | tuple):
            names.extend(_flatten(entry))
        else:
            names.append(entry)
    return names


__all__ = [
    "BusinessAdmin",
    "InputRulesAdminMixin",
    "ScopedAdminMixin",
    "ServiceErrorsMixin",
    "TabularInline",
    "VersionedForm",
    "_",
    "record_or_404",
]


class RecordStepView(UnfoldModelAdminViewMixin, FormView):
    """One step on a record (a reroute, an answer, a stage move): the record looked up within the
    user's scope, a form that carries the version it was opened on, the service call, and the
    service's refusal shown on the form with nothing changed.

    A subclass names `model`, `form_class`, `title`, `permission_required`, `template_name`,
    and implements `perform(data)`; `notice()` says why the step cannot be taken now.
    """

    model: type[models.Model]
    context_name = "record"
    step = ""
    submit_label: Any = _("确认")
    done_message: Any = ""

    def get_queryset(self) -> models.QuerySet:
        # A step changes the record: it is looked up among those the user may change.
        return writable_queryset(self.model._default_manager.all(), self.request.user)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.has_permission():
            return self.handle_no_permission()
        self.record = record_or_404(self.get_queryset(), kwargs["object_id"])
        if not can_write(request.user, self.record):
            raise PermissionDenied  # he reads it (a page may look it up so), not his to change
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"edit_version": getattr(self.record, "version", None)}

    def notice(self) -> str:
        """Why the step cannot be taken now ("" when it can)."""
        return ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **{self.context_name: self.record},
            notice=self.notice(),
            submit_label=self.submit_label,
            **kwargs,
        )

    def perform(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def message_values(self, result: Any) -> dict[str, Any]:
        return {self.context_name: self.record}

    def success_url(self, result: Any) -> str:
        """The record's page, or the list when the step took it out of the user's scope."""
        meta = self.model._meta
        if not can_see(self.request.user, self.record):
            return reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.record.pk])

    def form_valid(self, form: forms.Form) -> HttpResponse:
        notice = self.notice()
        if notice:
            # The step closed after the form was opened: someone else moved the record on (the
            # version says so), or the form was sent again. Said on the form; nothing changes.
            sent, current = (
                form.cleaned_data.get("edit_version"),
                getattr(self.record, "version", None),
            )
            if sent is not None and current is not None and sent != current:
                add_service_error(
                    form, StaleEditError(label=str(self.record), current_version=current)
                )
            else:
                form.add_error(None, notice)
            return self.form_invalid(form)
        try:
            result = self.perform(form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        if self.done_message:
            messages.success(self.request, self.done_message % self.message_values(result))
        return HttpResponseRedirect(self.success_url(result))


def label_html(text: Any, colour: str | None) -> str:
    """An unfold label (badge) with the text, in the colour (success, warning, danger, info).
    Rendered once per text and colour: a page of 350 items on 今日事项 rendered the template
    for each of their badges (about 0.1 ms each)."""
    text = str(text)  # a lazy text in the language of the request
    return _label_html(text, isinstance(text, SafeData), colour or "")


@functools.lru_cache(maxsize=4096)
def _label_html(text: str, safe: bool, colour: str) -> str:
    # `safe` in the key: a text marked safe and the same text to escape are two labels.
    return render_to_string("unfold/helpers/label.html", {"text": text, "type": colour})


class StandalonePageHost:
    """What the admin's layout (sidebar, site header) needs of a page's ModelAdmin: its site.
    For the pages that stand on no register of their own, mounted by their app's urls under
    /admin/ (the chain map, the briefings)."""

    admin_site = admin.site


def standalone_host() -> Any:
    return StandalonePageHost()
