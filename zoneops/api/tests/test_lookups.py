"""Ids in a payload are looked up within what the caller may pick, by one rule for every router."""

from django.test import Client

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import CommandHQ
from zoneops.projects.tests.factories import make_project


def test_a_payload_may_name_any_colleague_but_not_a_project_out_of_scope(org):
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    leader_elsewhere = make_user(RoleCode.LEADER, departments=[org["approvals"]])
    mine = make_project("本部门项目", owner=officer)
    theirs = make_project("审批局项目", responsible_department=org["approvals"])
    client = Client()
    client.force_login(officer)

    refused = client.post(
        "/api/v1/projects/command-hqs",
        {"name": "指挥部甲", "commander_id": leader_elsewhere.pk, "project_ids": [theirs.pk]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "project_ids"
    assert not CommandHQ.objects.exists()

    created = client.post(
        "/api/v1/projects/command-hqs",
        {"name": "指挥部甲", "commander_id": leader_elsewhere.pk, "project_ids": [mine.pk]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert CommandHQ.objects.get().commander == leader_elsewhere
