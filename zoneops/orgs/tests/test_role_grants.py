"""The built-in roles get exactly the permissions they always had, now that each business app
declares its own grants in its AppConfig (orgs assembles them and names no business app)."""

import json
import os
from pathlib import Path

import pytest
from django.apps import apps

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Role
from zoneops.orgs.services import roles_sync

# Each role's permissions after migrate, as "app_label.codename", pinned from before the apps
# declared their grants themselves.
PINNED = Path(__file__).with_name("role_permissions.json")


def role_permissions() -> dict[str, list[str]]:
    return {
        role.code: sorted(
            f"{app_label}.{codename}"
            for app_label, codename in role.group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        for role in Role.objects.filter(is_builtin=True).select_related("group")
    }


@pytest.mark.django_db
def test_every_built_in_role_has_the_permissions_it_always_had():
    roles_sync()
    found = role_permissions()
    if os.environ.get("ZONEOPS_PIN_ROLES"):
        PINNED.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        pytest.fail(
            f"{PINNED.name} written anew: check its diff, then run again without %s"
            % "ZONEOPS_PIN_ROLES"
        )
    pinned = json.loads(PINNED.read_text())

    assert sorted(found) == sorted(code.value for code in RoleCode)
    assert found.keys() == pinned.keys()
    for code, permissions in pinned.items():
        assert found[code] == permissions, code


@pytest.mark.django_db
def test_an_app_grants_a_role_an_action_on_all_its_registers(monkeypatch):
    # As the indicators app will give the statistician its registers to keep.
    parks = apps.get_app_config("parks")
    monkeypatch.setattr(parks, "role_grants", {RoleCode.STATISTICIAN: ("change",)}, raising=False)

    roles_sync()

    statistician = Role.objects.get(code=RoleCode.STATISTICIAN)
    granted = set(
        statistician.group.permissions.filter(content_type__app_label="parks").values_list(
            "codename", flat=True
        )
    )
    # Every model of the app (its history too), and only the action granted besides reading.
    registers = ["park", "parkphase", "building", "unit", "lease"]
    models = [*registers, *(f"historical{name}" for name in registers)]
    models.append("historicalpark_industries")  # the fitting industries' history
    assert granted == {f"{action}_{model}" for model in models for action in ("view", "change")}
