"""The built-in roles: their default data scope and the permissions they start with.

What a role gets on all business apps, or on the system apps, is said here; what it gets in one
business app (a permission of its own such as approving an extension, or an app's registers a
role edits beside the others) that app declares in its AppConfig, `role_grants`: role code ->
entries, each an action ("view", "add", "change", "delete": on every model of the app) or the
codename of one of the app's permissions (with its app label or without). orgs assembles them
(`app_grants`) and names no app.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps

from zoneops.orgs.enums import DataScopeKind, RoleCode

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"


@dataclass(frozen=True)
class RoleDefault:
    code: RoleCode
    data_scope: DataScopeKind
    # actions granted on the models of business apps (AppConfig.nav_group other than "system")
    business_actions: tuple[str, ...]
    # actions granted on the system apps (organisation, calendar, tokens)
    system_actions: tuple[str, ...] = ()


ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})


def app_grants(code: str) -> Iterator[tuple[str, str]]:
    """What the installed apps grant the role of their own: (app label, action or codename)."""
    for config in apps.get_app_configs():
        for entry in getattr(config, "role_grants", {}).get(code, ()):
            # "enterprises.approve_extension" names the same permission as "approve_extension".
            yield config.label, entry.removeprefix(f"{config.label}.")


# The roles whose holders lead (a 领导包联 names one of them).
LEADER_ROLES = frozenset({RoleCode.PRINCIPAL.value, RoleCode.LEADER.value})


ROLE_DEFAULTS: tuple[RoleDefault, ...] = (
    RoleDefault(
        RoleCode.ADMINISTRATOR,
        DataScopeKind.ALL,
        (VIEW, ADD, CHANGE, DELETE),
        (VIEW, ADD, CHANGE, DELETE),
    ),
    # The principal leaders (书记, 主任) answer for the whole zone: they see and direct all of it.
    RoleDefault(RoleCode.PRINCIPAL, DataScopeKind.ALL, (VIEW, CHANGE), (VIEW,)),
    # A leader sees his own office, plus what he is in charge of (分管) and liaises with (包联).
    RoleDefault(RoleCode.LEADER, DataScopeKind.DEPT, (VIEW, CHANGE), (VIEW,)),
    RoleDefault(
        RoleCode.DEPARTMENT_HEAD, DataScopeKind.DEPT_AND_BELOW, (VIEW, ADD, CHANGE, DELETE), (VIEW,)
    ),
    RoleDefault(RoleCode.STAFF, DataScopeKind.DEPT, (VIEW, ADD, CHANGE), (VIEW,)),
    RoleDefault(RoleCode.INSPECTOR, DataScopeKind.ALL, (VIEW,), (VIEW,)),
    # The statistician reads everything; the indicators he keeps, that app grants him.
    RoleDefault(RoleCode.STATISTICIAN, DataScopeKind.ALL, (VIEW,), (VIEW,)),
    # An enterprise user works in its own pages (never the back office): what it reads and
    # files there, the apps that hold it grant.
    RoleDefault(RoleCode.ENTERPRISE, DataScopeKind.ENTERPRISE, ()),
)
