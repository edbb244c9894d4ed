"""One-enterprise-one-policy plans (一企一策): a plan for one enterprise, its measures with a
responsible department and a due date, their completion and the plan's — the services, the
selectors, the back office and the API."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.enterprises.models import EnterprisePlan, PlanMeasure
from zoneops.enterprises.selectors.plans import (
    measure_state,
    overdue_measures,
    plan_measures,
    plans_list,
)
from zoneops.enterprises.services.plans import (
    measure_add,
    measure_complete,
    measure_delete,
    measure_update,
    plan_complete,
    plan_create,
    plan_update,
)
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

STARTS_ON = date(2026, 3, 2)


@pytest.fixture
def head(org):
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def approvals_officer(org):
    """Staff of the approvals bureau: responsible for some measures, not for the plans."""
    return make_user(RoleCode.STAFF, departments=[org["approvals"]])


@pytest.fixture
def enterprise():
    return make_enterprise("冀州精密机械")


def make_plan(enterprise, owner, department, *, by=None, **fields):
    fields.setdefault("title", "冀州精密机械扩产帮扶方案")
    fields.setdefault("starts_on", STARTS_ON)
    return plan_create(enterprise=enterprise, owner=owner, department=department, by=by, **fields)


def add_measure(plan, department, *, due_on=date(2026, 4, 30), content="协调新增用电负荷", by=None):
    return measure_add(plan=plan, content=content, department=department, due_on=due_on, by=by)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- services -----------------------------------------------------------------------------------


def test_a_plan_runs_from_its_measures_to_its_completion(head, leader, org, enterprise):
    today = timezone.localdate()
    plan = make_plan(enterprise, leader, org["investment"], by=head, goal="年内二期投产")
    power = add_measure(plan, org["approvals"], by=head)
    land = add_measure(plan, org["investment"], content="落实二期用地指标", by=head)

    measure_complete(measure=power, result="新增负荷2万千伏安已送电", by=head, on=date(2026, 4, 20))
    with pytest.raises(ApplicationError) as open_measure:
        plan_complete(plan=plan, summary="二期投产", by=head)
    measure_complete(measure=land, result="用地已挂牌", by=head)
    plan = plan_complete(plan=plan, summary="二期如期投产，新增产值3亿元", by=head)

    assert open_measure.value.code == "open_measures" and "1项" in open_measure.value.message
    assert plan.status == PlanStatus.COMPLETED and plan.completed_on == today
    assert plan.summary.startswith("二期如期投产") and plan.created_by == head
    power.refresh_from_db()
    assert (power.status, power.done_on, power.version) == (
        MeasureStatus.DONE,
        date(2026, 4, 20),
        2,
    )
    assert plan.history.first().history_change_reason == "方案完成"


def test_a_plan_is_checked_before_it_is_drawn_up(leader, org, enterprise):
    company = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    with pytest.raises(ApplicationError) as backwards:
        make_plan(enterprise, leader, org["investment"], ends_on=STARTS_ON - timedelta(days=1))
    with pytest.raises(ApplicationError) as owner:
        make_plan(enterprise, company, org["investment"])
    with pytest.raises(ApplicationError) as untitled:
        make_plan(enterprise, leader, org["investment"], title=" ")
    assert (backwards.value.field, owner.value.field, untitled.value.field) == (
        "ends_on",
        "owner",
        "title",
    )
    assert not EnterprisePlan.objects.exists()


def test_a_measure_is_due_after_the_plan_starts_and_is_closed_once_done(
    head, leader, org, enterprise
):
    plan = make_plan(enterprise, leader, org["investment"])
    with pytest.raises(ApplicationError) as early:
        add_measure(plan, org["approvals"], due_on=STARTS_ON - timedelta(days=1))
    with pytest.raises(ApplicationError) as empty:
        add_measure(plan, org["approvals"], content="")
    measure = add_measure(plan, org["approvals"])
    with pytest.raises(ApplicationError) as no_result:
        measure_complete(measure=measure, result=" ", by=head)
    with pytest.raises(ApplicationError) as before_start:
        measure_complete(measure=measure, result="已送电", by=head, on=STARTS_ON - timedelta(1))
    measure_complete(measure=measure, result="已送电", by=head)
    with pytest.raises(ApplicationError) as edit_done:
        measure_update(measure=measure, by=head, content="改写")
    with pytest.raises(ApplicationError) as delete_done:
        measure_delete(measure=measure, by=head)
    with pytest.raises(ApplicationError) as twice:
        measure_complete(measure=measure, result="再次", by=head)

    assert (early.value.field, empty.value.field) == ("due_on", "content")
    assert (no_result.value.field, before_start.value.field) == ("result", "on")
    assert edit_done.value.code == delete_done.value.code == twice.value.code == "done"
    assert PlanMeasure.objects.get().result == "已送电"


def test_open_measures_are_edited_or_removed_with_their_version(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    measure = measure_update(
        measure=measure, by=head, expected_version=1, due_on=date(2026, 5, 15), owner=head
    )
    with pytest.raises(StaleEditError):
        measure_update(measure=measure, by=head, expected_version=1, content="过期的修改")
    with pytest.raises(ApplicationError) as unknown:
        measure_update(measure=measure, by=head, status="done")
    measure_delete(measure=measure, by=head, expected_version=2)

    assert unknown.value.field == "status"
    assert not PlanMeasure.objects.exists()


def test_a_completed_plan_is_no_longer_changed(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    with pytest.raises(ApplicationError) as empty:
        plan_complete(plan=plan, summary="无措施", by=head)
    measure_complete(measure=add_measure(plan, org["approvals"]), result="已完成", by=head)
    plan = plan_complete(plan=plan, summary="成效", by=head)
    with pytest.raises(ApplicationError) as edit:
        plan_update(plan=plan, by=head, title="新名字")
    with pytest.raises(ApplicationError) as add:
        add_measure(plan, org["approvals"])
    assert empty.value.code == "empty"
    assert edit.value.code == add.value.code == "completed"


def test_a_plan_cannot_start_after_a_measure_is_due(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    add_measure(plan, org["approvals"], due_on=date(2026, 3, 20))
    with pytest.raises(ApplicationError) as refused:
        plan_update(plan=plan, by=head, starts_on=date(2026, 4, 1))
    assert refused.value.field == "starts_on"


# --- selectors ----------------------------------------------------------------------------------


def test_plans_count_done_open_and_overdue_measures(head, leader, org, enterprise):
    today = timezone.localdate()
    plan = make_plan(enterprise, leader, org["investment"])
    late = add_measure(plan, org["approvals"], due_on=date(2026, 3, 31))
    add_measure(plan, org["approvals"], due_on=today + timedelta(days=30))
    done = add_measure(plan, org["investment"], due_on=date(2026, 3, 31))
    measure_complete(measure=done, result="已完成", by=head)
    make_plan(make_enterprise(), leader, org["investment"], title="没有措施的方案")

    rows = {row.title: row for row in plans_list(user=head)}

    row = rows["冀州精密机械扩产帮扶方案"]
    assert (row.measure_count, row.done_measure_count, row.open_measure_count) == (3, 1, 2)
    assert row.overdue_measure_count == 1
    assert rows["没有措施的方案"].measure_count == 0
    measures = list(plan_measures(plan=plan))
    assert [m.pk for m in measures if m.is_overdue] == [late.pk]
    assert [measure_state(m)[0] for m in measures] == ["overdue", "done", "open"]


def test_overdue_measures_are_those_the_user_reaches_oldest_first(
    head, leader, org, enterprise, approvals_officer
):
    plan = make_plan(enterprise, leader, org["investment"])
    march = add_measure(plan, org["approvals"], due_on=date(2026, 3, 31))
    april = add_measure(plan, org["investment"], due_on=date(2026, 4, 30))
    add_measure(plan, org["approvals"], due_on=timezone.localdate() + timedelta(days=5))

    assert list(overdue_measures(user=head)) == [march, april]  # his department leads the plan
    assert list(overdue_measures(user=approvals_officer)) == [march]  # only his department's


def test_plans_read_in_a_fixed_number_of_queries(head, leader, org, django_assert_max_num_queries):
    for index in range(2):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"方案{index}")
        add_measure(plan, org["approvals"])
    with django_assert_max_num_queries(10) as few:
        rows = list(plans_list(user=head))
        assert all(row.enterprise.name and row.owner.pk for row in rows)
    for index in range(10):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"更多{index}")
        add_measure(plan, org["approvals"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = list(plans_list(user=head))
        assert all(row.enterprise.name and row.owner.pk for row in rows)


# --- back office --------------------------------------------------------------------------------

PLANS = "/admin/enterprises/enterpriseplan/"
MEASURES = "/admin/enterprises/planmeasure/"


def _measure_rows(plan, rows: list[dict]) -> dict:
    """The inline formset's fields for the plan's existing measures and new `rows`."""
    existing = list(plan.measures.order_by("due_on", "id"))
    data = {
        "measures-TOTAL_FORMS": str(len(existing) + len(rows)),
        "measures-INITIAL_FORMS": str(len(existing)),
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "1000",
    }
    for index, measure in enumerate(existing):
        data.update(
            {
                f"measures-{index}-id": str(measure.pk),
                f"measures-{index}-plan": str(plan.pk),
                f"measures-{index}-content": measure.content,
                f"measures-{index}-department": str(measure.department_id),
                f"measures-{index}-owner": str(measure.owner_id or ""),
                f"measures-{index}-due_on": measure.due_on.isoformat(),
                f"measures-{index}-edit_version": str(measure.version),
            }
        )
    for offset, row in enumerate(rows, start=len(existing)):
        data.update({f"measures-{offset}-{name}": value for name, value in row.items()})
        data[f"measures-{offset}-plan"] = str(plan.pk)
    return data


def _plan_form(plan, **changes) -> dict:
    data = {
        "title": plan.title,
        "background": plan.background,
        "goal": plan.goal,
        "owner": str(plan.owner_id),
        "department": str(plan.department_id),
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else "",
        "edit_version": str(plan.version),
    }
    data.update(changes)
    return data


def test_a_plan_is_drawn_up_and_its_measures_entered_on_its_page(head, leader, org, enterprise):
    client = client_for(head)
    added = client.post(
        f"{PLANS}add/",
        {
            "enterprise": enterprise.pk,
            "title": "冀州精密机械扩产帮扶方案",
            "background": "二期用电、用地紧张",
            "goal": "年内二期投产",
            "owner": leader.pk,
            "department": org["investment"].pk,
            "starts_on": "2026-03-02",
            "ends_on": "",
        },
    )
    plan = EnterprisePlan.objects.get()
    assert added.status_code == 302, added.content.decode()[:3000]
    assert added["Location"] == f"{PLANS}{plan.pk}/change/"
    assert plan.created_by == head and plan.status == PlanStatus.ACTIVE

    saved = client.post(
        f"{PLANS}{plan.pk}/change/",
        _plan_form(
            plan,
            **_measure_rows(
                plan,
                [
                    {
                        "content": "协调新增用电负荷",
                        "department": str(org["approvals"].pk),
                        "owner": "",
                        "due_on": "2026-03-31",
                    }
                ],
            ),
        ),
    )

    assert saved.status_code == 302, saved.content.decode()[:3000]
    measure = PlanMeasure.objects.get()
    assert (measure.content, measure.created_by, measure.version) == ("协调新增用电负荷", head, 1)
    page = client.get(f"{PLANS}{plan.pk}/change/").content.decode()
    assert "协调新增用电负荷" in page and "已逾期" in page
    assert f"{MEASURES}{measure.pk}/complete/" in page


def test_a_measure_due_before_the_plan_starts_is_refused_in_the_inline(
    head, leader, org, enterprise
):
    plan = make_plan(enterprise, leader, org["investment"])
    response = client_for(head).post(
        f"{PLANS}{plan.pk}/change/",
        _plan_form(
            plan,
            **_measure_rows(
                plan,
                [
                    {
                        "content": "早于方案的措施",
                        "department": str(org["approvals"].pk),
                        "due_on": "2026-01-31",
                    }
                ],
            ),
        ),
    )
    assert response.status_code == 200 and "不能早于方案开始日期" in response.content.decode()
    assert not PlanMeasure.objects.exists()


def test_measures_are_completed_then_the_plan_on_their_pages(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    client = client_for(head)

    blocked = client.get(f"{PLANS}{plan.pk}/complete/").content.decode()
    form = client.get(f"{MEASURES}{measure.pk}/complete/").content.decode()
    done = client.post(
        f"{MEASURES}{measure.pk}/complete/",
        {"result": "已送电", "on": "2026-04-20", "edit_version": measure.version},
    )
    plan.refresh_from_db()
    completed = client.post(
        f"{PLANS}{plan.pk}/complete/",
        {"summary": "二期如期投产", "on": "", "edit_version": plan.version},
    )

    assert 'id="step-notice"' in blocked and "1项措施未完成" in blocked
    assert f'href="{PLANS}{plan.pk}/change/" class="zo-button">返回' in blocked  # the way back
    assert f'href="{MEASURES}{measure.pk}/change/" class="zo-button">取消' in form
    assert done.status_code == 302 and done["Location"] == f"{PLANS}{plan.pk}/change/"
    assert completed.status_code == 302
    plan.refresh_from_db()
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE and measure.result == "已送电"
    assert plan.status == PlanStatus.COMPLETED and plan.summary == "二期如期投产"
    page = client.get(f"{PLANS}{plan.pk}/change/").content.decode()
    assert f"{PLANS}{plan.pk}/complete/" not in page and "已送电" in page


def test_the_measures_register_filters_the_overdue(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    add_measure(plan, org["approvals"], content="逾期的措施", due_on=date(2026, 3, 31))
    add_measure(
        plan, org["approvals"], content="未到期的措施", due_on=timezone.localdate() + timedelta(9)
    )

    body = client_for(head).get(f"{MEASURES}?state=overdue").content.decode()

    assert "逾期的措施" in body and "未到期的措施" not in body and "冀州精密机械" in body


def test_the_plan_list_shows_overdue_counts_in_a_fixed_number_of_queries(
    head, leader, org, django_assert_max_num_queries
):
    for index in range(2):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"方案{index}")
        add_measure(plan, org["approvals"], due_on=date(2026, 3, 31))
    client = client_for(head)
    body = client.get(f"{PLANS}?overdue=yes").content.decode()
    assert "方案0" in body and "逾期措施" in body and "0/1" in body
    with django_assert_max_num_queries(40) as few:
        client.get(PLANS)
    for index in range(12):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"更多{index}")
        add_measure(plan, org["approvals"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(PLANS)


def test_a_responsible_department_completes_its_measure_without_reaching_the_plan(
    leader, org, enterprise, approvals_officer
):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    client = client_for(approvals_officer)

    assert client.get(f"{PLANS}{plan.pk}/change/").status_code == 302  # not in his scope
    done = client.post(
        f"{MEASURES}{measure.pk}/complete/",
        {"result": "已送电", "on": "", "edit_version": measure.version},
    )

    assert done.status_code == 302 and done["Location"] == f"{MEASURES}{measure.pk}/change/"
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE


# --- API ----------------------------------------------------------------------------------------

API = "/api/v1/enterprises/plans"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_draw_up_a_plan_add_and_complete_its_measures_and_the_plan_through_the_api(
    head, leader, org, enterprise
):
    client = client_for(head)
    created = post(
        client,
        API,
        {
            "enterprise_id": enterprise.pk,
            "title": "冀州精密机械扩产帮扶方案",
            "goal": "年内二期投产",
            "starts_on": "2026-03-02",
            "owner_id": leader.pk,
            "department_id": org["investment"].pk,
        },
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    assert created.json()["measures"] == [] and created.json()["actions"] == ["complete"]

    measure = post(
        client,
        f"{API}/{plan_id}/measures",
        {
            "content": "协调新增用电负荷",
            "department_id": org["approvals"].pk,
            "due_on": "2026-03-31",
        },
    )
    assert measure.status_code == 201, measure.content
    body = measure.json()
    assert (body["state"], body["overdue"], body["enterprise_name"]) == (
        "overdue",
        True,
        "冀州精密机械",
    )
    early = post(client, f"{API}/{plan_id}/complete", {"summary": "成效", "version": 1})
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "measures"

    moved = client.patch(
        f"{API}/measures/{body['id']}",
        {"due_on": "2026-12-31", "owner_id": head.pk, "version": 1},
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["owner_name"] == str(head)
    done = post(client, f"{API}/measures/{body['id']}/complete", {"result": "已送电", "version": 2})
    assert done.status_code == 200 and done.json()["state"] == "done"
    completed = post(client, f"{API}/{plan_id}/complete", {"summary": "二期投产", "version": 1})

    assert completed.status_code == 200, completed.content
    plan = completed.json()
    assert plan["status"] == "completed" and plan["actions"] == []
    assert (plan["measure_count"], plan["done_measure_count"]) == (1, 1)
    assert plan["measures"][0]["result"] == "已送电"


def test_the_overdue_measures_and_the_plans_with_them(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    add_measure(plan, org["approvals"], content="逾期的措施", due_on=date(2026, 3, 31))
    add_measure(
        plan, org["approvals"], content="未到期", due_on=timezone.localdate() + timedelta(9)
    )
    make_plan(make_enterprise(), leader, org["investment"], title="按期推进的方案")
    client = client_for(head)

    overdue = client.get(f"{API}/measures?state=overdue").json()
    plans_overdue = client.get(f"{API}?overdue=true").json()
    bad = client.get(f"{API}/measures?state=late")

    assert [row["content"] for row in overdue["items"]] == ["逾期的措施"]
    assert [row["title"] for row in plans_overdue["items"]] == [plan.title]
    assert plans_overdue["items"][0]["overdue_measure_count"] == 1
    assert bad.status_code == 400


def test_a_measure_is_reached_by_its_department_and_a_plan_by_its_lead(
    head, leader, org, enterprise, approvals_officer
):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    client = client_for(approvals_officer)

    assert client.get(f"{API}/{plan.pk}").status_code == 404
    assert [row["id"] for row in client.get(f"{API}/measures").json()["items"]] == [measure.pk]
    done = post(client, f"{API}/measures/{measure.pk}/complete", {"result": "已送电", "version": 1})
    assert done.status_code == 200
    removed = client_for(head).delete(f"{API}/measures/{measure.pk}")
    assert removed.status_code == 400  # a completed measure stays as the record


def test_open_measures_are_removed_and_stale_edits_refused(head, leader, org, enterprise):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    client = client_for(head)
    stale = client.patch(
        f"{API}/{plan.pk}", {"title": "新名称", "version": 9}, content_type="application/json"
    )
    removed = client.delete(f"{API}/measures/{measure.pk}?version=1")
    assert stale.status_code == 409
    assert removed.status_code == 204 and not PlanMeasure.objects.exists()


def test_the_api_lists_plans_in_a_fixed_number_of_queries(
    head, leader, org, django_assert_max_num_queries
):
    for index in range(2):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"方案{index}")
        add_measure(plan, org["approvals"])
    client = client_for(head)
    with django_assert_max_num_queries(20) as few:
        assert client.get(API).status_code == 200
    for index in range(10):
        plan = make_plan(make_enterprise(), leader, org["investment"], title=f"更多{index}")
        add_measure(plan, org["approvals"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API).json()["count"] == 12
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}/measures").json()["count"] == 12


def test_a_plan_with_its_measures_reads_in_a_fixed_number_of_queries(
    head, leader, org, enterprise, django_assert_max_num_queries
):
    plan = make_plan(enterprise, leader, org["investment"])
    add_measure(plan, org["approvals"])
    client = client_for(head)
    with django_assert_max_num_queries(20) as few:
        assert client.get(f"{API}/{plan.pk}").json()["measures"][0]["actions"] == ["complete"]
    for index in range(10):
        add_measure(plan, org["approvals"], content=f"措施{index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{API}/{plan.pk}").json()["measures"]) == 11


def test_the_back_office_pages_open_for_the_roles_that_use_them(
    head, leader, org, enterprise, approvals_officer
):
    plan = make_plan(enterprise, leader, org["investment"])
    measure = add_measure(plan, org["approvals"])
    client = client_for(head)
    for url in (
        f"{PLANS}add/",
        f"{PLANS}{plan.pk}/change/",
        f"{MEASURES}",
        f"{MEASURES}add/",
        f"{MEASURES}{measure.pk}/change/",
        f"{MEASURES}{measure.pk}/complete/",
        "/admin/blockers/systemicblocker/add/",
    ):
        assert client.get(url).status_code == 200, url
    assert client_for(approvals_officer).get(f"{MEASURES}{measure.pk}/change/").status_code == 200
