"""Liaison (包联) widens the liaising person's data scope, so arranging it is a right of its own:
a holder of 可安排和结束包联 (department heads, principal leaders, administrators by default) in
the enterprise's responsible department or zone-wide; nobody widens his own scope; a 领导包联
names a leader; a past start or end is entered with its reason."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import can_see, can_write
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.models import Enterprise, LiaisonAssignment
from zoneops.enterprises.services import (
    enterprise_update,
    liaison_assign,
    liaison_delete,
    liaison_end,
    liaison_save,
)
from zoneops.enterprises.tests.factories import (
    make_enterprise,
    make_liaison,
    make_monthly_figures,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.admin_forms import change_form_data
from zoneops.orgs.tests.factories import make_user, signed_in

pytestmark = pytest.mark.django_db

LIAISONS = "/api/v1/enterprises/liaisons"


@pytest.fixture
def people(org):
    return {
        "staff": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "head": make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]]),
        "other_head": make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]]),
        "leader": make_user(RoleCode.LEADER, departments=[org["zone"]]),
        "leader2": make_user(RoleCode.LEADER, departments=[org["zone"]]),
        "administrator": make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]),
        "inspector": make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
    }


@pytest.fixture
def kept(org):
    """An enterprise the investment bureau is responsible for, with figures and a request."""
    enterprise = make_enterprise("北汽倍摩斯", responsible_department=org["investment"])
    make_monthly_figures(enterprise, year=2019, monthly_revenue=10, months=1)
    return enterprise


def payload(enterprise: Enterprise, **fields) -> dict:
    return {
        "enterprise_id": enterprise.pk,
        "kind": "leader",
        "level": "district",
        "started_on": timezone.localdate().isoformat(),
        **fields,
    }


def test_a_staff_member_cannot_assign_himself_liaison_and_his_scope_stays(people, org):
    staff = people["staff"]
    elsewhere = make_enterprise("韩国株山", responsible_department=org["approvals"])
    figure = make_monthly_figures(elsewhere, year=2019, monthly_revenue=10, months=1)[0]
    assert not can_see(staff, figure)

    response = signed_in(staff).post(
        LIAISONS,
        payload(elsewhere, kind="department", department_id=staff.departments.get().pk),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not LiaisonAssignment.objects.exists()
    staff = type(staff).objects.get(pk=staff.pk)  # a new request, a new scope
    assert not can_see(staff, figure)


def test_a_staff_member_is_not_offered_the_liaison_add_page(people):
    client = signed_in(people["staff"])
    assert client.get("/admin/enterprises/liaisonassignment/add/").status_code == 403
    assert client.get("/admin/enterprises/liaisonassignment/").status_code == 200  # reads


def test_the_responsible_departments_head_assigns_a_leader(people, kept):
    response = signed_in(people["head"]).post(
        LIAISONS, payload(kept, person_id=people["leader"].pk), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assignment = LiaisonAssignment.objects.get()
    assert (assignment.person, assignment.created_by) == (people["leader"], people["head"])


def test_another_departments_head_may_not_arrange_its_liaison(people, kept):
    response = signed_in(people["other_head"]).post(
        LIAISONS, payload(kept, person_id=people["leader"].pk), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "enterprise"
    assert not LiaisonAssignment.objects.exists()


@pytest.mark.parametrize("kind", ["himself", "his_department"])
def test_a_head_may_not_widen_his_own_scope(people, kept, kind):
    head = people["head"]
    fields = (
        {"kind": "inspector", "person_id": head.pk}
        if kind == "himself"
        else {"kind": "department", "department_id": head.departments.get().pk}
    )

    response = signed_in(head).post(
        LIAISONS, payload(kept, **fields), content_type="application/json"
    )

    assert response.status_code == 403
    assert not LiaisonAssignment.objects.exists()


def test_a_leader_liaison_names_a_leader(people, kept):
    with pytest.raises(Exception, match="须为管委会领导"):
        liaison_assign(
            enterprise=kept,
            kind=LiaisonKind.LEADER,
            person=people["staff"],
            started_on=timezone.localdate(),
            by=people["administrator"],
        )
    assert not LiaisonAssignment.objects.exists()


def test_an_enterprise_user_is_never_a_liaison_person(people, kept):
    enterprise_user = make_user(RoleCode.ENTERPRISE, enterprise=kept)
    with pytest.raises(Exception, match="企业用户"):
        liaison_assign(
            enterprise=kept,
            kind=LiaisonKind.LEADER,
            person=enterprise_user,
            started_on=timezone.localdate(),
            by=people["administrator"],
        )


def test_a_leader_cannot_end_anothers_liaison_nor_backdate_it(people, kept):
    assignment = make_liaison(kept, person=people["leader2"], started_on=date(2019, 1, 1))
    yesterday = timezone.localdate() - timedelta(days=1)
    client = signed_in(people["leader"])

    response = client.post(
        f"{LIAISONS}/{assignment.pk}/end",
        {"on": yesterday.isoformat(), "reason": "调整", "version": assignment.version},
        content_type="application/json",
    )

    assert response.status_code == 403
    with pytest.raises(PermissionDeniedError):
        liaison_end(assignment=assignment, on=yesterday, reason="调整", by=people["leader2"])
    assignment.refresh_from_db()
    assert assignment.ended_on is None


def test_a_backdated_end_needs_its_reason(people, kept):
    assignment = make_liaison(kept, person=people["leader"], started_on=date(2019, 1, 1))
    yesterday = timezone.localdate() - timedelta(days=1)

    with pytest.raises(ApplicationError, match="补登"):
        liaison_end(assignment=assignment, on=yesterday, by=people["head"])
    assignment.refresh_from_db()
    assert assignment.ended_on is None

    liaison_end(assignment=assignment, on=yesterday, reason="领导分工调整", by=people["head"])
    assignment.refresh_from_db()
    assert assignment.ended_on == yesterday


def test_the_liaising_leader_reads_but_cannot_edit_his_own_assignment(people, kept):
    assignment = make_liaison(kept, person=people["leader"], started_on=date(2019, 1, 1))
    client = signed_in(people["leader"])
    url = f"/admin/enterprises/liaisonassignment/{assignment.pk}/change/"

    page = client.get(url)
    refused = client.post(url, {"started_on": "2018-01-01", "note": "x", "level": "district"})

    assert page.status_code == 200 and 'name="started_on"' not in page.content.decode()
    assert refused.status_code == 403
    assert not can_write(people["leader"], assignment)
    assignment.refresh_from_db()
    assert assignment.started_on == date(2019, 1, 1)


def test_the_enterprise_page_offers_liaison_rows_only_to_who_may_arrange(people, kept):
    url = f"/admin/enterprises/enterprise/{kept.pk}/change/"
    head_page = signed_in(people["head"]).get(url).content.decode()
    admin_page = signed_in(people["administrator"]).get(url).content.decode()
    assert "liaisons-__prefix__-kind" in head_page
    # an administrator may arrange anywhere; an inspector only reads
    assert "liaisons-__prefix__-kind" in admin_page
    inspector_page = signed_in(people["inspector"]).get(url)
    assert inspector_page.status_code == 200
    assert "liaisons-__prefix__-kind" not in inspector_page.content.decode()


def test_a_liaison_row_refused_on_the_enterprise_page_keeps_what_was_typed(people, kept):
    head = people["head"]
    url = f"/admin/enterprises/enterprise/{kept.pk}/change/"
    data = {
        "name": kept.name,
        "credit_code": kept.credit_code,
        "country": "中国",
        "responsible_department": str(kept.responsible_department_id),
        "edit_version": str(kept.version),
        "address": "新地址",
        "liaisons-TOTAL_FORMS": "1",
        "liaisons-INITIAL_FORMS": "0",
        "liaisons-0-kind": "department",
        "liaisons-0-level": "district",
        "liaisons-0-department": str(head.departments.get().pk),
        "liaisons-0-started_on": timezone.localdate().isoformat(),
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
    }

    response = signed_in(head).post(url, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "扩大本人的数据范围" in body and "新地址" in body
    kept.refresh_from_db()
    assert kept.address == "" and not LiaisonAssignment.objects.exists()


def test_the_responsible_department_is_handed_over_only_by_who_may_arrange(people, kept, org):
    liaising = people["leader"]
    make_liaison(kept, person=liaising, started_on=date(2019, 1, 1))
    assert can_write(liaising, kept)  # liaison lets him keep the record up to date

    with pytest.raises(PermissionDeniedError):
        enterprise_update(
            enterprise=kept,
            responsible_department=org["approvals"],
            by=liaising,
            expected_version=kept.version,
        )
    kept.refresh_from_db()
    assert kept.responsible_department == org["investment"]

    enterprise_update(
        enterprise=kept,
        responsible_department=org["approvals"],
        by=people["head"],
        expected_version=kept.version,
    )
    kept.refresh_from_db()
    assert kept.responsible_department == org["approvals"]


def test_the_enterprise_page_adds_liaison_rows_but_leaves_those_on_record_as_they_are(people, kept):
    assignment = make_liaison(kept, person=people["leader"], started_on=date(2019, 1, 1))
    url = f"/admin/enterprises/enterprise/{kept.pk}/change/"
    client = signed_in(people["head"])
    data = change_form_data(client, url)
    data["liaisons-0-person"] = str(people["leader2"].pk)
    data["liaisons-0-DELETE"] = "on"

    client.post(url, data)

    assignment.refresh_from_db()
    assert assignment.person == people["leader"] and assignment.ended_on is None


def test_reopening_an_ended_liaison_needs_its_reason(people, kept):
    assignment = make_liaison(kept, person=people["leader"], started_on=date(2019, 1, 1))
    liaison_end(assignment=assignment, on=date(2020, 6, 30), reason="调整", by=None)
    assignment.refresh_from_db()
    assignment.ended_on = None

    with pytest.raises(ApplicationError, match="恢复已结束的包联"):
        liaison_save(assignment=assignment, by=people["head"])

    assignment.note = "误结束，恢复"
    liaison_save(assignment=assignment, by=people["head"])
    assignment.refresh_from_db()
    assert assignment.ended_on is None


def test_an_assignment_on_record_keeps_its_person_and_is_ended_not_deleted(people, kept):
    assignment = make_liaison(kept, person=people["leader"], started_on=date(2019, 1, 1))
    assignment.person = people["leader2"]

    with pytest.raises(ApplicationError, match="结束它并重新安排"):
        liaison_save(assignment=assignment, by=people["head"])
    with pytest.raises(PermissionDeniedError):
        liaison_delete(assignment=assignment, by=people["administrator"])

    assignment.refresh_from_db()
    assert assignment.person == people["leader"]
