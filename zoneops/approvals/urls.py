"""The enterprise's case pages, added to the "selfservice" namespace (enterprises/urls.py)."""

from django.urls import path

from zoneops.approvals import views

urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/<id:pk>/", views.case_detail, name="case"),
]
