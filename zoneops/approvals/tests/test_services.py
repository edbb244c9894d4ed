"""Service items and every step of a case, each with its event and the clock."""

from datetime import date

import pytest

from zoneops.approvals.enums import CaseStatus, Decision, SuspensionKind
from zoneops.approvals.models import Case, CaseEvent
from zoneops.approvals.services import (
    Applicant,
    case_accept,
    case_conclude,
    case_decide,
    case_receive,
    case_refuse,
    case_resume,
    case_review,
    case_suspend,
    cases_recompute_deadlines,
    service_item_save,
)
from zoneops.approvals.tests.factories import ID_NUMBER, make_case, make_item
from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.workcalendar import add_working_days, calendar_cache_clear
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

Kind = CaseEvent.Kind


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["approvals"]])


@pytest.fixture
def item(org):
    return make_item(org["approvals"])


def _kinds(case):
    return list(case.events.values_list("kind", flat=True))


def test_the_promised_limit_cannot_exceed_the_statutory_one(org):
    with pytest.raises(ApplicationError) as refused:
        make_item(org["approvals"], statutory_days=10, promised_days=12)
    assert refused.value.field == "promised_days"


def test_an_item_taken_over_from_the_city_needs_its_date_and_document(org):
    with pytest.raises(ApplicationError) as refused:
        make_item(org["approvals"], taken_over=True, taken_over_on=date(2019, 3, 1))
    assert refused.value.field == "taken_over_document"
    item = make_item(
        org["approvals"],
        taken_over=True,
        taken_over_on=date(2019, 3, 1),
        taken_over_document="沧政字〔2019〕12号",
    )
    assert item.taken_over_document == "沧政字〔2019〕12号"


def test_an_item_code_is_unique_and_a_control_character_is_refused(org, item):
    with pytest.raises(ApplicationError) as refused:
        make_item(org["approvals"], code=item.code)
    assert refused.value.field == "code"
    with pytest.raises(ApplicationError) as refused:
        service_item_save(item=item, values={"name": "施工\x00许可"}, by=None)
    assert refused.value.field == "name"


def test_a_person_applies_with_a_valid_id_number_or_phone(item):
    with pytest.raises(ApplicationError) as refused:
        case_receive(
            item=item,
            applicant=Applicant(name="张三", id_number="130902199001011231"),
            by=None,
            received_on=date(2019, 9, 2),
        )
    assert refused.value.field == "applicant_id_number"
    with pytest.raises(ApplicationError) as refused:
        case_receive(
            item=item, applicant=Applicant(name="张三"), by=None, received_on=date(2019, 9, 2)
        )
    assert refused.value.field == "applicant_id_number"
    with pytest.raises(ApplicationError) as refused:
        case_receive(
            item=item,
            applicant=Applicant(name="张三", phone="12345"),
            by=None,
            received_on=date(2019, 9, 2),
        )
    assert refused.value.field == "applicant_phone"
    case = case_receive(
        item=item,
        applicant=Applicant(name="张三", phone="13800138000"),
        by=None,
        received_on=date(2019, 9, 2),
    )
    assert case.applicant == "张三"


def test_an_enterprise_applicant_gives_no_personal_id(item):
    enterprise = make_enterprise("沧州隆泰万通管道有限公司")
    with pytest.raises(ApplicationError):
        case_receive(
            item=item,
            applicant=Applicant(enterprise=enterprise, name="张三", id_number=ID_NUMBER),
            by=None,
            received_on=date(2019, 9, 2),
        )


def test_an_item_not_in_the_catalogue_on_the_day_takes_no_case(org):
    item = make_item(org["approvals"], listed_on=date(2019, 6, 1))
    with pytest.raises(ApplicationError) as refused:
        make_case(item, received_on=date(2019, 5, 31))
    assert refused.value.field == "item"


def test_acceptance_starts_the_clock_with_the_promised_limit(item, officer):
    case = make_case(item)
    case_accept(case=case, by=officer, on=date(2019, 9, 3))
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.limit_days == 10
    assert case.due_on == add_working_days(date(2019, 9, 3), 10).date
    assert _kinds(case) == [Kind.RECEIVED, Kind.ACCEPTED]


def test_refusing_to_accept_needs_a_reason(item, officer):
    case = make_case(item)
    with pytest.raises(ApplicationError) as refused:
        case_refuse(case=case, reason="  ", by=officer, on=date(2019, 9, 3))
    assert refused.value.field == "reason"
    case_refuse(case=case, reason="不属于本机关职权范围", by=officer, on=date(2019, 9, 3))
    assert case.status == CaseStatus.REFUSED and case.clock(on=date(2019, 9, 4)) is None


def test_materials_stop_the_clock_once_within_the_notice_days(item, officer, settings):
    case = make_case(item, received_on=date(2019, 9, 2))
    case_accept(case=case, by=officer, on=date(2019, 9, 2))
    due = case.due_on
    case_suspend(
        case=case,
        kind=SuspensionKind.MATERIALS,
        reason="补正规划总平面图",
        by=officer,
        on=date(2019, 9, 4),
    )
    assert case.suspended_since == date(2019, 9, 4)
    with pytest.raises(ApplicationError) as refused:
        case_decide(case=case, decision=Decision.GRANTED, by=officer, on=date(2019, 9, 5))
    assert refused.value.code == "suspended"
    case_resume(case=case, by=officer, on=date(2019, 9, 6), note="材料已补齐")
    assert case.suspended_days == 2
    assert case.due_on == add_working_days(date(2019, 9, 2), 12).date != due
    with pytest.raises(ApplicationError) as refused:
        case_suspend(
            case=case, kind=SuspensionKind.MATERIALS, reason="再补", by=officer, on=date(2019, 9, 6)
        )
    assert refused.value.code == "materials_once"
    # Another statutory suspension is not limited to once.
    case_suspend(
        case=case,
        kind=SuspensionKind.EXPERT_REVIEW,
        reason="专家评审",
        by=officer,
        on=date(2019, 9, 9),
    )
    case_resume(case=case, by=officer, on=date(2019, 9, 10))
    assert case.suspended_days == 3


def test_materials_asked_after_the_notice_days_are_refused(item, officer, settings):
    settings.ZONEOPS_CASE_MATERIALS_NOTICE_DAYS = 2
    case = make_case(item, received_on=date(2019, 9, 2))
    case_accept(case=case, by=officer, on=date(2019, 9, 2))
    with pytest.raises(ApplicationError) as refused:
        case_suspend(
            case=case, kind=SuspensionKind.MATERIALS, reason="补正", by=officer, on=date(2019, 9, 5)
        )
    assert refused.value.code == "materials_late"


def test_a_denial_needs_a_reason_and_the_conclusion_says_on_time_or_late(item, officer):
    case = make_case(item)
    case_accept(case=case, by=officer, on=date(2019, 9, 2))
    case_review(case=case, by=officer, on=date(2019, 9, 3))
    with pytest.raises(ApplicationError) as refused:
        case_decide(case=case, decision=Decision.DENIED, by=officer, on=date(2019, 9, 4))
    assert refused.value.field == "reason"
    case_decide(
        case=case,
        decision=Decision.DENIED,
        reason="不符合规划条件",
        by=officer,
        on=date(2019, 9, 4),
    )
    case_conclude(case=case, by=officer, on=date(2019, 9, 5))
    clock = case.clock(on=date(2019, 9, 30))
    assert case.status == CaseStatus.CONCLUDED and clock.on_time and clock.key == "concluded"
    assert _kinds(case)[-2:] == [Kind.DECIDED, Kind.CONCLUDED]

    late = make_case(item)
    case_accept(case=late, by=officer, on=date(2019, 9, 2))
    case_decide(case=late, decision=Decision.GRANTED, by=officer, on=date(2019, 9, 30))
    case_conclude(case=late, by=officer, on=date(2019, 9, 30))
    assert late.clock(on=date(2019, 10, 8)).key == "concluded_late"


def test_a_step_the_status_does_not_allow_or_a_stale_one_changes_nothing(item, officer):
    case = make_case(item)
    with pytest.raises(ApplicationError):
        case_conclude(case=case, by=officer, on=date(2019, 9, 3))
    with pytest.raises(StaleEditError):
        case_accept(case=case, by=officer, on=date(2019, 9, 3), expected_version=case.version + 1)
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and case.events.count() == 1


def test_an_enterprise_user_cannot_take_a_step(item):
    enterprise = make_enterprise("沧州瑞荣汽车有限公司")
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    case = make_case(item, enterprise=enterprise)
    with pytest.raises(ApplicationError):
        case_accept(case=case, by=user, on=date(2019, 9, 3))


def test_a_deadline_made_provisional_is_worked_out_again(item, officer):
    case = make_case(item)
    case_accept(case=case, by=officer, on=date(2019, 9, 2))
    Case.objects.filter(pk=case.pk).update(due_on=date(2019, 9, 3), due_provisional=True)
    assert cases_recompute_deadlines() == 1
    case.refresh_from_db()
    assert case.due_on == add_working_days(date(2019, 9, 2), 10).date
