from datetime import date

import pytest

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.supervision.enums import TaskSource
from zoneops.supervision.services import task_assign

ASSIGNED = date(2020, 6, 1)  # a Monday


@pytest.fixture
def people(org):
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]], in_charge_of=[org["investment"]])
    return {
        "supervisor": make_user(RoleCode.LEADER, departments=[org["zone"]]),
        "worker": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "other": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "inspector": make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
        "leader": leader,
    }


@pytest.fixture
def make_task(org, people):
    def make(**values):
        values.setdefault("source", TaskSource.INSTRUCTION)
        values.setdefault("title", "推进园区供电扩容")
        values.setdefault("department", org["investment"])
        values.setdefault("supervisor", people["supervisor"])
        values.setdefault("by", people["supervisor"])
        values.setdefault("assigned_on", ASSIGNED)
        if "due_on" not in values:
            values.setdefault("limit_days", 5)
        return task_assign(**values)

    return make
