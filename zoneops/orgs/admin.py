from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from zoneops.common.admin_base import BusinessAdmin, ScopedAdminMixin, VersionedForm
from zoneops.common.services import record_save
from zoneops.orgs.models import Department, Membership, Role, User
from zoneops.orgs.services import user_set_roles

admin.site.unregister(Group)


@admin.register(Department)
class DepartmentAdmin(BusinessAdmin):
    list_display = ["name", "short_name", "code", "kind", "parent", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    nav_order = 10


@admin.register(Role)
class RoleAdmin(BusinessAdmin):
    list_display = ["name", "code", "data_scope", "is_builtin"]
    readonly_fields = ["is_builtin"]
    filter_horizontal = ["custom_departments"]
    fields = ["name", "code", "data_scope", "custom_departments", "group", "is_builtin"]
    nav_order = 30

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_builtin)


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["department"]
    fields = ["department", "is_primary", "position"]


class UserForm(UserChangeForm, VersionedForm):
    pass


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin, ModelAdmin):
    form = UserForm
    add_form = UserCreationForm
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
    readonly_fields = ["last_login"]

    def save_model(self, request, obj, form, change):
        expected = form.cleaned_data.get("edit_version") if change else None
        if obj.enterprise_id is not None:
            obj.is_staff = False
        record_save(
            instance=obj,
            by=request.user,
            expected_version=expected,
            exclude_validation=["password"],
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        # Roles decide the permission groups: keep them in step through the one service.
        user_set_roles(user=user, role_codes=[role.code for role in user.roles.all()])
