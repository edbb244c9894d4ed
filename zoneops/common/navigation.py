"""The back office sidebar: every registered model, grouped by business area.

An app joins a group by `nav_group` on its AppConfig, and may add custom pages with
`nav_pages` (a list of (title, url name, icon, permission)). Only what the user may view is shown.
"""

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

GROUPS = (
    ("projects", _("招商项目")),
    ("enterprises", _("企业服务")),
    ("approvals", _("政务服务")),
    ("supervision", _("督查督办")),
    ("indicators", _("经济运行")),
    ("parks", _("园区与产业链")),
    ("system", _("系统管理")),
)

ICONS = {
    "department": "account_tree",
    "user": "person",
    "role": "badge",
    "enterprise": "factory",
    "park": "location_city",
    "calendaryear": "calendar_month",
    "calendarday": "event",
    "apitoken": "key",
    "enterprisefigure": "monitoring",
    "liaisonassignment": "handshake",
    "enterpriserequest": "support_agent",
    "requestkindlimit": "timer",
    "systemicblocker": "hub",
    "enterpriseplan": "assignment",
    "planmeasure": "checklist",
    "project": "business_center",
    "milestone": "flag",
    "annualplan": "event_note",
    "progressreport": "summarize",
    "commandhq": "military_tech",
    "problem": "report",
    "meeting": "groups",
    "decision": "task_alt",
    "industrycategory": "category",
    "savedview": "bookmark",
    "accessattempt": "lock_person",
    "accessfailurelog": "gpp_bad",
    "accesslog": "login",
}


# Third-party apps whose admin pages belong to a group (their AppConfig is not ours to edit).
THIRD_PARTY_GROUPS = {"axes": "system"}


def sidebar(request: HttpRequest) -> list[dict]:
    registered = admin.site._registry
    grouped: dict[str, list[tuple[int, dict]]] = {key: [] for key, _title in GROUPS}
    for model, model_admin in registered.items():
        config = apps.get_app_config(model._meta.app_label)
        group = getattr(config, "nav_group", THIRD_PARTY_GROUPS.get(config.label))
        if group not in grouped or not model_admin.has_view_or_change_permission(request):
            continue
        meta = model._meta
        item = {
            "title": meta.verbose_name_plural,
            "icon": ICONS.get(meta.model_name, "table"),
            "link": reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
        }
        grouped[group].append((getattr(model_admin, "nav_order", 100), item))
    for config in apps.get_app_configs():
        for title, url_name, icon, permission in getattr(config, "nav_pages", ()):
            group = getattr(config, "nav_group", None)
            if group in grouped and request.user.has_perm(permission):
                try:
                    link = reverse(url_name)
                except NoReverseMatch:
                    continue
                grouped[group].append((0, {"title": title, "icon": icon, "link": link}))
    navigation = []
    for key, title in GROUPS:
        items = [item for _order, item in sorted(grouped[key], key=lambda pair: pair[0])]
        if items:
            navigation.append({"title": title, "collapsible": True, "items": items})
    return navigation


def environment(request: HttpRequest) -> list[str] | None:
    from django.conf import settings

    if settings.DEBUG:
        return [str(_("演示环境")), "warning"]
    return None
