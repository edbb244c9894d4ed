from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from zoneops.api.models import ApiToken
from zoneops.api.services import (
    api_token_check_holder,
    api_token_create,
    api_token_revoke,
    api_token_set_expiry,
)
from zoneops.common.admin_base import InputRulesAdminMixin, ScopedAdminMixin
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import ModelForm, add_service_error
from zoneops.common.scope import scope_queryset


class ApiTokenForm(ModelForm):
    issuer: Any = None  # set by the admin for the request

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The service's rule, asked here so that a refusal shows at the user field.
        if self.instance.pk is None and cleaned.get("user") is not None:
            try:
                api_token_check_holder(user=cleaned["user"], by=self.issuer)
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(InputRulesAdminMixin, ScopedAdminMixin, ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = [
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]
    nav_order = 90

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return [
            "user",
            "name",
            "prefix",
            "created_at",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        ]

    def get_field_queryset(self, db, db_field, request):
        if db_field.name == "user":
            # Anyone the administrator can see is accepted by the field, so that the token
            # rule (ApiTokenForm.clean) says why someone may not hold a token; the picker
            # itself offers active colleagues only.
            users = db_field.remote_field.model._default_manager.using(db).all()
            return scope_queryset(users, request.user)
        return super().get_field_queryset(db, db_field, request)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "user", "name"] if obj else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.issuer = request.user  # a class made for this request by modelform_factory
        return form

    def save_model(self, request, obj, form, change):
        if change:
            api_token_set_expiry(token=obj, expires_at=obj.expires_at, by=request.user)
            return
        token, raw = api_token_create(
            user=obj.user, name=obj.name, expires_at=obj.expires_at, by=request.user
        )
        obj.pk = token.pk
        obj._state.adding = False
        self.message_user(
            request,
            _("接口令牌已创建，请立即复制保存，它只显示这一次：%(token)s") % {"token": raw},
            messages.WARNING,
        )

    @action(description=_("停用所选令牌"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, by=request.user)
        self.message_user(request, _("已停用 %(count)d 个令牌。") % {"count": len(queryset)})
