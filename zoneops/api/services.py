"""Issuing, checking and revoking API tokens."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.api.models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token, new_raw_token
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import may_act_as
from zoneops.common.services import acting_user
from zoneops.orgs.models import User

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_check_holder(*, user: User, by: User | None = None) -> None:
    """Who may hold an API token: an active committee user (the back office's people) — never an
    enterprise user, who signs in at /enterprise/ — and, issued by `by` for someone else, one
    who may do no more than `by` himself. Raises ApplicationError naming `user`. The
    admin asks it before creating a token, creating asks it again, and a token whose user no
    longer passes stops working."""
    if getattr(user, "enterprise_id", None) is not None:
        raise ApplicationError(
            _("企业用户不能持有接口令牌：接口令牌供管委会的其他系统对接使用。"), field="user"
        )
    if not user.is_active:
        raise ApplicationError(_("停用的用户不能持有接口令牌。"), field="user")
    if not user.is_staff:
        raise ApplicationError(
            _("只有能登录管理后台的工作人员账号可以持有接口令牌。"),
            field="user",
        )
    issuer = acting_user(by)
    # A token acts as its holder: nobody issues one that does more than he may himself.
    if issuer is not None and issuer.pk != user.pk and not may_act_as(issuer, user):
        raise PermissionDeniedError(
            _("不能为权限或数据范围大于本人的用户签发接口令牌（令牌以持有人的身份操作）。"),
            field="user",
        )


def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None, by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    if not name.strip():
        raise ApplicationError(_("请填写令牌用途。"), field="name")
    api_token_check_holder(user=user, by=by)
    raw = new_raw_token()
    token = ApiToken(
        user=user, name=name.strip(), expires_at=expires_at, created_by=acting_user(by)
    )
    token.prefix = raw[: TOKEN_PREFIX_LENGTH + 3]
    token.key_hash = hash_token(raw)
    token.save()
    return token, raw


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None."""
    if not raw:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw.strip())).first()
    if token is None or not token.is_usable or not _may_hold(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def api_token_revoke(*, token: ApiToken, by: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = acting_user(by)
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def api_token_set_expiry(
    *, token: ApiToken, expires_at: datetime | None, by: User | None
) -> ApiToken:
    """Change when a token stops working; a date already past stops it now."""
    token.expires_at = expires_at
    token.save(update_fields=["expires_at"])
    return token


def _may_hold(user: User) -> bool:
    try:
        api_token_check_holder(user=user)
    except ApplicationError:
        return False
    return True
