"""The background jobs' pages inside the back office (/admin/jobs/), behind the admin's login."""

from django.contrib import admin
from django.urls import path

from zoneops.common.job_views import JobView, MyJobsView, job_file, job_status

app_name = "jobs"

site = admin.site
urlpatterns = [
    path("", site.admin_view(MyJobsView.as_view()), name="index"),
    path("<id:pk>/", site.admin_view(JobView.as_view()), name="detail"),
    path("<id:pk>/status/", site.admin_view(job_status), name="status"),
    path("<id:pk>/file/", site.admin_view(job_file), name="file"),
]
