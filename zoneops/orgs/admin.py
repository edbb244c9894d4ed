from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import SELECT_CLASSES

from zoneops.common.admin_base import (
    BusinessAdmin,
    InputRulesAdminMixin,
    ScopedAdminMixin,
    ServiceErrorsMixin,
    TabularInline,
    VersionedForm,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import InputRulesMixin, add_service_error
from zoneops.common.scope import can_see
from zoneops.orgs.models import Department, Membership, Role, User
from zoneops.orgs.selectors import (
    permission_label,
    role_assignable_permissions,
    user_membership_history,
)
from zoneops.orgs.services import (
    USER_EDITABLE_FIELDS,
    role_create,
    role_update,
    user_check_departments,
    user_check_roles,
    user_create,
    user_may_change_scope_of,
    user_update,
)

admin.site.unregister(Group)

# django-axes's login records: their lists take the same care with a typed query as ours.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        _axes_admin = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(_axes_admin.__name__, (InputRulesAdminMixin, _axes_admin), {})
        )


@admin.register(Department)
class DepartmentAdmin(BusinessAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    nav_order = 10


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class RoleForm(VersionedForm):
    permissions = PermissionChoiceField(
        label=_("权限"),
        queryset=Permission.objects.none(),
        required=False,
        widget=FilteredSelectMultiple(
            _("权限"), is_stacked=False, attrs={"class": " ".join(SELECT_CLASSES)}
        ),
        help_text=_("该角色的用户可以做的操作；修改后对该角色的所有用户立即生效。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = role_assignable_permissions()
        self.fields["permissions"].queryset = choices
        if self.instance.pk:
            self.initial["permissions"] = list(
                self.instance.group.permissions.filter(pk__in=choices.values("pk")).values_list(
                    "pk", flat=True
                )
            )


@admin.register(Role)
class RoleAdmin(BusinessAdmin):
    form = RoleForm
    list_display = ["name", "code", "data_scope", "is_builtin"]
    readonly_fields = ["is_builtin"]
    filter_horizontal = ["custom_departments"]
    fields = ["name", "code", "data_scope", "custom_departments", "permissions", "is_builtin"]
    nav_order = 30

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        # The standard roles are found by their code (roles_sync, user_create).
        if obj is not None and obj.is_builtin:
            readonly.append("code")
        return readonly

    @admin.display(description=_("权限"))
    def permissions(self, obj: Role) -> str:
        """The read-only view of the permissions, for those who may only view roles."""
        held = role_assignable_permissions().filter(group=obj.group_id)
        return format_html_join("", "<div>{}</div>", ((permission_label(p),) for p in held))

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in ("name", "code", "data_scope", "custom_departments", "permissions")
            if name in data
        }
        if change:
            role_update(
                role=obj, by=request.user, expected_version=data.get("edit_version"), **fields
            )
            return
        created = role_create(by=request.user, **fields)
        obj.pk, obj.group_id, obj.version = created.pk, created.group_id, created.version
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Departments and permissions were written by the service in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_builtin)


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]
    fields = ["department", "is_primary", "position"]

    # A user's departments decide his scope: never his own to change (services' rule).
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change_scope(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change_scope(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_change_scope(request, obj) and super().has_delete_permission(request, obj)


def _may_change_scope(request: HttpRequest, user: Any) -> bool:
    return user is None or user_may_change_scope_of(user=user, by=request.user)


class UserAddForm(InputRulesMixin, UserCreationForm):
    pass


class UserForm(UserChangeForm, VersionedForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The rules live in the service; asking it here puts a refusal at its field.
        if {"roles", "enterprise"} <= cleaned.keys():
            try:
                user_check_roles(
                    enterprise=cleaned["enterprise"],
                    role_codes=[role.code for role in cleaned["roles"]],
                    is_superuser=cleaned.get("is_superuser", self.instance.is_superuser),
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


@admin.register(User)
class UserAdmin(
    InputRulesAdminMixin,
    ScopedAdminMixin,
    ServiceErrorsMixin,
    SimpleHistoryAdmin,
    DjangoUserAdmin,
    ModelAdmin,
):
    form = UserForm
    add_form = UserAddForm
    change_password_form = AdminPasswordChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "display_name", "title", "is_staff", "is_active", "enterprise"]
    list_filter = ["is_staff", "is_active", "roles"]
    search_fields = ["username", "display_name", "phone", "email"]
    list_select_related = ["enterprise"]
    filter_horizontal = ["roles", "in_charge_of"]
    autocomplete_fields = ["enterprise"]
    nav_order = 20
    fieldsets = [
        (None, {"fields": ["username", "password", "edit_version"]}),
        (_("个人信息"), {"fields": ["display_name", "title", "phone", "email"]}),
        (_("角色与范围"), {"fields": ["roles", "in_charge_of", "enterprise"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]
    # Back-office access follows from the enterprise: staff have none, everyone else has it.
    readonly_fields = ["last_login", "is_staff"]
    history_list_display: list[str] = []
    object_history_template = "orgs/user_history.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        if obj is not None and not user_may_change_scope_of(user=obj, by=request.user):
            readonly += ["roles", "in_charge_of", "enterprise"]
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account is changed (its password too) only by a superuser.
        if getattr(obj, "is_superuser", False) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if getattr(obj, "is_superuser", False) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj) and obj != request.user

    def get_inlines(self, request: HttpRequest, obj: Any):
        # Departments are given once the user exists (the add page asks for the login only).
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            user_update(
                user=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                **{name: data[name] for name in USER_EDITABLE_FIELDS if name in data},
            )
            return
        created = user_create(
            username=data["username"],
            display_name="",
            password=data.get("password1") if data.get("set_usable_password", True) else None,
            by=request.user,
        )
        obj.pk, obj.version, obj.password = created.pk, created.version, created.password
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Roles and 分管 were written by the service in save_model, with their history row;
        # the department memberships keep their own history, given under the service's rule.
        for formset in formsets:
            if formset.model is Membership:
                departments = [
                    row.cleaned_data["department"]
                    for row in formset.forms
                    if row.cleaned_data.get("department") and not row.cleaned_data.get("DELETE")
                ]
                user_check_departments(user=form.instance, by=request.user, departments=departments)
            self.save_formset(request, form, formset, change=change)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        user = self._visible_user_or_404(request, object_id)
        context = {
            "membership_history": user_membership_history(user_id=user.pk),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ):
        # A past version is for reading: reverting would skip user_update and its rules.
        if request.method != "GET":
            raise PermissionDenied
        self._visible_user_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _visible_user_or_404(self, request: HttpRequest, object_id: str) -> User:
        user = self.get_object(request, unquote(object_id))
        if user is None or not can_see(request.user, user):
            raise Http404
        return user
