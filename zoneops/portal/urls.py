"""The hall's public pages at the site's root: "/" and "/hall/…" (namespace "portal")."""

from django.urls import path

from zoneops.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("hall/industries/", views.industries, name="industries"),
    path("hall/parks/", views.parks, name="parks"),
    path("hall/policies/", views.policies, name="policies"),
    path("hall/policies/<str:pk>/", views.policy, name="policy"),
    path("hall/news/", views.news, name="news"),
    path("hall/inquiry/", views.inquiry, name="inquiry"),
    path("hall/inquiry/sent/", views.inquiry_sent, name="inquiry_sent"),
    path("hall/status/", views.status, name="status"),
    path("hall/status/book/", views.status_book, name="status_book"),
]
