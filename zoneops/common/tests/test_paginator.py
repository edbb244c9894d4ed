"""The back office's lists page without counting every row where counting is slow."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.common import admin_base
from zoneops.common.admin_base import (
    BusinessAdmin,
    EstimatedCountPaginator,
    _count_if_table_small,
    _planned_rows,
)
from zoneops.common.models import CalendarDay


@pytest.fixture
def days(db):
    first = date(2030, 1, 1)
    CalendarDay.objects.bulk_create(
        CalendarDay(date=first + timedelta(days=n), is_working_day=False) for n in range(120)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {CalendarDay._meta.db_table}")


def test_every_business_list_pages_with_the_estimating_paginator():
    assert BusinessAdmin.paginator is EstimatedCountPaginator


def test_a_list_that_can_match_nothing_counts_none(days):
    assert EstimatedCountPaginator(CalendarDay.objects.filter(pk__in=[]), 50).count == 0


def test_a_list_below_the_threshold_is_counted_exactly(days):
    rows = CalendarDay.objects.filter(date__year=2030).order_by("date")
    paginator = EstimatedCountPaginator(rows, 50)

    assert paginator.count == 120
    assert paginator.num_pages == 3
    assert [day.date for day in paginator.page(3)][-1] == date(2030, 4, 30)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL counts slowly"
)


def _list_sql(queryset):
    return queryset.order_by().query.sql_with_params()


@postgresql_only
def test_a_table_smaller_than_the_threshold_is_counted_exactly_and_a_larger_one_not(days):
    rows = CalendarDay.objects.filter(date__year=2030)
    sql, params = _list_sql(rows)
    table_rows = CalendarDay.objects.count()

    assert _count_if_table_small(CalendarDay, sql, params, connection, table_rows + 1) == 120
    assert _count_if_table_small(CalendarDay, sql, params, connection, table_rows - 1) is None


@postgresql_only
def test_the_planners_estimate_is_read_from_explain(days):
    sql, params = _list_sql(CalendarDay.objects.filter(date__year=2030))

    assert 1 <= _planned_rows(sql, params, connection) <= CalendarDay.objects.count()


@postgresql_only
def test_a_large_list_on_postgresql_is_paged_by_the_planners_estimate(days, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 10)
    monkeypatch.setattr(admin_base, "_planned_rows", lambda sql, params, database: 123_456)
    paginator = EstimatedCountPaginator(CalendarDay.objects.order_by("date"), 50)

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    # No exact count: the one query that counts a small table finds it large and gives way.
    assert not any(q["sql"].upper().startswith("SELECT COUNT(") for q in queries.captured_queries)
    assert count == 123_456
    assert len(paginator.page(1)) == 50


@postgresql_only
def test_a_large_table_with_a_small_estimate_is_counted_exactly(days, monkeypatch):
    """The planner expecting fewer rows than the threshold (a narrow filter) counts them."""
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 10)
    monkeypatch.setattr(admin_base, "_planned_rows", lambda sql, params, database: 3)

    assert EstimatedCountPaginator(CalendarDay.objects.filter(date__year=2030), 50).count == 120


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite counts fast")
def test_a_large_list_on_sqlite_is_counted_exactly(days, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 10)

    rows = CalendarDay.objects.order_by("date")

    assert EstimatedCountPaginator(rows, 50).count == rows.count()
