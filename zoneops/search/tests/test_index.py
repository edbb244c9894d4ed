"""The index follows every write path (ORM save, queryset update and delete, the bulk writer's
raw SQL), is built for rows written before it existed, and is what a query uses (EXPLAIN)."""

import pytest
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from zoneops.approvals.models import Case
from zoneops.common.importing.writer import bulk_insert, bulk_update
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.search.index import (
    fts_table,
    gram_condition,
    gram_index,
    gram_table,
    index_match,
    index_sync,
    indexed_tables,
    trgm_index,
)
from zoneops.search.kinds import search_kinds
from zoneops.search.selectors import search


def names(user, text):
    return [
        hit.title
        for kind in search(user=user, text=text).kinds
        if kind.key == "enterprises.enterprise"
        for hit in kind.hits
    ]


def enterprise_kind():
    return next(kind for kind in search_kinds() if kind.key == "enterprises.enterprise")


def test_every_declared_kind_has_its_index_after_migrate(db):
    assert {kind.table for kind in search_kinds()} <= indexed_tables()
    assert {kind.key for kind in search_kinds()} >= {
        "enterprises.enterprise",
        "projects.project",
        "enterprises.enterpriserequest",
        "approvals.case",
        "supervision.supervisiontask",
    }


def test_the_index_follows_save_update_and_delete(zone):
    user = zone["zone_wide"]
    enterprise = make_enterprise("黄骅港物流集团")
    assert names(user, "黄骅港物流") == ["黄骅港物流集团"]
    assert names(user, "物流") == names(user, "骅") == ["黄骅港物流集团"]

    enterprise.name = "黄骅港航运集团"
    enterprise.save()
    assert names(user, "黄骅港物流") == names(user, "物流") == []
    assert names(user, "港航运") == names(user, "航运") == ["黄骅港航运集团"]

    Enterprise.objects.filter(pk=enterprise.pk).update(former_names="黄骅港物流集团")
    assert names(user, "黄骅港物流") == names(user, "物流") == ["黄骅港航运集团"]

    Enterprise.objects.filter(pk=enterprise.pk).delete()
    assert names(user, "港航运") == names(user, "航运") == []
    assert names(user, "黄骅港物流") == names(user, "骅") == []


def test_the_index_follows_the_bulk_writer(zone):
    user = zone["zone_wide"]
    with transaction.atomic():
        [first, second] = bulk_insert(
            model=Enterprise,
            rows=[
                {"name": "批量写入甲企业", "former_names": "", "credit_code": None},
                {"name": "批量写入乙企业", "former_names": "旧名丙", "credit_code": None},
            ],
            key=["name"],
        )
    assert sorted(names(user, "批量写入")) == ["批量写入乙企业", "批量写入甲企业"]
    assert names(user, "丙") == ["批量写入乙企业"]  # by its former name
    with transaction.atomic():
        bulk_update(model=Enterprise, changes=[(first, {"name": "批量改名丁企业"})])
    assert names(user, "批量写入") == ["批量写入乙企业"]
    assert names(user, "批量改名") == names(user, "丁") == ["批量改名丁企业"]
    assert names(user, "甲") == []
    assert second


def test_rows_written_before_the_index_are_found_once_it_is_built(zone):
    user = zone["zone_wide"]
    kind = enterprise_kind()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for suffix in ("_ai", "_ad", "_au"):
                cursor.execute(f"DROP TRIGGER {fts_table(kind)}{suffix}")
            cursor.execute(f"DROP TABLE {fts_table(kind)}")
            cursor.execute(f"DROP TABLE {gram_table(kind)}")
        else:
            cursor.execute(f"DROP INDEX {trgm_index(kind)}")
            cursor.execute(f"DROP INDEX {gram_index(kind)}")
    make_enterprise("建索引之前的企业")
    if connection.vendor == "postgresql":
        # The test's transaction holds deferred checks that CREATE INDEX will not wait for.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert kind.table not in indexed_tables()
    assert index_sync() == [kind.key]  # what the next migrate does
    assert index_sync() == []  # and once only
    assert names(user, "建索引之前") == names(user, "建索") == ["建索引之前的企业"]


def test_a_kind_with_one_of_its_two_indexes_is_scanned_until_the_next_migrate(zone):
    kind = enterprise_kind()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # The triggers write to both tables: drop them too, as a half-done sync would.
            for suffix in ("_ai", "_ad", "_au"):
                cursor.execute(f"DROP TRIGGER {fts_table(kind)}{suffix}")
            cursor.execute(f"DROP TABLE {gram_table(kind)}")
        else:
            cursor.execute(f"DROP INDEX {gram_index(kind)}")
    assert kind.table not in indexed_tables()
    assert names(zone["zone_wide"], "华为") == ["沧州华为智能科技有限公司"]


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row) for row in cursor.fetchall())
        # Tables this small are read whole (or along the key) unless the planner is told not to.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_query_of_three_characters_reads_the_index(zone):
    kind = enterprise_kind()
    sql, params = index_match(kind, ["华为智能"])
    if connection.vendor == "postgresql":
        # The ids' query itself: on a table of a few rows the whole query walks the key.
        plan = _plan(sql, params)
    else:
        queryset = Enterprise.objects.filter(pk__in=RawSQL(sql, params)).order_by("-pk")[:21]  # noqa: S611
        compiled, compiled_params = queryset.query.sql_with_params()
        plan = _plan(compiled, list(compiled_params))
    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and fts_table(kind) in plan, plan
    else:
        assert trgm_index(kind) in plan, plan


def test_a_query_of_one_or_two_characters_reads_the_gram_index(zone):
    kind = enterprise_kind()
    sql, params, _exact = gram_condition(kind, ["华为"])
    queryset = Enterprise.objects.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    compiled, compiled_params = queryset.order_by("-pk")[:21].query.sql_with_params()
    plan = _plan(compiled, list(compiled_params))
    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan and gram_table(kind) in plan, plan
    else:
        assert gram_index(kind) in plan, plan
    if connection.vendor == "sqlite":
        # The tokenizer keeps no punctuation: a term without a letter or digit is scanned.
        assert gram_condition(kind, ["%", "-"]) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_short_term_is_not_tested_by_parallel_workers(zone):
    """Two workers walking the key newest first halved the walk's price: on the large zone the
    planner took it for a rare or absent character and read all 500,000 cases (90 ms) where
    the gram index answers in a millisecond. The grams are worked out in the leader only."""
    kind = next(kind for kind in search_kinds() if kind.key == "approvals.case")
    sql, params, _exact = gram_condition(kind, ["咨"])
    queryset = Case.objects.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    compiled, compiled_params = queryset.order_by("-pk")[:21].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Workers for free, and no reading of the whole table: the walk in parallel is the
        # cheapest plan there is, if the grams may be worked out there.
        for setting in (
            "parallel_setup_cost = 0",
            "parallel_tuple_cost = 0",
            "min_parallel_table_scan_size = 0",
            "min_parallel_index_scan_size = 0",
            "enable_seqscan = off",
        ):
            cursor.execute(f"SET LOCAL {setting}")
        cursor.execute(f"EXPLAIN {compiled}", compiled_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Parallel" not in plan, plan
