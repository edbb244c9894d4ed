"""Site photos of a monthly report: kept under a random name, shown only to whoever may read
the report, through the one view that serves stored files."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import ProgressPhoto
from zoneops.projects.services.scheduling import (
    progress_photo_add,
    progress_photo_delete,
    progress_report_delete,
    progress_report_start,
)
from zoneops.projects.tests.factories import make_project

NAME = "现场 照片.png"


def picture(kind: str = "PNG") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 3), "grey").save(buffer, kind)
    return buffer.getvalue()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def investor():
    return make_enterprise("北京现代沧州工厂")


@pytest.fixture
def report(org, officer, investor):
    project = make_project(
        "整车物流中心", responsible_department=org["investment"], investor_enterprise=investor
    )
    return progress_report_start(project=project, month=date(2019, 1, 1), by=officer)


@pytest.fixture
def photo(report, officer):
    upload = SimpleUploadedFile(NAME, picture(), "image/png")
    return progress_photo_add(report=report, image=upload, caption="厂房基础", by=officer)


def test_a_photo_is_kept_under_a_random_name_with_the_users_name_beside(photo, settings):
    assert re.fullmatch(r"progress/\d{4}/\d{2}/[0-9a-f]{32}\.png", photo.image.name)
    assert photo.filename == NAME
    assert stored_files(settings) == [photo.image.name]
    kept = settings.MEDIA_ROOT / photo.image.name
    assert kept.stat().st_mode & 0o777 == 0o600
    assert kept.parent.stat().st_mode & 0o777 == 0o700


def test_a_photo_is_shown_to_whoever_may_read_its_report(photo, officer):
    response = client_for(officer).get(photo.image.url)

    assert photo.image.url == f"/files/projects.progressphoto/{photo.pk}/image"
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == picture()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_photo_outside_the_data_scope_is_not_found(photo, org):
    colleague = make_user(RoleCode.STAFF, departments=[org["approvals"]])

    assert client_for(colleague).get(photo.image.url).status_code == 404


def test_a_photo_is_not_served_to_someone_not_signed_in(photo):
    response = Client().get(photo.image.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/files/")


def test_an_enterprise_user_reaches_only_its_own_enterprises_photos(photo, org, officer):
    from django.contrib.auth.models import Permission

    others = make_enterprise("另一家企业")
    other_project = make_project(
        "另一个项目", responsible_department=org["investment"], investor_enterprise=others
    )
    other_report = progress_report_start(project=other_project, month=date(2019, 1, 1), by=officer)
    other_photo = progress_photo_add(
        report=other_report, image=SimpleUploadedFile("b.png", picture()), by=officer
    )
    user = make_user(RoleCode.ENTERPRISE, enterprise=photo.report.project.investor_enterprise)
    client = client_for(user)
    assert client.get(photo.image.url).status_code == 404  # the role may not read reports

    user.user_permissions.add(Permission.objects.get(codename="view_progressreport"))
    client = client_for(user)

    assert client.get(photo.image.url).status_code == 200
    assert client.get(other_photo.image.url).status_code == 404


def test_the_report_page_links_the_photo_through_the_protected_view(photo, officer):
    page = client_for(officer).get(f"/admin/projects/progressreport/{photo.report.pk}/change/")

    body = page.content.decode()
    assert f'href="{photo.image.url}"' in body
    assert "/media/" not in body
    assert NAME in body


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.png"),
        (b"<html><script>alert(1)</script></html>", "a.html"),
        (picture("BMP"), "a.bmp"),
    ],
)
def test_a_file_that_is_not_an_accepted_photo_is_refused_and_not_kept(
    report, officer, settings, data, name
):
    with pytest.raises(ValidationError) as refused:
        progress_photo_add(report=report, image=SimpleUploadedFile(name, data), by=officer)

    assert "image" in refused.value.message_dict
    assert not ProgressPhoto.objects.exists()
    assert stored_files(settings) == []


def test_a_photo_too_big_is_refused_and_not_kept(report, officer, settings):
    settings.ZONEOPS_PHOTO_MAX_BYTES = 10

    with pytest.raises(ValidationError, match="照片过大"):
        progress_photo_add(report=report, image=SimpleUploadedFile(NAME, picture()), by=officer)

    assert stored_files(settings) == []


def test_a_photo_just_over_the_limit_says_a_size_over_the_limit(report, officer, settings):
    """10.02 MB over a 10 MB limit read "照片过大（10.0 MB），不能超过 10.0 MB" before."""
    settings.ZONEOPS_PHOTO_MAX_BYTES = 10 * 2**20
    upload = SimpleUploadedFile(NAME, picture())
    upload.size = 10 * 2**20 + 20_000

    with pytest.raises(ValidationError) as refused:
        progress_photo_add(report=report, image=upload, by=officer)

    assert refused.value.message_dict["image"] == ["照片过大（10.1 MB），不能超过 10 MB。"]
    assert stored_files(settings) == []


def test_the_report_page_refuses_a_photo_it_would_not_keep(report, officer, settings):
    response = client_for(officer).post(
        f"/admin/projects/progressreport/{report.pk}/change/",
        {
            "invested_month": "100",
            "progress": "",
            "problems": "",
            "next_steps": "",
            "edit_version": report.version,
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-image": SimpleUploadedFile("a.bmp", picture("BMP"), "image/bmp"),
            "photos-0-caption": "",
        },
    )

    assert response.status_code == 200
    assert "请上传 JPEG、PNG、GIF 或 WebP 格式的照片。" in response.content.decode()
    assert stored_files(settings) == []


def test_a_deleted_photo_leaves_no_file(
    photo, officer, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_photo_delete(photo=photo, by=officer)

    assert stored_files(settings) == []


def test_a_deleted_draft_report_leaves_no_photo_files(
    photo, officer, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_delete(report=photo.report, by=officer)

    assert stored_files(settings) == []
