"""Back office of the systemic blockers (共性堵点): the register with its counts, the add and
change forms through the services, the grouped requests and problems on a blocker's page, one
page per step (group, take out, resolve), and 候选共性问题 — open requests and problems that
several enterprises report alike, each group turned into a blocker in one step."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.blockers.models import SystemicBlocker
from zoneops.blockers.selectors import (
    CandidateGroup,
    blocker_available_actions,
    blocker_candidates,
    blocker_member_problems,
    blocker_member_requests,
    blocker_members,
    blockers_visible,
    blockers_with_counts,
    candidate_problems,
    candidate_requests,
    member_problems,
    member_requests,
)
from zoneops.blockers.services import (
    BLOCKER_FIELDS,
    blocker_attach,
    blocker_check,
    blocker_create,
    blocker_delete,
    blocker_detach,
    blocker_resolve,
    blocker_update,
)
from zoneops.common.admin_base import (
    BusinessAdmin,
    RecordStepView,
    TabularInline,
    VersionedForm,
    add_service_error,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.scope import pickable_queryset
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem

STATUS_COLOURS: dict[str, str] = {
    SystemicBlocker.Status.OPEN: "warning",
    SystemicBlocker.Status.RESOLVED: "success",
}
OVERDUE_COLOURS: dict[str, str] = {"overdue": "danger", "none": "default"}


def _active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("order", "pk")


# --- list filters --------------------------------------------------------------------------------


class OverdueMembersFilter(admin.SimpleListFilter):
    title = _("逾期事项")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("有逾期事项")), ("no", _("无逾期事项"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(overdue_count__gt=0)
        if self.value() == "no":
            return queryset.filter(overdue_count=0)
        return queryset


# --- the grouped requests and problems on a blocker's page ---------------------------------------


class _MemberInline(TabularInline):
    """Read-only rows: every member of the blocker (its lead coordinates them all), each linking
    to its own page where its steps are taken."""

    extra = 0
    can_delete = False
    fk_name = "blocker"
    hide_title = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("逾期"))
    def show_overdue(self, obj: Any) -> str:
        return label_html(_("已逾期"), "danger") if getattr(obj, "is_overdue", False) else "—"

    # What a member inline names: its members (with their overdue flag) and their change page.
    members: Any = None
    change_url_name = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        if not self.has_view_or_change_permission(request):
            return self.model.objects.none()
        return type(self).members()

    def title_link(self, obj: Any) -> str:
        url = reverse(self.change_url_name, args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.title)


class BlockerRequestInline(_MemberInline):
    model = EnterpriseRequest
    fields = ["title_link", "enterprise", "department", "status", "due_on", "show_overdue"]
    readonly_fields = fields
    verbose_name_plural = _("归入的企业诉求")
    members = member_requests
    change_url_name = "admin:enterprises_enterpriserequest_change"

    @admin.display(description=_("诉求"))
    def title_link(self, obj: Any) -> str:
        return super().title_link(obj)


class BlockerProblemInline(_MemberInline):
    model = Problem
    fields = ["title_link", "project", "department", "status", "due_on", "show_overdue"]
    readonly_fields = fields
    verbose_name_plural = _("归入的项目问题")
    members = member_problems
    change_url_name = "admin:projects_problem_change"

    @admin.display(description=_("问题"))
    def title_link(self, obj: Any) -> str:
        return super().title_link(obj)


# --- the register --------------------------------------------------------------------------------


class SystemicBlockerForm(VersionedForm):
    """The blocker's own fields, checked by the service's rule before anything is saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "opened_on" in self.fields:
            self.fields["opened_on"].required = False
            self.fields["opened_on"].help_text = _("默认今天。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        needed = ("title", "owner", "department")
        if not self.errors and all(cleaned.get(name) for name in needed):
            try:
                blocker_check(
                    title=cleaned["title"],
                    owner=cleaned["owner"],
                    department=cleaned["department"],
                    opened_on=cleaned.get("opened_on"),
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


@admin.register(SystemicBlocker)
class SystemicBlockerAdmin(BusinessAdmin):
    form = SystemicBlockerForm
    list_display = [
        "title",
        "category",
        "topic",
        "department",
        "owner",
        "show_status",
        "show_requests",
        "show_problems",
        "show_enterprises",
        "show_open",
        "show_overdue",
        "opened_on",
    ]
    list_display_links = ["title"]
    list_filter = ["status", OverdueMembersFilter, "category", "topic", "department"]
    search_fields = ["title", "description"]
    list_select_related = ["owner", "department"]
    autocomplete_fields = ["owner", "department"]
    date_hierarchy = "opened_on"
    actions_detail = ["attach", "detach", "resolve"]
    nav_order = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return blockers_with_counts(super().get_queryset(request))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets: list[Any] = [
            (None, {"fields": ["title", "description", ("category", "topic")]}),
            (_("牵头"), {"fields": [("department", "owner"), "opened_on"]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    _("办理情况"),
                    {
                        "fields": [
                            ("status_badge", "show_counts"),
                            ("resolved_on", "resolution"),
                        ]
                    },
                )
            )
        return [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return []
        return ["status_badge", "show_counts", "resolved_on", "resolution"]

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        return [BlockerRequestInline, BlockerProblemInline] if obj is not None else []

    # A resolved blocker is the record of what was done: read-only. (Unfold asks about a
    # detail action with the object's id, not the object.)
    @staticmethod
    def _resolved(obj: Any) -> bool:
        return isinstance(obj, SystemicBlocker) and obj.status == SystemicBlocker.Status.RESOLVED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._resolved(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._resolved(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service
        return actions

    def save_model(self, request: HttpRequest, obj: SystemicBlocker, form: Any, change: bool):
        data = form.cleaned_data
        if change:
            blocker_update(
                blocker=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                **{name: data[name] for name in form.changed_data if name in BLOCKER_FIELDS},
            )
            return
        created = blocker_create(
            title=data["title"],
            description=data.get("description") or "",
            category=data["category"],
            topic=data["topic"],
            owner=data["owner"],
            department=data["department"],
            opened_on=data.get("opened_on"),
            by=request.user,
        )
        obj.pk, obj.opened_on, obj._state.adding = created.pk, created.opened_on, False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # the members are read-only here: they are grouped on the step pages

    def delete_model(self, request: HttpRequest, obj: SystemicBlocker) -> None:
        blocker_delete(blocker=obj, by=request.user)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        self.message_user(
            request,
            _("已立项“%(blocker)s”，请归入各企业反映的诉求和项目问题。") % {"blocker": obj},
        )
        return HttpResponseRedirect(reverse("admin:blockers_systemicblocker_attach", args=[obj.pk]))

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: SystemicBlocker) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @admin.display(description=_("诉求"), ordering="request_count")
    def show_requests(self, obj: Any) -> int:
        return obj.request_count

    @admin.display(description=_("问题"), ordering="problem_count")
    def show_problems(self, obj: Any) -> int:
        return obj.problem_count

    @admin.display(description=_("涉及企业"), ordering="enterprise_count")
    def show_enterprises(self, obj: Any) -> int:
        return obj.enterprise_count

    @admin.display(description=_("未办结"), ordering="open_count")
    def show_open(self, obj: Any) -> int:
        return obj.open_count

    @display(description=_("逾期"), label=OVERDUE_COLOURS, ordering="overdue_count")
    def show_overdue(self, obj: Any) -> tuple[str, Any]:
        return ("overdue" if obj.overdue_count else "none"), obj.overdue_count

    @admin.display(description=_("状态"))
    def status_badge(self, obj: SystemicBlocker) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status, ""))

    @admin.display(description=_("归并情况"))
    def show_counts(self, obj: Any) -> str:
        return str(
            _(
                "诉求%(requests)s件、问题%(problems)s件，涉及%(enterprises)s家企业；"
                "未办结%(open)s件，逾期%(overdue)s件"
            )
            % {
                "requests": getattr(obj, "request_count", 0),
                "problems": getattr(obj, "problem_count", 0),
                "enterprises": getattr(obj, "enterprise_count", 0),
                "open": getattr(obj, "open_count", 0),
                "overdue": getattr(obj, "overdue_count", 0),
            }
        )

    # The steps: one page each; the change page offers those that fit the blocker's state.

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return blocker_available_actions(blocker=obj)

    @action(description=_("归入诉求或问题"), url_path="attach", permissions=["change"])
    def attach(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return BlockerAttachView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("移出"), url_path="detach", permissions=["change"])
    def detach(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return BlockerDetachView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("解决"), url_path="resolve", permissions=["change"])
    def resolve(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return BlockerResolveView.as_view(model_admin=self)(request, object_id=object_id)

    def get_urls(self):
        candidates = self.admin_site.admin_view(BlockerCandidatesView.as_view(model_admin=self))
        return [
            path("candidates/", candidates, name="blockers_systemicblocker_candidates"),
            *super().get_urls(),
        ]


# --- the step pages -------------------------------------------------------------------------------


class RequestChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        department = obj.department or _("待受理")
        return f"{obj.title} — {obj.enterprise.name}（{department}，{obj.get_status_display()}）"


class ProblemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} — {obj.project.name}（{obj.department}，{obj.get_status_display()}）"


def _requests_field(label: Any) -> RequestChoiceField:
    return RequestChoiceField(
        label=label,
        queryset=EnterpriseRequest.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _problems_field(label: Any) -> ProblemChoiceField:
    return ProblemChoiceField(
        label=label,
        queryset=Problem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _day_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("默认今天。"),
    )


class MembersForm(Form):
    requests = _requests_field(_("企业诉求"))
    problems = _problems_field(_("项目问题"))
    on = _day_field(_("日期"))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(Form):
    resolution = forms.CharField(label=_("解决措施"), widget=forms.Textarea(attrs={"rows": 5}))
    on = _day_field(_("解决日期"))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class BlockerStepView(RecordStepView):
    """One step on a blocker: the form, the service call, the refusal shown on the form."""

    model = SystemicBlocker
    context_name = "blocker"
    permission_required = ("blockers.change_systemicblocker",)
    template_name = "blockers/step.html"

    @property
    def blocker(self) -> SystemicBlocker:
        return self.record

    def get_queryset(self) -> Any:
        return blockers_with_counts(blockers_visible(user=self.request.user))

    def notice(self) -> str:
        if self.step in blocker_available_actions(blocker=self.blocker):
            return ""
        return str(_("共性堵点已解决，不能再办理。"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(step=self.step, **kwargs)


class BlockerAttachView(BlockerStepView):
    title = _("归入诉求或问题")
    step = "attach"
    form_class = MembersForm
    submit_label = _("确认归入")
    done_message = _("已归入“%(blocker)s”。")

    def same_topic_only(self) -> bool:
        return self.request.GET.get("all") != "1"

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        user = self.request.user
        requests, problems = candidate_requests(user=user), candidate_problems(user=user)
        if self.same_topic_only():
            requests = requests.filter(topic=self.blocker.topic)
            problems = problems.filter(topic=self.blocker.topic)
        _set_choices(form, requests=requests, problems=problems)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(same_topic_only=self.same_topic_only(), **kwargs)

    def perform(self, data: dict[str, Any]) -> SystemicBlocker:
        return blocker_attach(
            blocker=self.blocker,
            requests=list(data.get("requests") or []),
            problems=list(data.get("problems") or []),
            on=data.get("on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class BlockerDetachView(BlockerStepView):
    title = _("移出诉求或问题")
    step = "detach"
    form_class = MembersForm
    submit_label = _("确认移出")
    done_message = _("已从“%(blocker)s”移出。")

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        _set_choices(
            form,
            requests=blocker_member_requests(blocker=self.blocker),
            problems=blocker_member_problems(blocker=self.blocker),
        )
        return form

    def perform(self, data: dict[str, Any]) -> SystemicBlocker:
        return blocker_detach(
            blocker=self.blocker,
            requests=list(data.get("requests") or []),
            problems=list(data.get("problems") or []),
            on=data.get("on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class BlockerResolveView(BlockerStepView):
    title = _("解决共性堵点")
    step = "resolve"
    form_class = ResolveForm
    submit_label = _("确认解决")
    done_message = _("“%(blocker)s”已解决，归入的诉求已答复、问题已办结。")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(members=blocker_members(blocker=self.blocker), **kwargs)

    def perform(self, data: dict[str, Any]) -> SystemicBlocker:
        return blocker_resolve(
            blocker=self.blocker,
            resolution=data["resolution"],
            on=data.get("on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


def _set_choices(form: forms.Form, *, requests: QuerySet, problems: QuerySet) -> None:
    for name, queryset in (("requests", requests), ("problems", problems)):
        field = form.fields[name]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = queryset


# --- 候选共性问题 ---------------------------------------------------------------------------------


class CandidateForm(Form):
    """Open a blocker from one candidate group, with the members the user keeps ticked."""

    topic = forms.ChoiceField(choices=BlockerTopic.choices, widget=forms.HiddenInput)
    category = forms.ChoiceField(choices=BlockerKind.choices, widget=forms.HiddenInput)
    title = forms.CharField(label=_("共性问题"), max_length=200)
    description = forms.CharField(
        label=_("问题描述"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ModelChoiceField(label=_("牵头部门"), queryset=_active_departments())
    owner = forms.ModelChoiceField(label=_("牵头人"), queryset=User.objects.none())
    requests = _requests_field(_("企业诉求"))
    problems = _problems_field(_("项目问题"))

    def __init__(
        self,
        *args: Any,
        group: CandidateGroup,
        user: Any,
        people: list[tuple[Any, str]] | None = None,
        departments: list[tuple[Any, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = pickable_queryset(User.objects.all(), user).order_by("pk")
        # A page holds a form per group: the pickers' and the items' choices are read once for
        # the page, not once per form (the querysets still check what is posted).
        if people is not None:
            owner.choices = [("", "---------"), *people]
        if departments is not None:
            department = self.fields["department"]
            assert isinstance(department, forms.ModelChoiceField)
            department.choices = [("", "---------"), *departments]
        for name, items in (("requests", group.requests), ("problems", group.problems)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = field.queryset.model._default_manager.filter(
                pk__in=[item.pk for item in items]
            )
            field.choices = [(item.pk, field.label_from_instance(item)) for item in items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("requests") or cleaned.get("problems")):
            raise forms.ValidationError(_("请至少勾选一件诉求或问题。"))
        return cleaned


def _default_title(group: CandidateGroup) -> str:
    return str(
        _("%(topic)s%(category)s：%(n)s家企业反映")
        % {"topic": group.topic_label, "category": group.category_label, "n": group.reporters}
    )


class BlockerCandidatesView(UnfoldModelAdminViewMixin, TemplateView):
    """候选共性问题: open, ungrouped requests and problems of the same topic and category that at
    least two enterprises or projects report, each group with a form that opens a blocker."""

    title = _("候选共性问题")
    permission_required = ("blockers.add_systemicblocker",)
    template_name = "blockers/candidates.html"

    def _forms(self, groups: list[CandidateGroup], bound: Any = None) -> list[tuple[Any, Any]]:
        user = self.request.user
        department = user.departments.filter(is_active=True).order_by("order", "pk").first()
        people = [
            (person.pk, str(person))
            for person in pickable_queryset(User.objects.all(), user).order_by("pk")
        ]
        departments = [(item.pk, str(item)) for item in _active_departments()]
        rows = []
        for group in groups:
            if bound is not None and bound.group.key == group.key:
                rows.append((group, bound))
                continue
            initial = {
                "topic": group.topic,
                "category": group.category,
                "title": _default_title(group),
                "owner": user.pk,
                "department": department.pk if department else None,
                "requests": [item.pk for item in group.requests],
                "problems": [item.pk for item in group.problems],
            }
            form = CandidateForm(
                initial=initial,
                group=group,
                user=user,
                people=people,
                departments=departments,
                prefix=group.key,
            )
            rows.append((group, form))
        return rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        groups = blocker_candidates(user=request.user)
        return self.render_to_response(self.get_context_data(rows=self._forms(groups)))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.POST.get("group", "")
        topic, _sep, category = key.partition("-")
        groups = blocker_candidates(user=request.user)
        group = next((g for g in groups if g.key == key), None)
        if group is None:
            messages.error(request, _("该组候选问题已不存在（可能已被归入共性堵点），请刷新。"))
            return HttpResponseRedirect(request.path)
        form = CandidateForm(request.POST, group=group, user=request.user, prefix=group.key)
        if form.is_valid():
            data = form.cleaned_data
            try:
                blocker = blocker_create(
                    title=data["title"],
                    description=data.get("description") or "",
                    category=category,
                    topic=topic,
                    owner=data["owner"],
                    department=data["department"],
                    requests=list(data.get("requests") or []),
                    problems=list(data.get("problems") or []),
                    by=request.user,
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("已立项共性堵点“%(blocker)s”，归入诉求%(r)s件、问题%(p)s件。")
                    % {
                        "blocker": blocker,
                        "r": len(data.get("requests") or []),
                        "p": len(data.get("problems") or []),
                    },
                )
                return HttpResponseRedirect(
                    reverse("admin:blockers_systemicblocker_change", args=[blocker.pk])
                )
        return self.render_to_response(
            self.get_context_data(rows=self._forms(groups, bound=form), failed=group.key)
        )
