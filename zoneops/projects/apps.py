from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
    verbose_name = _("招商项目")
    nav_group = "projects"
    nav_pages = [
        (
            _("招商项目情况表"),
            "admin:projects_project_summary",
            "table_chart",
            "projects.view_project",
        ),
    ]
