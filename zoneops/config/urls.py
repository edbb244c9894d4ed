from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from zoneops.api.api import api
from zoneops.common.views import favicon, stored_file

urlpatterns = [
    # Uploaded files, only to whoever may read their record: MEDIA_ROOT is never served as is.
    path("files/<str:model>/<id:pk>/<str:field>", stored_file, name="stored_file"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers and feed readers ask the root for an icon whatever a page links to.
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),
    # The systemic blockers' back-office pages moved with their app: old links still arrive.
    re_path(
        r"^admin/enterprises/systemicblocker/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/blockers/systemicblocker/%(rest)s", query_string=True),
    ),
    # Pages of apps that hold no register of their own, inside the back office.
    path("admin/chains/", include("zoneops.chains.urls")),
    path("admin/search/", include("zoneops.search.urls")),
    path("admin/briefings/", include("zoneops.briefings.urls")),
    path("admin/cockpit/", include("zoneops.cockpit.urls")),
    path("admin/jobs/", include("zoneops.common.job_urls")),
    path("admin/", admin.site.urls),
    path("enterprise/", include("zoneops.enterprises.urls")),
    # The online investment hall (线上会客厅): "/" and "/hall/…", public.
    path("", include("zoneops.portal.urls")),
]
handler400 = "zoneops.common.views.bad_request"
