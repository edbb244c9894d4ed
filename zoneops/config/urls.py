from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from zoneops.api.api import api
from zoneops.common.views import healthz, stored_file

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("healthz", healthz, name="healthz"),
    # Uploaded files, only to whoever may read their record: MEDIA_ROOT is never served as is.
    path("files/<str:model>/<int:pk>/<str:field>", stored_file, name="stored_file"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("enterprise/", include("zoneops.enterprises.urls")),
]
