"""The industry catalogue: GB/T 4754-2017 codes checked, 战略性新兴产业 as one fact, the category
of an enterprise's code by the longest matching code, Excel round trip, pages and API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.tests.workbooks import read_first_sheet, write_sheet
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.industry.excel import category_register
from zoneops.industry.gb4754 import GbSection, gb_codes_problem, industry_code_problem
from zoneops.industry.models import IndustryCategory
from zoneops.industry.selectors import categories_for_codes, category_for_code
from zoneops.industry.services import category_save
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in


def _category(code: str, name: str, section: str = "C", codes: str = "", sei: str = "", order=0):
    return category_save(
        category=IndustryCategory(
            code=code, name=name, gb_section=section, gb_codes=codes, sei_category=sei, order=order
        ),
        by=None,
    )


def test_twenty_sections_a_to_t_with_chinese_names():
    assert [value for value, _label in GbSection.choices] == list("ABCDEFGHIJKLMNOPQRST")
    assert GbSection.C.label == "C 制造业"


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        ("C", "2至4位数字"),  # a section alone is the section field's
        ("C3", "2至4位数字"),
        ("C36701", "2至4位数字"),
        ("36", "2至4位数字"),
        ("U36", "2至4位数字"),
        ("C36A", "2至4位数字"),
        ("C44", "大类 44 不属于门类 C"),
        ("C12", "大类 12 不属于门类 C"),
        ("C36,G54", "“G54”不属于门类 C"),
        ("C36\x00", "2至4位数字"),
    ],
)
def test_each_bad_catalogue_code_is_refused_by_name(codes, message):
    problem = gb_codes_problem(codes, section="C")
    assert problem is not None and message in problem


def test_good_codes_pass_in_any_separator_and_case():
    assert gb_codes_problem("c36， C367、C3670；C33", section="C") is None
    assert gb_codes_problem("I64 G54", section="") is None  # a category spanning sections
    assert industry_code_problem("C") is None  # an enterprise may give only its section


def test_a_category_with_a_bad_code_is_not_saved_and_names_the_field(db):
    with pytest.raises(ValidationError) as refused:
        _category("auto", "汽车", codes="C36,D44")
    assert "gb_codes" in refused.value.message_dict
    assert not IndustryCategory.objects.exists()
    saved = _category("auto", "汽车", codes="c36， c3670 C36")
    assert saved.gb_codes == "C36,C3670"


def test_strategic_emerging_is_read_from_its_category(db):
    plain = _category("auto", "汽车", codes="C36")
    nev = _category("nev", "新能源汽车", codes="C3612", sei="5")
    assert not plain.is_strategic_emerging and nev.is_strategic_emerging
    assert list(IndustryCategory.objects.strategic_emerging()) == [nev]


def test_an_enterprise_code_goes_to_the_category_of_its_longest_matching_code(db):
    auto = _category("auto", "汽车", codes="C36", order=1)
    parts = _category("parts", "汽车零部件", codes="C367", order=2)
    nev = _category("nev", "新能源汽车", codes="C3612", sei="5", order=3)
    assert category_for_code("C3670") == parts
    assert category_for_code("c3612") == nev
    assert category_for_code("C3611") == auto
    assert category_for_code("C36") == auto
    assert category_for_code("C") is None and category_for_code("G5410") is None
    assert categories_for_codes(["C3670", "X", ""]) == {"C3670": parts, "X": None, "": None}


def test_catalogue_exports_and_imports_back_with_bad_rows_named(db):
    admin = make_user(RoleCode.ADMINISTRATOR)
    category = _category("auto", "汽车", codes="C36", sei="")
    data = category_register.export(IndustryCategory.objects.all(), user=admin)
    rows = read_first_sheet(data)
    header = rows[0]
    assert header[:4] == ["产业编码", "产业名称", "国民经济行业门类", "国民经济行业代码"]
    assert rows[1][2] == "C 制造业"
    assert (
        import_preview(register=category_register, data=data, user=admin).counts["unchanged"] == 1
    )
    changed = list(rows[1])
    changed[header.index("国民经济行业代码")] = "C36,C3670"
    changed[header.index("战略性新兴产业分类")] = "新能源汽车产业"
    new = ["materials", "新材料", "C 制造业", "C3240", "新材料产业", "是", 2]
    bad = ["bad", "坏代码", "C 制造业", "G54", "", "否", 3]
    data = write_sheet("产业分类", header, [changed, new, bad])
    plan = import_confirm(register=category_register, data=data, user=admin)
    assert [(e.row, e.column) for e in plan.errors] == [(4, "国民经济行业代码")], plan.errors
    assert "不属于门类 C" in plan.errors[0].message
    assert IndustryCategory.objects.count() == 1  # nothing written while a row is wrong
    done = import_confirm(
        register=category_register,
        data=write_sheet("产业分类", header, [changed, new]),
        user=admin,
    )
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    category.refresh_from_db()
    assert category.gb_codes == "C36,C3670" and category.is_strategic_emerging
    assert IndustryCategory.objects.get(code="materials").sei_category == "3"


def test_catalogue_page_lists_the_mapping_and_only_administrators_change_it(db):
    _category("auto", "汽车及零部件", codes="C36,C3670", sei="")
    staff = make_user(RoleCode.STAFF)
    page = signed_in(staff).get(reverse("admin:industry_industrycategory_changelist"))
    assert page.status_code == 200
    assert "C36,C3670" in page.content.decode() and "C 制造业" in page.content.decode()
    refused = signed_in(staff).post(
        reverse("admin:industry_industrycategory_add"), {"name": "x", "code": "x"}
    )
    assert refused.status_code == 403


def test_catalogue_api_reads_maps_and_refuses_bad_input(db):
    _category("auto", "汽车", codes="C36")
    staff = signed_in(make_user(RoleCode.STAFF))
    admin = signed_in(make_user(RoleCode.ADMINISTRATOR))
    listed = staff.get("/api/v1/industry/categories").json()
    assert listed["items"][0]["gb_codes"] == ["C36"]
    assert listed["items"][0]["gb_section_label"] == "C 制造业"
    assert staff.get("/api/v1/industry/categories/for-code/C3670").json()["code"] == "auto"
    assert staff.get("/api/v1/industry/categories/for-code/G5410").status_code == 404
    assert staff.get(f"/api/v1/industry/categories/{2**70}").status_code in (404, 422)
    assert (
        staff.post(
            "/api/v1/industry/categories",
            {"code": "m", "name": "新材料"},
            content_type="application/json",
        ).status_code
        == 403
    )
    bad = admin.post(
        "/api/v1/industry/categories",
        {"code": "m", "name": "新材料", "gb_section": "C", "gb_codes": "D44"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "gb_codes"
    empty = admin.post("/api/v1/industry/categories", "", content_type="application/json")
    assert empty.status_code in (400, 422)
    made = admin.post(
        "/api/v1/industry/categories",
        {
            "code": "m",
            "name": "新材料",
            "gb_section": "C",
            "gb_codes": "C3240",
            "sei_category": "3",
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["is_strategic_emerging"] is True


def test_enterprise_industry_code_still_checked_by_the_one_rule(db):
    with pytest.raises(ValidationError, match="大类 44 不属于门类 C"):
        make_enterprise("代码错误企业", industry_code="C44")
