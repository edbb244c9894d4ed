"""The box's read: substrings of any length, names, former names, credit codes and numbers,
scoped per role, and bad input refused with a message."""

import pytest
from django.db import connection

from zoneops.common.exceptions import ApplicationError
from zoneops.search import selectors
from zoneops.search.selectors import MAX_LENGTH, search
from zoneops.search.tests.conftest import HUAWEI_CODE


def found(results, key):
    """The titles found of one kind ("enterprises.enterprise")."""
    return [hit.title for kind in results.kinds if kind.key == key for hit in kind.hits]


def all_titles(results):
    return {hit.title for kind in results.kinds for hit in kind.hits}


ENTERPRISE = "enterprises.enterprise"
PROJECT = "projects.project"
REQUEST = "enterprises.enterpriserequest"
CASE = "approvals.case"
TASK = "supervision.supervisiontask"


def test_three_or_more_characters_find_a_name_inside_by_the_index(zone):
    results = search(user=zone["zone_wide"], text="华为智能科技")
    assert found(results, ENTERPRISE) == ["沧州华为智能科技有限公司"]
    assert not results.scanned
    assert found(search(user=zone["zone_wide"], text="零部件"), PROJECT) == [
        "新能源汽车零部件产业园项目"
    ]
    assert found(search(user=zone["zone_wide"], text="车辆进园"), REQUEST) == [
        "原材料运输车辆进园受限"
    ]
    assert found(search(user=zone["zone_wide"], text="供电扩容"), TASK) == ["推进园区供电扩容"]


@pytest.mark.parametrize("text", ["华为", "为", "智", "司", "沧"])
def test_one_or_two_characters_are_found_by_the_gram_index(zone, text):
    results = search(user=zone["zone_wide"], text=text)
    assert "沧州华为智能科技有限公司" in found(results, ENTERPRISE)
    assert not results.scanned


def test_two_short_terms_must_both_match_within_the_same_field(zone):
    assert found(search(user=zone["zone_wide"], text="渤海 化工"), ENTERPRISE) == [
        "渤海精细化工股份公司"
    ]
    assert found(search(user=zone["zone_wide"], text="华为 化工"), ENTERPRISE) == []
    # A pair across two fields (the name's end, the former name's start) is no match.
    assert found(search(user=zone["zone_wide"], text="司沧"), ENTERPRISE) == []


@pytest.mark.parametrize("text", ["0-", "-0", "m2", "XM"])
def test_a_short_term_with_punctuation_or_latin_letters_is_found_as_typed(zone, text):
    results = search(user=zone["zone_wide"], text=text)
    assert found(results, PROJECT) == ["新能源汽车零部件产业园项目"]  # XM2020-0815
    assert not results.scanned
    assert found(search(user=zone["zone_wide"], text="5-"), PROJECT) == []


def test_a_short_term_of_punctuation_alone_is_found(zone):
    results = search(user=zone["zone_wide"], text="-")
    assert found(results, PROJECT) == ["新能源汽车零部件产业园项目"]
    # SQLite's gram index keeps letters and digits only: the newest rows are scanned, and the
    # page says so. PostgreSQL's holds every character.
    scanned = str(zone["request"]._meta.verbose_name) in results.scanned_kinds
    assert scanned == (connection.vendor == "sqlite")


def test_a_two_character_term_narrows_what_the_index_found(zone):
    results = search(user=zone["zone_wide"], text="有限公司 华为")
    assert found(results, ENTERPRISE) == ["沧州华为智能科技有限公司"]
    assert not results.scanned
    assert found(search(user=zone["zone_wide"], text="有限公司 蒸汽"), ENTERPRISE) == []


def test_every_word_must_match(zone):
    assert found(search(user=zone["zone_wide"], text="华为智能 化工"), ENTERPRISE) == []
    assert found(search(user=zone["zone_wide"], text="渤海 化工"), ENTERPRISE) == [
        "渤海精细化工股份公司"
    ]


def test_a_former_name_finds_the_enterprise_and_says_so(zone):
    results = search(user=zone["zone_wide"], text="华威电子")
    [kind] = [kind for kind in results.kinds if kind.key == ENTERPRISE]
    [hit] = kind.hits
    assert hit.title == "沧州华为智能科技有限公司"
    assert hit.field == "曾用名"
    assert (hit.before, hit.match, hit.after) == ("沧州", "华威电子", "有限公司")


def test_a_credit_code_is_found_whole_and_by_a_part_in_any_case(zone):
    assert found(search(user=zone["zone_wide"], text=HUAWEI_CODE), ENTERPRISE) == [
        "沧州华为智能科技有限公司"
    ]
    part = HUAWEI_CODE[8:16]
    assert found(search(user=zone["zone_wide"], text=part.lower()), ENTERPRISE) == [
        "沧州华为智能科技有限公司"
    ]


def test_a_project_is_found_by_its_code_and_its_investor(zone):
    assert found(search(user=zone["zone_wide"], text="2020-08"), PROJECT) == [
        "新能源汽车零部件产业园项目"
    ]
    assert found(search(user=zone["zone_wide"], text="华为投资"), PROJECT) == [
        "新能源汽车零部件产业园项目"
    ]


def test_a_number_finds_the_record_with_that_id(zone):
    results = search(user=zone["zone_wide"], text=str(zone["case"].pk))
    assert zone["case"].pk in [
        hit.pk for kind in results.kinds if kind.key == CASE for hit in kind.hits
    ]


@pytest.mark.parametrize("digits", [1, 3])
def test_a_number_finds_the_record_with_that_id_and_the_texts_holding_it(zone, org, digits):
    from zoneops.enterprises.tests.factories import make_request

    number = f"{zone['task'].pk:0{digits}d}"
    request = make_request(
        zone["other"], title=f"第{number}号诉求", accepted=True, department=org["investment"]
    )
    results = search(user=zone["zone_wide"], text=number)
    assert zone["task"].pk in [
        hit.pk for kind in results.kinds if kind.key == TASK for hit in kind.hits
    ]
    assert request.pk in [
        hit.pk for kind in results.kinds if kind.key == REQUEST for hit in kind.hits
    ]


def test_a_case_is_found_by_its_applicant(zone):
    assert found(search(user=zone["zone_wide"], text="张三"), CASE) == [str(zone["case"])]


def test_the_department_user_finds_only_what_his_department_may_read(zone):
    mine = all_titles(search(user=zone["investment"], text="园区"))
    assert "推进园区供电扩容" in mine
    assert "精细化工园区蒸汽管网改造" not in mine
    theirs = all_titles(search(user=zone["approvals"], text="园区"))
    assert "精细化工园区蒸汽管网改造" in theirs
    assert "推进园区供电扩容" not in theirs
    assert "新能源汽车零部件产业园项目" not in all_titles(
        search(user=zone["approvals"], text="产业园")
    )


def _kind_queries(captured):
    """The SQL of the kinds' reads (a page of rows each), not of the scope's small reads."""
    return [query["sql"] for query in captured if "LIMIT 21" in query["sql"]]


@pytest.mark.parametrize("small_set", [2_000, 0])
def test_a_reader_finds_what_his_department_liaises_with_however_the_set_is_written(
    zone, org, monkeypatch, small_set
):
    """部门包联 reaches the department's members: the liaised enterprise's project is found by
    a reader of another department, whether the liaised enterprises are given as their ids
    (a small set, on PostgreSQL) or stay a subquery (a large one)."""
    from django.test.utils import CaptureQueriesContext

    from zoneops.common import scope
    from zoneops.enterprises.enums import LiaisonKind
    from zoneops.enterprises.tests.factories import make_liaison

    monkeypatch.setattr(scope, "SMALL_SET", small_set)
    reader = zone["approvals"]
    assert "新能源汽车零部件产业园项目" not in all_titles(search(user=reader, text="园"))
    make_liaison(zone["huawei"], kind=LiaisonKind.DEPARTMENT, department=org["approvals"])
    del reader._zoneops_scope  # a new request

    with CaptureQueriesContext(connection) as captured:
        titles = all_titles(search(user=reader, text="园"))

    assert "新能源汽车零部件产业园项目" in titles
    assert "推进园区供电扩容" not in titles  # 招商局's task: not his
    subqueries = [sql for sql in _kind_queries(captured) if "IN (SELECT" in sql]
    if connection.vendor == "postgresql" and small_set:
        # The planner weighs the few ids he reaches, not a subquery it prices at half a table.
        assert subqueries == []
    else:
        assert subqueries


def test_the_enterprise_user_finds_only_his_own(zone):
    assert all_titles(search(user=zone["huawei_user"], text="有限公司")) == {
        "沧州华为智能科技有限公司"
    }
    assert all_titles(search(user=zone["huawei_user"], text="渤海")) == {"沧州华为智能科技有限公司"}
    assert all_titles(search(user=zone["huawei_user"], text="园区")) == set()
    assert found(search(user=zone["huawei_user"], text="进园受限"), REQUEST) == [
        "原材料运输车辆进园受限"
    ]


def test_the_zone_wide_user_finds_every_kind(zone):
    keys = {kind.key for kind in search(user=zone["zone_wide"], text="园").kinds}
    assert {PROJECT, REQUEST, TASK} <= keys


@pytest.mark.parametrize(
    "text",
    [
        '"华为',
        '华为"智能',
        "华为*",
        "-华为",
        "华为 AND 智能",
        "NEAR(华为 智能)",
        "OR 1=1 --",
        "^华为",
        "{name}:华为",
        "%",
        "_",
        "\\",
        "华为%智能",
        "'; DROP TABLE x; --",
    ],
)
def test_search_syntax_characters_are_plain_letters(zone, text):
    results = search(user=zone["zone_wide"], text=text)  # no error, whatever it finds
    assert results.text == text


def test_quotes_and_stars_in_a_name_are_found_as_they_are(zone):
    from zoneops.enterprises.tests.factories import make_enterprise

    make_enterprise('星号*与"引号"AND科技')
    assert found(search(user=zone["zone_wide"], text='*与"引号"AND'), ENTERPRISE) == [
        '星号*与"引号"AND科技'
    ]
    assert found(search(user=zone["zone_wide"], text="%"), ENTERPRISE) == []


@pytest.mark.parametrize("text", ["", "   ", "\u3000"])
def test_an_empty_query_finds_nothing(zone, text):
    assert search(user=zone["zone_wide"], text=text).kinds == []


@pytest.mark.parametrize(
    "text", ["华为\x00", "华\x07为", "x" * 1000, "华为" * (MAX_LENGTH // 2 + 1), "a b c d e f"]
)
def test_a_bad_query_is_refused_with_a_message_naming_the_box(zone, text):
    with pytest.raises(ApplicationError) as refused:
        search(user=zone["zone_wide"], text=text)
    assert refused.value.field == "q"
    assert refused.value.message


def test_more_than_a_page_says_there_is_more_and_links_the_register(zone):
    from zoneops.enterprises.tests.factories import make_enterprise

    for number in range(4):
        make_enterprise(f"渤海新材料{number}号公司")
    [kind] = search(user=zone["zone_wide"], text="渤海新材料", per_kind=3).kinds
    assert kind.more and len(kind.hits) == 3
    assert kind.more_url.startswith("/admin/enterprises/enterprise/?q=")
    assert [hit.title for hit in kind.hits] == [f"渤海新材料{n}号公司" for n in (3, 2, 1)]


def test_the_query_count_does_not_grow_with_the_hits(zone, django_assert_max_num_queries):
    from zoneops.enterprises.tests.factories import make_enterprise

    search(user=zone["zone_wide"], text="有限公司")  # the user's scope and permissions, once
    with django_assert_max_num_queries(7) as one:
        search(user=zone["zone_wide"], text="有限公司")
    for number in range(15):
        make_enterprise(f"渤海{number}号有限公司")
    with django_assert_max_num_queries(len(one.captured_queries)):
        search(user=zone["zone_wide"], text="有限公司")


def test_without_an_index_every_term_is_scanned(zone, monkeypatch):
    # An old SQLite without FTS5 or its trigram tokenizer: the scan serves, nothing fails.
    monkeypatch.setattr(selectors, "indexed_tables", lambda: set())
    results = search(user=zone["zone_wide"], text="华为智能科技")
    assert found(results, ENTERPRISE) == ["沧州华为智能科技有限公司"]
    assert results.scanned


def _search_behind_newer_rows(zone, org):
    """An enterprise, a project and a request newer than the zone's, then a search of 华为 (an
    enterprise's short name) and of 车辆 (an older request's title)."""
    from zoneops.enterprises.tests.factories import make_enterprise, make_request
    from zoneops.projects.tests.factories import make_project

    make_enterprise("渤海新材料有限公司")  # newer than 华为's enterprise
    make_project("渤海新材料项目", responsible_department=org["investment"])
    make_request(zone["other"], title="新的诉求", accepted=True, department=org["investment"])
    by_name = search(user=zone["zone_wide"], text="华为")
    by_title = search(user=zone["zone_wide"], text="车辆")  # 原材料运输车辆进园受限, now older
    return by_name, by_title


def test_a_short_term_finds_the_oldest_records_of_every_kind(zone, org, monkeypatch):
    """The gram index serves one and two characters over the whole register, however many
    newer rows there are (SCAN_ROWS bounds only the scan without an index)."""
    monkeypatch.setattr(selectors, "SCAN_ROWS", 1)
    by_name, by_title = _search_behind_newer_rows(zone, org)

    assert found(by_name, ENTERPRISE) == ["沧州华为智能科技有限公司"]
    assert found(by_name, PROJECT) == ["新能源汽车零部件产业园项目"]  # by its investor
    assert found(by_title, REQUEST) == ["原材料运输车辆进园受限"]
    assert not by_name.scanned and not by_title.scanned


def test_a_short_name_finds_an_old_enterprise_behind_many_newer_matches(zone, monkeypatch):
    """Enterprises and projects are searched whole: however many newer rows hold the term (more
    than the candidates the index gives a clocked register), the old one is found."""
    from zoneops.enterprises.tests.factories import make_enterprise

    monkeypatch.setattr(selectors, "CANDIDATES", 1)
    make_enterprise("华为新材料有限公司")  # newer, and holds 华为 too

    by_name = search(user=zone["zone_wide"], text="华为")

    assert sorted(found(by_name, ENTERPRISE)) == ["华为新材料有限公司", "沧州华为智能科技有限公司"]
    assert not by_name.scanned


def test_without_an_index_a_short_name_finds_old_enterprises_and_projects_only(
    zone, org, monkeypatch
):
    """Enterprises and projects are found by two-character short names however old; the
    clocked records (500,000 cases on a large zone) are scanned in their newest rows only."""
    monkeypatch.setattr(selectors, "indexed_tables", lambda: set())
    monkeypatch.setattr(selectors, "SCAN_ROWS", 1)
    by_name, by_title = _search_behind_newer_rows(zone, org)

    assert found(by_name, ENTERPRISE) == ["沧州华为智能科技有限公司"]
    assert found(by_name, PROJECT) == ["新能源汽车零部件产业园项目"]  # by its investor
    assert found(by_title, REQUEST) == []
    assert by_title.scanned_kinds[0] == str(zone["request"]._meta.verbose_name)
    for whole in (zone["huawei"], zone["project"]):
        assert str(whole._meta.verbose_name) not in by_title.scanned_kinds
