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
