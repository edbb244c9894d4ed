from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Every staff role reads the enterprise register: the search page shows in its sidebar; what a
# user finds is still each kind's view permission and his data scope.
VIEW = "enterprises.view_enterprise"


class SearchConfig(AppConfig):
    """全局搜索: one box over every kind the apps declare (`search_kinds` on their AppConfig)."""

    name = "zoneops.search"
    label = "search"
    verbose_name = _("全局搜索")
    nav_group = "supervision"
    # (title, url name, icon, permission, order): next to the day's page.
    nav_pages = [(_("全局搜索"), "search:index", "manage_search", VIEW, 2)]

    def ready(self) -> None:
        from zoneops.search.index import index_sync_after_migrate

        # After every migrate (and every test database's), the indexes match the declarations.
        post_migrate.connect(
            index_sync_after_migrate, sender=self, dispatch_uid="search.index_sync"
        )
