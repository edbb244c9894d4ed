from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode

VIEW = "funds.view_fundapplication"


class FundsConfig(AppConfig):
    name = "zoneops.funds"
    label = "funds"
    verbose_name = _("扶持资金")
    # The zone wins funds for its enterprises and projects: a service to them (企业服务).
    nav_group = "enterprises"
    nav_icons = {"fundprogramme": "account_balance", "fundapplication": "savings"}
    # An enterprise user reads its own applications on its pages; the rest as on every app.
    role_grants = {RoleCode.ENTERPRISE: ("view_fundapplication",)}
    nav_pages = [
        (_("扶持资金统计"), "admin:funds_fundapplication_statistics", "paid", VIEW, 60),
    ]
    record_panels = {
        "enterprises.enterprise": ("zoneops.funds.panels.enterprise_applications",),
        "projects.project": ("zoneops.funds.panels.project_applications",),
    }
    selfservice_urls = "zoneops.funds.self_urls"
    selfservice_pages = [(_("扶持资金"), "fund_applications", VIEW, "funds")]
