"""The back office sidebar: every registered model, grouped by business area.

Each app plugs itself in through its AppConfig: `nav_group` (the area it belongs to, one of
settings.ZONEOPS_NAV_GROUPS), `nav_icons` (model name -> icon of its registers) and `nav_pages`
(its custom pages, a list of (title, url name, icon, permission[, order among the area's
pages])). Only what the user may view is
shown. Nothing here names an app.

Every back-office page draws the sidebar, and asking each register's admin whether the user may
view it costs more than most pages' own content: the sidebar is built once per process for each
set of permissions (a register's or page's "may view" reads nothing else: the user's
permissions, whether he is active and a superuser), language and URL prefix, and reused.
"""

from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A few roles' permission sets in practice; emptied when full, rather than grown without end.
_CACHE_SIZE = 256
_built: dict[tuple, list[dict]] = {}
# What unfold's sidebar template asks of every item and group, said plainly: a key the template
# does not find costs a failed lookup (an exception and a dir()) each time a page is drawn.
_ITEM_BLANKS = {"link_callback": None, "badge": None}
_GROUP_BLANKS = {"separator": False, "badge": None}


def _groups() -> tuple[tuple[str, str], ...]:
    # The order of the business areas is the site's (settings.ZONEOPS_NAV_GROUPS), not an app's:
    # several apps share one area, and areas stand in the sidebar before their apps exist.
    return tuple(settings.ZONEOPS_NAV_GROUPS)


def _group_and_icons(config: AppConfig) -> tuple[str | None, dict[str, str]]:
    """Where an app's registers stand and their icons: as its AppConfig declares, or for a
    third-party app as settings.ZONEOPS_NAV_THIRD_PARTY says."""
    if hasattr(config, "nav_group"):
        return config.nav_group, getattr(config, "nav_icons", {})
    return settings.ZONEOPS_NAV_THIRD_PARTY.get(config.label, (None, {}))


def sidebar(request: HttpRequest) -> list[dict]:
    """The user's sidebar. unfold copies it before marking the active item, so the cached one
    is never changed."""
    user = request.user
    key = (
        user.is_active,
        user.is_superuser,
        # An active superuser may open everything: his permissions need not be read.
        frozenset() if user.is_superuser else frozenset(user.get_all_permissions()),
        get_language(),
        get_script_prefix(),
    )
    navigation = _built.get(key)
    if navigation is None:
        if len(_built) >= _CACHE_SIZE:
            _built.clear()
        navigation = _built[key] = _build(request)
    return navigation


def _build(request: HttpRequest) -> list[dict]:
    registered = admin.site._registry
    groups = _groups()
    grouped: dict[str, list[tuple[tuple[int, int], dict]]] = {key: [] for key, _title in groups}
    for model, model_admin in registered.items():
        group, icons = _group_and_icons(apps.get_app_config(model._meta.app_label))
        if group not in grouped or not model_admin.has_view_or_change_permission(request):
            continue
        meta = model._meta
        item = {
            "title": meta.verbose_name_plural,
            "icon": icons.get(meta.model_name, "table"),
            "link": reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
            **_ITEM_BLANKS,
        }
        grouped[group].append(((1, getattr(model_admin, "nav_order", 100)), item))
    for config in apps.get_app_configs():
        for title, url_name, icon, permission, *order in getattr(config, "nav_pages", ()):
            group = getattr(config, "nav_group", None)
            if group in grouped and request.user.has_perm(permission):
                try:
                    link = reverse(url_name)
                except NoReverseMatch:
                    continue
                # An area's pages come before its registers, in their declared order.
                page = {"title": title, "icon": icon, "link": link, **_ITEM_BLANKS}
                grouped[group].append(((0, order[0] if order else 0), page))
    navigation = []
    for key, title in groups:
        items = [item for _order, item in sorted(grouped[key], key=lambda pair: pair[0])]
        if items:
            navigation.append(
                {"title": title, "collapsible": True, "items": items, **_GROUP_BLANKS}
            )
    return navigation


def environment(request: HttpRequest) -> list[str] | None:
    if settings.DEBUG:
        return [str(_("演示环境")), "warning"]
    return None


def page_url(name: str, *args: object, **query: object) -> str:
    """A page's address with its query (`page_url("admin:projects_project_summary",
    year=2019)`): the link from a figure to the records behind it."""
    address = reverse(name, args=args)
    return f"{address}?{urlencode(query)}" if query else address
