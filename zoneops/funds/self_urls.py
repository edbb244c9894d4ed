"""The enterprise's own fund applications, in its pages (namespace "selfservice")."""

from django.urls import path

from zoneops.funds import views

urlpatterns = [
    path("funds/", views.fund_applications, name="fund_applications"),
]
