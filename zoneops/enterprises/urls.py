"""The enterprise's own pages (企业服务大厅), mounted at /enterprise/ as namespace "selfservice".

An app above enterprises adds its own pages here (an enterprise's approval cases, its fund
applications) by declaring on its AppConfig `selfservice_urls` (the dotted path of a module
with `urlpatterns`, named within this namespace) and `selfservice_pages` for the menu (see
templatetags/selfservice.py). This module names no such app.
"""

from importlib import import_module

from django.apps import apps
from django.urls import path

from zoneops.enterprises import views

app_name = "selfservice"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.EnterpriseLoginView.as_view(), name="login"),
    path("logout/", views.EnterpriseLogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<id:pk>/", views.request_detail, name="request"),
    path("requests/<id:pk>/rate/", views.request_rate_view, name="request_rate"),
    path("requests/<id:pk>/materials/", views.request_materials_view, name="request_materials"),
    path("projects/", views.project_list, name="projects"),
    path("notices/", views.notices, name="notices"),
    path("notices/read-all/", views.notices_read_all, name="notices_read_all"),
    path("notices/<id:pk>/read/", views.notice_read, name="notice_read"),
]

for _config in apps.get_app_configs():
    if module := getattr(_config, "selfservice_urls", None):
        urlpatterns += import_module(module).urlpatterns
