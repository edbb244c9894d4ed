from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "zoneops.orgs"
    label = "orgs"
    verbose_name = _("组织与权限")
    nav_group = "system"
    nav_icons = {"department": "account_tree", "user": "person", "role": "badge"}

    def ready(self) -> None:
        from zoneops.common.scope import register_scope_builder
        from zoneops.orgs.selectors import user_data_scope
        from zoneops.orgs.services import roles_sync

        # A user's data scope comes from his roles, departments and 分管 (common.scope asks).
        register_scope_builder(user_data_scope)

        # Like Django's own permissions: the standard roles exist after every migrate.
        def _sync_roles(sender, **kwargs):
            if sender.name.startswith("zoneops."):
                roles_sync(using=kwargs.get("using", "default"))

        post_migrate.connect(_sync_roles, weak=False, dispatch_uid="zoneops.orgs.roles_sync")

        # axes' AppConfig has no verbose_name, so the admin index, breadcrumbs and the role
        # permission list would say "Axes". Naming it here (a lazy string, so it follows the
        # request's language) spares a subclassed AppConfig in INSTALLED_APPS; axes' login
        # security models sit under our 系统管理 group (settings.ZONEOPS_NAV_THIRD_PARTY).
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("登录安全")
