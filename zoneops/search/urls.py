"""The search page inside the back office (/admin/search/), behind the admin's login."""

from django.contrib import admin
from django.urls import path

from zoneops.search.admin import SearchView

app_name = "search"

urlpatterns = [path("", admin.site.admin_view(SearchView.as_view()), name="index")]
