"""Organisation: the department tree, users (who may sit in several departments) and roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.orgs.enums import DataScopeKind, DepartmentKind, RoleCode


class Department(BusinessModel):
    """A node of the organisation tree: city → zone → bureau → section."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("部门名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    code = models.SlugField(_("部门编码"), max_length=50, unique=True)
    kind = models.CharField(_("层级"), max_length=16, choices=DepartmentKind.choices)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    receives_enterprise_requests = models.BooleanField(
        _("受理企业诉求"),
        default=False,
        help_text=_("企业提交的诉求先到此部门，由其受理并交办承办部门（如企业服务局）。"),
    )

    # The organisation tree is reference data that every staff member reads; it is changed
    # zone-wide only (a department's flags decide whose scope reaches what).
    scope_public = True
    scope_write_owner_fields = ()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgs_department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(BusinessModel):
    """A role: its permissions (through its auth group) and its data scope."""

    code = models.SlugField(_("角色编码"), max_length=50, unique=True)
    name = models.CharField(_("角色名称"), max_length=50)
    data_scope = models.CharField(
        _("数据范围"), max_length=20, choices=DataScopeKind.choices, default=DataScopeKind.DEPT
    )
    custom_departments = models.ManyToManyField(
        Department,
        verbose_name=_("自定义部门"),
        blank=True,
        related_name="+",
        help_text=_("数据范围为“自定义部门数据”时可见的部门（含下级）。"),
    )
    group = models.OneToOneField(
        Group, verbose_name=_("权限组"), on_delete=models.PROTECT, related_name="role"
    )
    is_builtin = models.BooleanField(_("内置角色"), default=False, editable=False)

    # The history that BusinessModel gives every record also keeps the chosen departments.
    _history_m2m_fields = ["custom_departments"]

    # Everyone reads the roles; they are changed zone-wide only (services.role_update also
    # refuses a change to a role the editor holds).
    scope_public = True
    scope_write_owner_fields = ()

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UserHistory(HistoricalRecords):
    """History of users that also survives roles and 分管 changed from the other side.

    django-simple-history records a many-to-many change as a row of the instance the change
    was made on; from the other side (`role.users.add(user)`, `department.leaders_in_charge
    .clear()`) that instance is a role or a department and the row cannot be written. Such a
    change is recorded as a row of each user it touched instead.
    """

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(
                instance=instance, action=action, attr=attr, pk_set=pk_set, reverse=reverse
            )
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return None
        field = self.cls._meta.get_field(attr)
        if action == "pre_clear":
            # After the clear there is no telling whom it touched: note them now.
            links = field.remote_field.through.objects.filter(
                **{field.m2m_reverse_field_name(): instance.pk}
            )
            instance._history_cleared_users = set(
                links.values_list(field.m2m_column_name(), flat=True)
            )
            return None
        if action == "post_clear":
            pk_set = getattr(instance, "_history_cleared_users", set())
        elif action not in ("post_add", "post_remove"):
            return None
        for user in self.cls._default_manager.filter(pk__in=pk_set or ()):
            self.create_historical_record(user, "~")
        return None


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in: staff of the committee, or an enterprise's user."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    departments = models.ManyToManyField(
        Department,
        verbose_name=_("所在部门"),
        through="Membership",
        related_name="members",
        blank=True,
    )
    roles = models.ManyToManyField(Role, verbose_name=_("角色"), related_name="users", blank=True)
    in_charge_of = models.ManyToManyField(
        Department,
        verbose_name=_("分管部门"),
        related_name="leaders_in_charge",
        blank=True,
        help_text=_("领导分管的部门：其数据（含下级部门）对该领导可见。"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("企业用户只能看到本企业的数据。"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    # Roles and 分管 decide what a user may do and see: each change is kept with the user's row.
    history = UserHistory(
        excluded_fields=["last_login", "password"], m2m_fields=["roles", "in_charge_of"]
    )
    objects = ScopedUserManager()

    scope_department_fields = ("departments",)
    scope_owner_fields = ("id",)
    # Any staff member may pick any active colleague as a host, owner or leader.
    scope_pickable_by_staff = True

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) | models.Q(is_staff=False),
                name="orgs_user_enterprise_user_not_staff",
                violation_error_message=_("企业用户不能进入管理后台。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> set[str]:
        return {role.code for role in self.roles.all()}

    def has_role(self, code: RoleCode | str) -> bool:
        return str(code) in self.role_codes


class Membership(models.Model):
    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT)
    is_primary = models.BooleanField(_("主部门"), default=False)
    position = models.CharField(_("岗位"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门成员")
        verbose_name_plural = _("部门成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="orgs_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"


class RoleDefaultGrant(models.Model):
    """A default permission once granted to a built-in role, so that it is granted only once."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "permission"], name="orgs_default_grant_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role_id}:{self.permission_id}"
