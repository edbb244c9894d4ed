from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    CITY = "city", _("市级")
    ZONE = "zone", _("开发区（管委会）")
    BUREAU = "bureau", _("局/办")
    SECTION = "section", _("科室")


class DataScopeKind(models.TextChoices):
    """The Chinese admin convention of data scope (数据权限)."""

    ALL = "all", _("全部数据")
    DEPT_AND_BELOW = "dept_and_below", _("本部门及以下数据")
    DEPT = "dept", _("本部门数据")
    SELF = "self", _("仅本人数据")
    CUSTOM = "custom", _("自定义部门数据")
    ENTERPRISE = "enterprise", _("本企业数据")


class RoleCode(models.TextChoices):
    ADMINISTRATOR = "administrator", _("系统管理员")
    PRINCIPAL = "principal", _("管委会主要领导")
    LEADER = "leader", _("管委会领导")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    STAFF = "staff", _("工作人员")
    INSPECTOR = "inspector", _("纪检监察干部")
    STATISTICIAN = "statistician", _("统计人员")
    ENTERPRISE = "enterprise", _("企业用户")
