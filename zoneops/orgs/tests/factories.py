"""Test data for the organisation: a small department tree and a user per role."""

from itertools import count

from django.test import Client

from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.models import Department, User
from zoneops.orgs.services import department_create, user_create

_sequence = count(1)


def make_department(name: str, *, parent: Department | None = None, kind=DepartmentKind.BUREAU):
    return department_create(name=name, code=f"d{next(_sequence)}", kind=kind, parent=parent)


def make_user(
    role: RoleCode | str | None = RoleCode.STAFF,
    *,
    departments=(),
    in_charge_of=(),
    enterprise=None,
    username: str | None = None,
    password: str = "pass-Word-123",
) -> User:
    return user_create(
        username=username or f"user{next(_sequence)}",
        display_name=f"测试用户{next(_sequence)}",
        password=password,
        departments=list(departments),
        roles=[role] if role else [],
        in_charge_of=list(in_charge_of),
        enterprise=enterprise,
    )


def signed_in(user: User) -> Client:
    """A browser signed in as the user (the back office, the API with its session)."""
    client = Client()
    client.force_login(user)
    return client
