"""The back office sidebar, assembled from what each app declares in its AppConfig: every role
sees exactly the groups, registers, pages and icons it saw before the apps declared them."""

import json
import os
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation

from zoneops.common.navigation import sidebar
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

# Each role's sidebar (group title, then title · icon · link of every item), pinned.
PINNED = Path(__file__).with_name("sidebar.json")


def sidebar_of(user) -> list[list[str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override("zh-hans"):
        return [
            [str(group["title"])]
            + [f"{item['title']} · {item['icon']} · {item['link']}" for item in group["items"]]
            for group in sidebar(request)
        ]


@pytest.mark.django_db
def test_every_role_sees_the_sidebar_it_always_saw(org):
    found = {
        code.value: sidebar_of(make_user(code, departments=[org["investment"]]))
        for code in RoleCode
        if code != RoleCode.ENTERPRISE  # an enterprise user has no back office
    }
    superuser = make_user(None, departments=[org["zone"]])
    superuser.is_superuser = True
    found["superuser"] = sidebar_of(superuser)
    if os.environ.get("ZONEOPS_PIN_SIDEBAR"):
        PINNED.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        pytest.fail(
            f"{PINNED.name} written anew: check its diff, then run again without %s"
            % "ZONEOPS_PIN_SIDEBAR"
        )
    pinned = json.loads(PINNED.read_text())

    assert found.keys() == pinned.keys()
    for who, groups in pinned.items():
        assert found[who] == groups, who


@pytest.mark.django_db
def test_no_register_falls_back_to_the_default_icon(org):
    superuser = make_user(None, departments=[org["zone"]])
    superuser.is_superuser = True

    icons = [item.split(" · ")[1] for group in sidebar_of(superuser) for item in group[1:]]

    assert icons and "table" not in icons


def _links(user, language: str = "zh-hans") -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    with translation.override(language):
        return {item["link"] for group in sidebar(request) for item in group["items"]}


@pytest.mark.django_db
def test_a_sidebar_built_for_one_set_of_permissions_is_never_shown_to_another(org):
    superuser = make_user(None, departments=[org["zone"]])
    superuser.is_superuser = True
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    pinned = json.loads(PINNED.read_text())

    everything = _links(superuser)  # built first: the staff member must not get it back
    found = sidebar_of(make_user(RoleCode.STAFF, departments=[org["investment"]]))

    assert found == pinned[RoleCode.STAFF.value]
    assert "/admin/api/apitoken/" in everything
    assert "/admin/api/apitoken/" not in _links(staff)


@pytest.mark.django_db
def test_a_permission_given_shows_its_register_on_the_next_request(org):
    from django.contrib.auth.models import Permission

    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    assert "/admin/api/apitoken/" not in _links(staff)

    staff.user_permissions.add(Permission.objects.get(codename="view_apitoken"))
    staff = type(staff).objects.get(pk=staff.pk)  # the next request loads the user anew

    assert "/admin/api/apitoken/" in _links(staff)


@pytest.mark.django_db
def test_the_sidebar_speaks_the_language_of_each_request(org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])

    def titles(language: str) -> list[str]:
        request = RequestFactory().get("/admin/")
        request.user = user
        with translation.override(language):
            return [str(group["title"]) for group in sidebar(request)]

    assert titles("zh-hans")[0] == "招商项目"
    assert titles("en")[0] == "Investment projects"
    assert titles("zh-hans")[0] == "招商项目"


@pytest.mark.django_db
def test_an_area_index_page_still_lists_its_registers(org):
    from zoneops.orgs.tests.factories import signed_in

    superuser = make_user(None, departments=[org["zone"]])
    superuser.is_superuser = True
    superuser.save()

    response = signed_in(superuser).get("/admin/parks/", secure=True)

    assert response.status_code == 200
    assert "/admin/parks/building/" in response.content.decode()
