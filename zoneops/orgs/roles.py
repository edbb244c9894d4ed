"""The built-in roles: their default data scope and the permissions they start with."""

from dataclasses import dataclass

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
    # extra actions on named apps, e.g. the statistician edits indicators
    app_actions: tuple[tuple[str, tuple[str, ...]], ...] = ()


ROLE_DEFAULTS: tuple[RoleDefault, ...] = (
    RoleDefault(
        RoleCode.ADMINISTRATOR,
        DataScopeKind.ALL,
        (VIEW, ADD, CHANGE, DELETE),
        (VIEW, ADD, CHANGE, DELETE),
    ),
    # A leader sees his own office, plus what he is in charge of (分管) and liaises with (包联).
    RoleDefault(RoleCode.LEADER, DataScopeKind.DEPT, (VIEW, CHANGE), (VIEW,)),
    RoleDefault(
        RoleCode.DEPARTMENT_HEAD, DataScopeKind.DEPT_AND_BELOW, (VIEW, ADD, CHANGE, DELETE), (VIEW,)
    ),
    RoleDefault(RoleCode.STAFF, DataScopeKind.DEPT, (VIEW, ADD, CHANGE), (VIEW,)),
    RoleDefault(RoleCode.INSPECTOR, DataScopeKind.ALL, (VIEW,), (VIEW,)),
    RoleDefault(
        RoleCode.STATISTICIAN,
        DataScopeKind.ALL,
        (VIEW,),
        (VIEW,),
        (("indicators", (VIEW, ADD, CHANGE, DELETE)),),
    ),
    RoleDefault(RoleCode.ENTERPRISE, DataScopeKind.ENTERPRISE, ()),
)
