from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "zoneops.common"
    label = "common"
    verbose_name = _("系统管理")
    nav_group = "system"
    nav_icons = {"calendaryear": "calendar_month", "calendarday": "event", "savedview": "bookmark"}

    def ready(self) -> None:
        from django.urls import register_converter

        from zoneops.common import workcalendar  # noqa: F401  connects the cache invalidation
        from zoneops.common.caching import connect_invalidation

        # Every write of a zoneops record makes the cached figures that read it anew.
        connect_invalidation()
        from zoneops.common.lookups import register_integer_lookups

        register_integer_lookups()
        # django-tasks-db's own admin of the raw queue stays out of the back office: users
        # follow their jobs on 我的后台任务 (zoneops.common.job_views).
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
        from zoneops.common.inputs import IdConverter

        # `<id:pk>` in the pages' URLs: a record's id, never a number no record can have.
        register_converter(IdConverter, "id")

        # Like the built-in roles: a database whose work calendar is empty (a `flush`) gets
        # the package's years back after the next migrate, so deadlines never turn 待定.
        def _seed_calendar(sender, **kwargs):
            if sender.name == self.name:
                from zoneops.common.calendar_services import calendar_seed_if_empty

                calendar_seed_if_empty(using=kwargs.get("using", "default"))

        post_migrate.connect(_seed_calendar, weak=False, dispatch_uid="zoneops.common.calendar")
