"""The demo zone's enterprise service: a year of requests with a spread of outcomes, the blocker
of the Hyundai plant's suppliers in the epidemic and the plant's 一企一策 plan.

Only what the requests need is loaded — the organisation, the accounts and the enterprise
register, not the ~190 projects — once for the module and rolled back after it; each test runs
in its own savepoint on top of it.
"""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from zoneops.blockers.models import SystemicBlocker
from zoneops.demo import loader
from zoneops.demo.data import HYUNDAI_PLANT
from zoneops.demo.enterprises_data import SAMPLE_SUFFIX, load_enterprise_register
from zoneops.demo.requests import (
    AS_OF,
    HYUNDAI_PLAN,
    REQUESTS,
    SUPPLY_CHAIN,
    load_enterprise_service,
)
from zoneops.enterprises.enums import MeasureStatus, RequestChannel, RequestKind, RequestStatus
from zoneops.enterprises.models import (
    EnterprisePlan,
    EnterpriseRequest,
    RequestEvent,
    RequestExtension,
)
from zoneops.enterprises.selectors.requests import (
    request_clock,
    request_events_for,
    requests_statistics,
    requests_visible,
)
from zoneops.orgs.models import User
from zoneops.projects.enums import BlockerTopic

pytestmark = pytest.mark.django_db

S = RequestStatus
Kind = RequestEvent.Kind


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = loader.DemoResult(password="demo-Pass-2020")
        departments = loader.load_organisation(result=result)
        loader.load_parks(result=result)
        enterprises = loader.load_enterprises(result=result)
        loader.load_accounts(
            result=result,
            password=result.password,
            departments=departments,
            enterprises=enterprises,
        )
        loader.load_industries(result=result)
        load_enterprise_register(result=result)
        load_enterprise_service(result=result)
        yield result
        transaction.set_rollback(True)


def test_a_year_of_requests_from_about_thirty_enterprises(demo):
    requests = EnterpriseRequest.objects.all()

    assert 80 <= requests.count() == len(REQUESTS) <= 120
    assert demo.created["requests"] == len(REQUESTS)
    assert len({(spec.enterprise, spec.title) for spec in REQUESTS}) == len(REQUESTS)
    assert requests.values("enterprise").distinct().count() >= 28
    assert set(requests.values_list("topic", flat=True)) == set(BlockerTopic.values)
    assert set(requests.values_list("kind", flat=True)) == set(RequestKind.values)
    assert set(requests.values_list("channel", flat=True)) == set(RequestChannel.values)
    assert requests.values("department").distinct().count() >= 7
    days = [*requests.values_list("filed_on", flat=True)]
    days += RequestEvent.objects.values_list("on", flat=True)
    assert min(days) >= date(2019, 7, 1) and max(days) == AS_OF
    by_month = Counter((day.year, day.month) for day in requests.values_list("filed_on", flat=True))
    assert len(by_month) == 12  # every month of the year has requests
    assert by_month[(2020, 2)] == max(by_month.values())  # the epidemic's spike


def test_only_named_enterprises_requests_carry_the_sample_mark_except_the_articles_own():
    for request in EnterpriseRequest.objects.select_related("enterprise"):
        if request.enterprise.is_sample:
            assert not request.title.endswith(SAMPLE_SUFFIX)
        elif request.blocker_id and request.enterprise.name == HYUNDAI_PLANT:
            assert not request.title.endswith(SAMPLE_SUFFIX)  # the article's case
        else:
            assert request.title.endswith(SAMPLE_SUFFIX), request.title


def test_where_they_stand_on_the_demos_today():
    statuses = Counter(EnterpriseRequest.objects.values_list("status", flat=True))

    assert statuses[S.RATED] >= 0.8 * len(REQUESTS)
    assert (statuses[S.ANSWERED], statuses[S.RETURNED]) == (2, 3)
    assert (statuses[S.IN_PROGRESS], statuses[S.ACCEPTED], statuses[S.SUBMITTED]) == (3, 1, 1)
    clocks = Counter(
        request_clock(request, on=AS_OF).key
        for request in EnterpriseRequest.objects.filter(status__in=(S.ACCEPTED, S.IN_PROGRESS))
    )
    assert clocks == {"red": 1, "yellow": 1, "normal": 2}
    overdue = EnterpriseRequest.objects.get(status=S.IN_PROGRESS, due_on__lt=AS_OF)
    assert overdue.enterprise.name == "亚超特铝"
    assert overdue.events.filter(kind=Kind.NOTE, internal=True).exists()


def test_most_answers_are_on_time_and_well_rated_some_late():
    answered = EnterpriseRequest.objects.filter(status__in=(S.ANSWERED, S.RATED))
    late = [r for r in answered if r.answered_on > r.due_on]

    assert 0.05 * answered.count() <= len(late) <= 0.15 * answered.count()
    scores = Counter(
        EnterpriseRequest.objects.filter(status=S.RATED).values_list("rating", flat=True)
    )
    assert set(scores) <= {3, 4, 5}
    assert scores[5] + scores[4] >= 0.85 * sum(scores.values())
    assert scores[3] >= 3


def test_three_were_rated_low_reopened_answered_and_rated_again():
    reopened = EnterpriseRequest.objects.filter(reopen_count__gt=0).select_related("enterprise")

    assert reopened.count() == 3
    assert HYUNDAI_PLANT in {r.enterprise.name for r in reopened}
    for request in reopened:
        assert request.status == S.RATED and request.rating >= 4
        scores = list(
            request.events.filter(kind=Kind.RATED)
            .order_by("on", "id")
            .values_list("score", flat=True)
        )
        assert scores[0] < 3 <= scores[1]
        assert request.events.filter(kind=Kind.REOPENED).count() == 1
        assert request.answered_on <= request.due_on  # the second round was on time
    plant_user = User.objects.get(username="enterprise")
    own = reopened.get(enterprise__name=HYUNDAI_PLANT)
    assert set(own.events.filter(kind=Kind.RATED).values_list("by", flat=True)) == {plant_user.pk}


def test_extensions_approved_refused_and_one_waiting():
    decisions = Counter(RequestExtension.objects.values_list("decision", flat=True))

    assert decisions == {"approved": 3, "refused": 1, "pending": 1}
    refused = RequestExtension.objects.get(decision="refused")
    assert refused.decision_note and refused.decided_by_id != refused.asked_by_id
    assert refused.request.answered_on <= refused.request.due_on  # answered in time anyway
    pending = RequestExtension.objects.get(decision="pending")
    assert request_clock(pending.request, on=AS_OF).key == "yellow"
    for extension in RequestExtension.objects.filter(decision="approved"):
        assert extension.decided_by.has_perm("enterprises.approve_extension")
        assert extension.request.extension_days == extension.days


def test_one_waited_for_the_plants_materials_and_its_deadline_moved():
    suspended = RequestEvent.objects.filter(kind=Kind.SUSPENDED).select_related("request")

    assert suspended.count() == 1
    request = suspended.get().request
    assert request.enterprise.name == HYUNDAI_PLANT
    assert request.events.filter(kind=Kind.RESUMED).count() == 1
    assert (request.suspended_since, request.suspended_days) == (None, 1)
    assert request.status == S.RATED and request.answered_on <= request.due_on
    plant_user = User.objects.get(username="enterprise")
    shown = [e.kind for e in request_events_for(request=request, user=plant_user)]
    assert Kind.SUSPENDED in shown and Kind.RESUMED in shown  # what was asked of the plant
    assert not EnterpriseRequest.objects.filter(suspended_since__isnull=False).exists()


def test_reroutes_returns_and_internal_notes():
    assert RequestEvent.objects.filter(kind=Kind.REROUTED).count() == 2
    returned = EnterpriseRequest.objects.filter(status=S.RETURNED)
    assert all(r.return_reason and r.returned_on for r in returned)
    assert returned.filter(accepted_on__isnull=True).count() == 2  # returned at intake
    internal = RequestEvent.objects.filter(kind=Kind.NOTE, internal=True)
    assert internal.count() >= 8


def test_the_plants_own_login_sees_its_requests_but_no_internal_note():
    plant_user = User.objects.get(username="enterprise")
    visible = requests_visible(user=plant_user)

    assert {r.enterprise.name for r in visible} == {HYUNDAI_PLANT}
    assert visible.count() == 8
    assert visible.filter(channel=RequestChannel.SELF_SERVICE).count() >= 4
    with_internal = visible.get(events__kind=Kind.NOTE, events__internal=True)
    shown = request_events_for(request=with_internal, user=plant_user)
    assert shown and not any(event.internal for event in shown)


def test_the_blocker_groups_the_plants_suppliers_and_was_resolved_in_spring():
    blocker = SystemicBlocker.objects.get(title=SUPPLY_CHAIN.title)

    assert blocker.status == SystemicBlocker.Status.RESOLVED
    assert (blocker.owner.username, blocker.department.code) == ("leader2", "qyfwj")
    assert blocker.resolved_on == date(2020, 3, 13) and "绿色通道" in blocker.resolution
    members = blocker.requests.select_related("enterprise")
    names = {r.enterprise.name for r in members}
    assert len(names) >= 3
    assert {HYUNDAI_PLANT, "现代摩比斯", "北汽韩一", "韩国株山", "嘉诚汽车内饰"} <= names
    for request in members:
        assert request.status == S.RATED
        assert request.answered_on == blocker.resolved_on <= request.due_on
        assert request.events.filter(kind=Kind.GROUPED, on=blocker.opened_on).exists()


def test_the_plants_one_enterprise_one_policy_plan():
    plan = EnterprisePlan.objects.get(title=HYUNDAI_PLAN.title)

    assert plan.enterprise.name == HYUNDAI_PLANT and plan.starts_on == date(2020, 2, 17)
    assert "疫区" in plan.background
    measures = Counter(plan.measures.values_list("status", flat=True))
    assert measures == {MeasureStatus.DONE: 5, MeasureStatus.OPEN: 2}
    for measure in plan.measures.filter(status=MeasureStatus.DONE):
        assert measure.result and measure.done_on <= AS_OF
    assert plan.measures.filter(status=MeasureStatus.OPEN, due_on__gt=AS_OF).count() == 2


def test_the_years_statistics_read_the_spread():
    admin = User.objects.get(username="admin")
    stats = requests_statistics(user=admin, start=date(2019, 7, 1), end=AS_OF, by="topic", on=AS_OF)

    total = stats.total
    assert total.filed == len(REQUESTS)
    assert total.overdue == 1 and total.returned == 3 and total.reopened == 3
    assert 85 <= total.on_time_rate < 95
    assert total.satisfaction_rate > 95 and total.average_score > 4


def test_loading_again_creates_nothing():
    again = loader.DemoResult(password="demo-Pass-2020")
    before = (EnterpriseRequest.objects.count(), RequestEvent.objects.count())

    load_enterprise_service(result=again)

    assert again.created_total == 0
    assert before == (EnterpriseRequest.objects.count(), RequestEvent.objects.count())
    assert SystemicBlocker.objects.count() == 1 and EnterprisePlan.objects.count() == 1
