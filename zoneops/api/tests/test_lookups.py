"""Ids in a payload are looked up within what the caller may pick, by one rule for every router."""

from django.test import Client

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import CommandHQ, Project
from zoneops.projects.services.scheduling import command_hq_create
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


def test_an_id_no_record_can_bear_is_refused_naming_the_field(org):
    """A payload may carry any integer: one beyond what a key holds names nothing (SQLite
    refused it in the query, which answered 500)."""
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    client = Client()
    client.force_login(officer)

    for payload, field in (
        ({"commander_id": 10**25}, "commander_id"),
        ({"commander_id": leader.pk, "member_ids": [leader.pk, 2**63]}, "member_ids"),
        ({"commander_id": leader.pk, "project_ids": [-(10**30)]}, "project_ids"),
    ):
        refused = client.post(
            "/api/v1/projects/command-hqs",
            {"name": "指挥部甲", **payload},
            content_type="application/json",
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["errors"][0]["field"] == field
    assert not CommandHQ.objects.exists()

    hq = command_hq_create(name="指挥部乙", commander=leader, by=officer)
    for payload, field in (
        ({"commander_id": None}, "commander_id"),
        ({"member_ids": [10**25]}, "member_ids"),
    ):
        refused = client.patch(
            f"/api/v1/projects/command-hqs/{hq.pk}",
            {"version": hq.version, **payload},
            content_type="application/json",
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["errors"][0]["field"] == field


def test_a_filter_by_an_id_no_record_can_bear_finds_nothing(org):
    """Django finds nothing for `year=10**30`; a foreign key's `exact` and any `in` sent the
    number to SQLite, which refused it."""
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    project = make_project("本部门项目", owner=officer)
    huge = 10**23
    client = Client()
    client.force_login(officer)

    for url in (
        f"/api/v1/projects/progress-reports?project_id={huge}",
        f"/api/v1/projects/?industry_id={huge}",
        f"/api/v1/projects/annual-plans?project_id={huge}",
        f"/api/v1/enterprises/figures?enterprise_id={huge}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.json()["count"] == 0, url

    assert list(Project.objects.filter(pk__in=[huge, project.pk, -huge])) == [project]
    assert not Project.objects.filter(responsible_department_id=huge).exists()
    assert not Project.objects.filter(responsible_department_id__in=[huge]).exists()
    assert list(Project.objects.exclude(responsible_department_id=huge)) == [project]
