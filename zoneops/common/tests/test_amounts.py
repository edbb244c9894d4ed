"""Every amount is bounded by its declaration, to what both databases store exactly."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation

from zoneops.common.amounts import STORED_DIGITS, AmountField, Bound, model_bound
from zoneops.common.exceptions import ApplicationError
from zoneops.enterprises.models import EnterpriseFigure
from zoneops.projects.models import Project

ZONEOPS_AMOUNTS = [
    (model, field)
    for model in apps.get_models()
    if model.__module__.startswith("zoneops.") and not model.__name__.startswith("Historical")
    for field in model._meta.get_fields()
    if isinstance(field, AmountField)
]


# What a refusal of an amount in 万元 adds after the bound (common.amounts).
WAN_HINT = "：请检查是否多填了位数，或误按“元”而不是“万元”填写。"


def test_there_are_amount_fields_to_check():
    assert len(ZONEOPS_AMOUNTS) >= 15


@pytest.mark.parametrize(
    ("model", "field"),
    ZONEOPS_AMOUNTS,
    ids=[f"{model.__name__}.{field.name}" for model, field in ZONEOPS_AMOUNTS],
)
def test_every_amount_declares_a_bound_within_what_sqlite_stores_exactly(model, field):
    bound = model_bound(model, field.name)
    storable = Decimal(10) ** (STORED_DIGITS - field.decimal_places)
    # Its own bound, well below what the column could take: a zone would recognise it.
    assert bound.maximum <= Decimal(100_000_000), f"{model.__name__}.{field.name}"
    assert bound.maximum < storable
    assert len((bound.maximum - bound.quantum).as_tuple().digits) <= STORED_DIGITS
    assert bound.unit in ("万元", "万美元")


def test_a_bound_names_the_field_without_its_unit_and_the_bound_with_it():
    with translation.override("zh-hans"):
        bound = model_bound(Project, "total_investment")
        assert bound.label == "总投资"
        assert (
            bound.problem(Decimal("10000000.01"))
            == f"“总投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
        )
        assert bound.problem(Decimal("10000000.00")) is None
        assert bound.problem(Decimal("-0.01")) == "“总投资”不能为负数。"
        assert bound.problem(Decimal("1.001")) == "“总投资”最多保留 2 位小数。"
        assert bound.problem(Decimal("NaN")) == "“总投资”应为数字。"
        assert (
            bound.problem(Decimal("1E+26"))
            == f"“总投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
        )
        assert bound.problem("abc") == "“总投资”应为数字。"
        people = model_bound(EnterpriseFigure, "employees")
        assert people.problem(1_000_001) == "“从业人员”不能超过 1,000,000 人。"
        assert people.problem(Decimal("1.5")) == "“从业人员”应为整数。"


def test_clean_turns_any_typed_value_into_the_stored_amount_or_refuses_it():
    bound = model_bound(Project, "total_investment")
    assert bound.clean("12345.6", field="x") == Decimal("12345.60")
    assert bound.clean(0.1, field="x") == Decimal("0.10")
    assert bound.clean(Decimal("1E+7"), field="x") == Decimal("10000000.00")
    for wrong in (Decimal("1E+26"), "1e308", "Infinity", None, "十万", True):
        with pytest.raises(ApplicationError) as refused:
            bound.clean(wrong, field="total_investment")
        assert refused.value.field == "total_investment"


def test_the_model_refuses_an_amount_above_its_bound_naming_it(db):
    project = Project(name="大项目", code="XM1", total_investment=Decimal("99999999999999.99"))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert refused.value.message_dict["total_investment"] == [
        f"“总投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
    ]


def test_an_exact_amount_is_kept_in_its_stored_form():
    field = Project._meta.get_field("total_investment")
    assert str(field.to_python(Decimal("1E+7"))) == "10000000.00"
    assert str(field.to_python("12.5")) == "12.50"
    assert field.to_python(Decimal("1.234")) == Decimal("1.234")  # left for the validator


def test_a_bound_sqlite_could_not_store_exactly_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        AmountField("总投资（万元）", maximum=Decimal("99999999999999.99"))
    assert AmountField("总投资（万元）").maximum == Decimal("9999999999999.99")


def test_the_form_field_refuses_with_the_bound_and_tells_the_browser_the_range():
    field = Project._meta.get_field("total_investment").formfield()
    assert field.widget.attrs["max"] == "10000000"
    assert field.widget.attrs["min"] == "0"
    assert field.widget.attrs["step"] == "0.01"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        field.clean("99999999999999.99")
    assert refused.value.messages == [f"“总投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"]
    assert field.clean("10000000") == Decimal("10000000")


def test_a_renamed_bound_keeps_the_limit_under_its_own_name():
    bound = Bound(name="期初开工累计（万元）", maximum=Decimal(5))
    assert bound.renamed("x（人）").unit == "人"
    with translation.override("zh-hans"):
        assert bound.too_big() == "“期初开工累计”不能超过 5 万元。"
