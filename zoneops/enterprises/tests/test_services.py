from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.services import (
    FigureInput,
    enterprise_create,
    enterprise_figure_save,
    enterprise_figures_save,
    enterprise_update,
    liaison_assign,
    liaison_end,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, valid_credit_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db

HYUNDAI_CODE = "91110000600037341L"  # the python-stdnum documentation's example


def _messages(error: ValidationError) -> str:
    return " ".join(str(m) for messages in error.message_dict.values() for m in messages)


def test_a_valid_credit_code_is_stored_compact_and_upper_case():
    enterprise = enterprise_create(
        name="北京现代沧州工厂", credit_code="9111 0000 6000 3734 1l", by=None
    )
    assert enterprise.credit_code == HYUNDAI_CODE
    assert enterprise.version == 1
    assert enterprise.history.count() == 1


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341A", "校验码不符，按 GB 32100-2015 第18位应为“L”"),
        ("9111000060003734", "应为18位（现为16位）"),
        ("A1110000600037341L", "前8位应为数字"),
        ("9111000060003734IO", "不含 I、O、S、V、Z"),
    ],
)
def test_a_bad_credit_code_is_refused_with_the_reason_naming_the_field(code, reason):
    with pytest.raises(ValidationError) as caught:
        enterprise_create(name="某企业", credit_code=code, by=None)
    assert "credit_code" in caught.value.message_dict
    message = _messages(caught.value)
    assert "统一社会信用代码" in message
    assert reason in message


def test_a_credit_code_already_registered_is_refused_naming_the_holder():
    enterprise_create(name="北京现代沧州工厂", credit_code=HYUNDAI_CODE, by=None)
    with pytest.raises(ApplicationError) as caught:
        enterprise_create(name="另一家企业", credit_code=HYUNDAI_CODE.lower(), by=None)
    assert caught.value.field == "credit_code"
    assert "已登记为“北京现代沧州工厂”" in caught.value.message


def test_an_enterprise_without_a_code_yet_may_be_registered_and_several_may_wait():
    first = enterprise_create(name="筹建企业甲", credit_code="", by=None)
    second = enterprise_create(name="筹建企业乙", by=None)
    assert first.credit_code is None and second.credit_code is None


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("C3670", True),
        ("c36", True),
        ("C", True),
        ("G5410", True),
        ("G3670", False),
        ("Z12", False),
    ],
)
def test_the_industry_code_follows_gb_t_4754_2017(code, ok):
    if ok:
        enterprise = make_enterprise(industry_code=code)
        assert enterprise.industry_code == code.upper()
        return
    with pytest.raises(ValidationError) as caught:
        make_enterprise(industry_code=code)
    assert "国民经济行业代码" in _messages(caught.value)


def test_a_stale_edit_is_refused_and_nothing_changes():
    enterprise = make_enterprise("北汽韩一")
    enterprise_update(
        enterprise=enterprise, by=None, expected_version=1, is_above_scale_industry=True
    )
    with pytest.raises(StaleEditError):
        enterprise_update(enterprise=enterprise, by=None, expected_version=1, address="新地址")
    enterprise.refresh_from_db()
    assert enterprise.version == 2 and enterprise.address == ""
    assert enterprise.is_above_scale_industry


def test_an_unknown_field_is_a_programming_error():
    with pytest.raises(TypeError):
        enterprise_create(name="甲", by=None, version=3)


# --- Figures --------------------------------------------------------------------------------


def test_figures_are_created_then_replaced_by_period_with_history():
    enterprise = make_enterprise()
    rows = [
        FigureInput(enterprise.pk, 2019, 1, {"revenue": Decimal(100)}),
        FigureInput(enterprise.pk, 2019, 2, {"revenue": Decimal(210)}),
    ]
    first = enterprise_figures_save(rows=rows, by=None)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)

    again = enterprise_figures_save(
        rows=[rows[0], FigureInput(enterprise.pk, 2019, 2, {"revenue": Decimal(220)})], by=None
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    february = EnterpriseFigure.objects.get(enterprise=enterprise, year=2019, month=2)
    assert february.revenue == Decimal(220) and february.version == 2
    assert february.history.count() == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"year": 2019, "month": 13, "values": {}}, "month"),
        ({"year": 1980, "month": 1, "values": {}}, "year"),
        ({"year": 2019, "month": 1, "values": {"tax": Decimal(-1)}}, "tax"),
        ({"year": 2019, "month": 1, "values": {"employees": Decimal("1.5")}}, "employees"),
        ({"year": 2019, "month": 1, "values": {"revenue": Decimal("1.005")}}, "revenue"),
    ],
)
def test_figures_that_break_a_rule_are_refused_naming_the_field(row, field):
    enterprise = make_enterprise()
    with pytest.raises(ApplicationError) as caught:
        enterprise_figures_save(rows=[FigureInput(enterprise.pk, **row)], by=None)
    assert caught.value.field == field
    assert not EnterpriseFigure.objects.exists()


def test_the_same_period_twice_in_one_batch_is_refused():
    enterprise = make_enterprise()
    row = FigureInput(enterprise.pk, 2019, 1, {"revenue": Decimal(1)})
    with pytest.raises(ApplicationError):
        enterprise_figures_save(rows=[row, row], by=None)


def test_one_period_saved_twice_is_one_row_and_a_year_row_sits_beside_december():
    enterprise = make_enterprise()
    enterprise_figure_save(enterprise=enterprise, year=2019, month=12, values={"tax": 5}, by=None)
    enterprise_figure_save(enterprise=enterprise, year=2019, month=12, values={"tax": 6}, by=None)
    enterprise_figure_save(enterprise=enterprise, year=2019, month=None, values={"tax": 7}, by=None)
    enterprise_figure_save(enterprise=enterprise, year=2019, month=None, values={"tax": 8}, by=None)
    assert EnterpriseFigure.objects.filter(enterprise=enterprise).count() == 2
    assert EnterpriseFigure.objects.get(month=None).tax == 8


# --- Liaison --------------------------------------------------------------------------------


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def inspector(org):
    return make_user(RoleCode.INSPECTOR, departments=[org["zone"]])


def test_a_leader_is_assigned_and_the_assignment_ends_but_stays_on_record(leader):
    enterprise = make_enterprise("韩国株山")
    assignment = liaison_assign(
        enterprise=enterprise,
        kind=LiaisonKind.LEADER,
        level=LiaisonLevel.PROVINCE_CITY,
        person=leader,
        started_on=date(2019, 3, 1),
        by=None,
    )
    liaison_end(assignment=assignment, on=date(2020, 6, 30), by=None, reason="工作调整")
    assignment.refresh_from_db()
    assert assignment.ended_on == date(2020, 6, 30)
    assert LiaisonAssignment.objects.filter(enterprise=enterprise).count() == 1
    assert assignment.history.count() == 2
    # After it ended, the same leader may be assigned again.
    make_liaison(enterprise, person=leader, started_on=date(2021, 1, 4))


def test_ending_twice_or_before_the_start_is_refused(leader):
    assignment = make_liaison(make_enterprise(), person=leader, started_on=date(2019, 3, 1))
    with pytest.raises(ApplicationError):
        liaison_end(assignment=assignment, on=date(2019, 2, 1), by=None)
    liaison_end(assignment=assignment, on=date(2019, 4, 1), by=None)
    with pytest.raises(ApplicationError):
        liaison_end(assignment=assignment, on=date(2019, 5, 1), by=None)


def test_an_overlapping_assignment_of_the_same_person_is_refused(leader):
    enterprise = make_enterprise()
    make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))
    with pytest.raises(ValidationError) as caught:
        make_liaison(enterprise, person=leader, started_on=date(2019, 6, 1))
    assert "不能重复安排" in " ".join(caught.value.messages)


def test_each_kind_needs_its_person_or_department(org, leader, inspector):
    enterprise = make_enterprise()
    with pytest.raises(ValidationError) as caught:
        make_liaison(enterprise, kind=LiaisonKind.DEPARTMENT)
    assert "department" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_liaison(
            enterprise, kind=LiaisonKind.DEPARTMENT, department=org["investment"], person=leader
        )
    assert "person" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_liaison(enterprise, kind=LiaisonKind.LEADER)
    assert "person" in caught.value.message_dict
    # 纪检包联 is an inspector's.
    with pytest.raises(ValidationError) as caught:
        make_liaison(enterprise, kind=LiaisonKind.INSPECTOR, person=leader)
    assert "纪检监察干部" in " ".join(caught.value.message_dict["person"])
    make_liaison(enterprise, kind=LiaisonKind.INSPECTOR, person=inspector)
    make_liaison(enterprise, kind=LiaisonKind.DEPARTMENT, department=org["investment"])


def test_an_enterprise_user_cannot_liaise(org):
    enterprise = make_enterprise()
    own_user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    with pytest.raises(ValidationError) as caught:
        make_liaison(make_enterprise(), person=own_user)
    assert "person" in caught.value.message_dict


def test_valid_credit_codes_of_the_factory_pass_the_check():
    from stdnum.cn import uscc

    assert all(uscc.is_valid(valid_credit_code()) for _ in range(20))
