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
    # single permissions as "app_label.codename", e.g. approving a request's extension
    permissions: tuple[str, ...] = ()


# A supervisor approves a department's ask for more time on an enterprise request.
APPROVE_EXTENSION = "enterprises.approve_extension"
# Assigning and ending liaison (包联) widens another person's scope: a permission of its own.
ASSIGN_LIAISON = "enterprises.assign_liaison"
# The roles whose holders lead (a 领导包联 names one of them).
LEADER_ROLES = frozenset({RoleCode.PRINCIPAL.value, RoleCode.LEADER.value})


ROLE_DEFAULTS: tuple[RoleDefault, ...] = (
    RoleDefault(
        RoleCode.ADMINISTRATOR,
        DataScopeKind.ALL,
        (VIEW, ADD, CHANGE, DELETE),
        (VIEW, ADD, CHANGE, DELETE),
        permissions=(APPROVE_EXTENSION, ASSIGN_LIAISON),
    ),
    # The principal leaders (书记, 主任) answer for the whole zone: they see and direct all of it.
    RoleDefault(
        RoleCode.PRINCIPAL,
        DataScopeKind.ALL,
        (VIEW, CHANGE),
        (VIEW,),
        permissions=(APPROVE_EXTENSION, ASSIGN_LIAISON),
    ),
    # A leader sees his own office, plus what he is in charge of (分管) and liaises with (包联).
    RoleDefault(
        RoleCode.LEADER,
        DataScopeKind.DEPT,
        (VIEW, CHANGE),
        (VIEW,),
        permissions=(APPROVE_EXTENSION,),
    ),
    # A department head also assigns liaison for the enterprises his department is responsible for.
    RoleDefault(
        RoleCode.DEPARTMENT_HEAD,
        DataScopeKind.DEPT_AND_BELOW,
        (VIEW, ADD, CHANGE, DELETE),
        (VIEW,),
        permissions=(APPROVE_EXTENSION, ASSIGN_LIAISON),
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
    # An enterprise user works in its own pages (never the back office): it reads its
    # enterprise, its projects and its requests, files requests and rates the answers.
    RoleDefault(
        RoleCode.ENTERPRISE,
        DataScopeKind.ENTERPRISE,
        (),
        permissions=(
            "enterprises.view_enterprise",
            "enterprises.view_enterpriserequest",
            "enterprises.add_enterpriserequest",
            "projects.view_project",
        ),
    ),
)
