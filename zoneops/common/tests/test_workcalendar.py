"""The work calendar: deadlines in working days, provisional years, seeding and manual days."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.test import Client
from django.utils import timezone

from zoneops.common import workcalendar
from zoneops.common.calendar_services import (
    calendar_clear_day,
    calendar_move_day,
    calendar_package_years,
    calendar_seed_if_empty,
    calendar_seed_year,
    calendar_set_day,
    calendar_year_delete,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.models import CalendarDay, CalendarYear
from zoneops.common.workcalendar import (
    add_working_days,
    calendar_cache_clear,
    calendar_pinned,
    is_working_day,
    is_year_entered,
    working_day_numbers,
    working_day_warning,
    working_days_between,
    working_days_used,
    working_days_used_sql,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test's rows are rolled back without a signal: never let the cache outlive a test.
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def another_process(monkeypatch):
    """This process's cache is never told of a change: only the database can say so."""
    monkeypatch.setattr(workcalendar, "calendar_cache_clear", lambda: None)


@contextmanager
def _without_calendar_receivers():
    """The writes inside run no receiver of the work calendar, as if made without signals."""
    receivers = [
        (pre_save, workcalendar._calendar_day_saving, "workcalendar_day_saving"),
        (post_save, workcalendar._calendar_day_changed, "workcalendar_day_saved"),
        (post_delete, workcalendar._calendar_day_changed, "workcalendar_day_deleted"),
    ]
    for signal, _receiver, uid in receivers:
        assert signal.disconnect(sender=CalendarDay, dispatch_uid=uid)
    try:
        yield
    finally:
        for signal, receiver, uid in receivers:
            signal.connect(receiver, sender=CalendarDay, dispatch_uid=uid)


def _forget_year(year: int) -> None:
    """Make `year` unentered, whatever the installed chinesecalendar covers."""
    calendar_year = CalendarYear.objects.filter(year=year).first()
    if calendar_year is not None:
        calendar_year_delete(calendar_year=calendar_year, by=None)


# Deadlines


@pytest.mark.django_db
def test_five_working_days_from_2026_09_28_end_on_the_make_up_saturday_after_national_day():
    result = add_working_days(date(2026, 9, 28), 5)
    assert result.date == date(2026, 10, 10)
    assert result.date.weekday() == 5
    assert not result.provisional
    assert result.provisional_years == ()


@pytest.mark.django_db
def test_zero_working_days_is_the_acceptance_day_itself():
    assert add_working_days(date(2026, 10, 3), 0).date == date(2026, 10, 3)


@pytest.mark.django_db
def test_counting_starts_on_the_first_working_day_after_acceptance():
    assert add_working_days(date(2026, 3, 2), 1).date == date(2026, 3, 3)  # Monday → Tuesday
    assert add_working_days(date(2026, 3, 6), 1).date == date(2026, 3, 9)  # Friday → Monday
    assert add_working_days(date(2026, 3, 7), 1).date == date(2026, 3, 9)  # Saturday → Monday


@pytest.mark.django_db
def test_a_holiday_on_a_weekday_is_skipped():
    assert not is_working_day(date(2026, 4, 6))  # 清明, a Monday
    assert add_working_days(date(2026, 4, 3), 1).date == date(2026, 4, 7)


@pytest.mark.django_db
def test_a_make_up_saturday_counts_as_a_working_day():
    assert is_working_day(date(2026, 2, 28))  # 春节调休
    assert not is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert add_working_days(date(2026, 2, 27), 1).date == date(2026, 2, 28)


@pytest.mark.django_db
def test_working_days_between_reads_a_deadline_backwards():
    _forget_year(2027)
    for start in (date(2026, 9, 28), date(2026, 2, 13), date(2026, 12, 25), date(2026, 10, 3)):
        for days in (0, 1, 5, 20, 60):
            due = add_working_days(start, days).date
            assert working_days_between(start, due).days == days, (start, days)


@pytest.mark.django_db
def test_deadlines_agree_with_walking_the_calendar_day_by_day():
    _forget_year(2027)
    for start in [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 1900, 13)]:
        day, counted = start, 0
        while counted < 7:
            day += timedelta(days=1)
            counted += is_working_day(day)
        assert add_working_days(start, 7).date == day, start


@pytest.mark.django_db
def test_working_days_between_counts_after_start_up_to_and_including_end():
    assert working_days_between(date(2026, 9, 28), date(2026, 9, 28)).days == 0
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8)).days == 1  # National Day


@pytest.mark.django_db
def test_negative_working_days_are_refused_naming_the_field():
    with pytest.raises(ApplicationError) as error:
        add_working_days(date(2026, 9, 28), -1)
    assert error.value.field == "days"


@pytest.mark.django_db
def test_end_before_start_is_refused_naming_the_field():
    with pytest.raises(ApplicationError) as error:
        working_days_between(date(2026, 9, 28), date(2026, 9, 27))
    assert error.value.field == "end"


@pytest.mark.django_db
def test_days_used_less_the_days_suspended_never_below_zero():
    # After 2026-09-30 to 2026-10-12: 10-08, 10-09, 10-10 (a make-up Saturday), 10-12.
    assert working_days_used(date(2026, 9, 30), date(2026, 10, 12)) == 4
    assert working_days_used(date(2026, 9, 30), date(2026, 10, 12), suspended_days=3) == 1
    assert working_days_used(date(2026, 9, 30), date(2026, 10, 12), suspended_days=5) == 0
    assert working_days_used(date(2026, 10, 12), date(2026, 9, 30)) == 0  # answered before


@pytest.mark.django_db
def test_days_used_summed_in_sql_agree_with_the_rule():
    """The statistics' SQL (`working_days_used_sql` over `working_day_numbers`) gives what
    `working_days_used` gives, for a start after the end too (its number taken as the end's)."""
    first, last = date(2026, 9, 25), date(2026, 10, 20)
    numbers = working_day_numbers(first, last)
    spans = [(date(2026, 9, 30), date(2026, 10, 12), suspended) for suspended in (0, 2, 3, 5)] + [
        (date(2026, 10, 12), date(2026, 9, 30), 0),
        (first, last, 1),
        (last, last, 0),
    ]
    used = working_days_used_sql(end_number="e", start_number="s", suspended_days="d")
    with connection.cursor() as cursor:
        got = []
        for start, end, suspended in spans:
            start_number = numbers[start] if start <= end else numbers[end]
            cursor.execute(
                f"SELECT {used} FROM (SELECT %s AS e, %s AS s, %s AS d) AS span",  # noqa: S608
                [numbers[end], start_number, suspended],
            )
            got.append(cursor.fetchone()[0])

    assert got == [
        working_days_used(start, end, suspended_days=suspended) for start, end, suspended in spans
    ]
    assert got[:4] == [4, 2, 1, 0]


# Years no one has entered


@pytest.mark.django_db
def test_a_year_not_entered_counts_weekends_only_and_is_provisional():
    result = add_working_days(date(2030, 1, 1), 3)  # a Tuesday; New Year is not known
    assert result.date == date(2030, 1, 4)
    assert result.provisional
    assert result.provisional_years == (2030,)
    count = working_days_between(date(2029, 12, 28), date(2030, 1, 7))
    assert count.days == 6
    assert count.provisional_years == (2029, 2030)
    assert working_days_between(date(2029, 12, 31), date(2030, 1, 7)).provisional_years == (2030,)


@pytest.mark.django_db
def test_a_deadline_running_into_a_year_not_entered_names_that_year_only():
    _forget_year(2027)
    result = add_working_days(date(2026, 12, 28), 10)
    assert result.date.year == 2027
    assert result.provisional_years == (2027,)
    assert not add_working_days(date(2026, 12, 1), 5).provisional


@pytest.mark.django_db
def test_seeding_a_year_removes_its_provisional_flag():
    _forget_year(2026)
    before = add_working_days(date(2026, 9, 28), 5)
    assert before.provisional_years == (2026,)
    assert before.date == date(2026, 10, 5)  # weekends only: National Day unknown

    calendar_seed_year(year=2026)

    after = add_working_days(date(2026, 9, 28), 5)
    assert after == type(after)(date=date(2026, 10, 10), provisional=False, provisional_years=())


# Seeding from chinesecalendar


@pytest.mark.django_db
def test_seeding_stores_only_the_days_that_break_the_weekend_rule_with_chinese_names():
    _forget_year(2026)
    calendar_year = calendar_seed_year(year=2026)
    assert calendar_year.source == CalendarYear.Source.PACKAGE
    days = {row.date: row for row in CalendarDay.objects.filter(date__year=2026)}
    assert days[date(2026, 10, 1)].name == "国庆节"
    assert not days[date(2026, 10, 1)].is_working_day
    assert days[date(2026, 10, 10)].name == "国庆节调休"
    assert days[date(2026, 10, 10)].is_working_day
    assert date(2026, 10, 3) not in days  # a Saturday off anyway
    assert all(row.is_working_day == (row.date.weekday() >= 5) for row in days.values())


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_days():
    calendar_seed_year(year=2026)
    first = list(CalendarDay.objects.filter(date__year=2026).values_list("date", "name"))
    calendar_seed_year(year=2026)
    assert list(CalendarDay.objects.filter(date__year=2026).values_list("date", "name")) == first


@pytest.mark.django_db
def test_seeding_a_year_the_package_does_not_cover_is_refused_naming_the_year():
    with pytest.raises(ApplicationError) as error:
        calendar_seed_year(year=calendar_package_years()[-1] + 5)
    assert error.value.field == "year"
    assert str(calendar_package_years()[-1] + 5) in error.value.message


@pytest.mark.django_db
def test_reseeding_keeps_a_year_an_administrator_changed_unless_forced():
    calendar_set_day(day=date(2026, 10, 9), is_working_day=False, name="临时放假", by=None)

    kept = calendar_seed_year(year=2026)
    assert kept.source == CalendarYear.Source.MANUAL
    assert CalendarDay.objects.get(date=date(2026, 10, 9)).name == "临时放假"

    forced = calendar_seed_year(year=2026, force=True)
    assert forced.source == CalendarYear.Source.PACKAGE
    assert not CalendarDay.objects.filter(date=date(2026, 10, 9)).exists()


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_its_work_calendar_again_and_its_deadlines_are_known():
    # flush empties every table and then sends post_migrate, as after a migrate.
    call_command("flush", interactive=False, verbosity=0)

    assert list(CalendarYear.objects.values_list("year", flat=True).order_by("year")) == list(
        calendar_package_years()
    )
    result = add_working_days(date(2026, 9, 28), 5)
    assert (result.date, result.provisional) == (date(2026, 10, 10), False)


@pytest.mark.django_db
def test_the_calendar_is_not_seeded_again_while_it_holds_a_year():
    for calendar_year in CalendarYear.objects.exclude(year=2026):
        calendar_year_delete(calendar_year=calendar_year, by=None)
    calendar_set_day(day=date(2026, 10, 9), is_working_day=False, name="临时放假", by=None)

    assert calendar_seed_if_empty() == 0

    assert list(CalendarYear.objects.values_list("year", flat=True)) == [2026]
    assert CalendarDay.objects.get(date=date(2026, 10, 9)).name == "临时放假"


@pytest.mark.django_db
def test_seed_command_is_idempotent_and_refuses_an_uncovered_year(capsys):
    call_command("calendar_seed", "--year", "2026")
    call_command("calendar_seed", "--year", "2026")
    assert CalendarYear.objects.filter(year=2026).count() == 1
    assert "2026" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("calendar_seed", "--year", str(calendar_package_years()[-1] + 5))


@pytest.mark.django_db
def test_the_migration_seeded_every_year_the_package_covers():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(calendar_package_years()) <= years


# An administrator's days


@pytest.mark.django_db
def test_an_administrators_day_off_changes_the_next_deadline():
    assert add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 10)  # cached now

    calendar_set_day(day=date(2026, 10, 9), is_working_day=False, name="临时放假", by=None)

    assert add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 12)
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


@pytest.mark.django_db
def test_clearing_a_day_returns_it_to_the_weekend_rule():
    assert is_working_day(date(2026, 10, 10))
    calendar_clear_day(day=date(2026, 10, 10), by=None)
    assert not is_working_day(date(2026, 10, 10))
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()


@pytest.mark.django_db
def test_setting_a_day_to_what_the_weekend_rule_says_is_refused_naming_the_weekday():
    with pytest.raises(ApplicationError) as error:
        calendar_set_day(day=date(2026, 10, 10), is_working_day=False, by=None)  # a Saturday
    assert error.value.field == "is_working_day"
    assert "2026-10-10" in error.value.message
    assert "星期六" in error.value.message
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).is_working_day  # 国庆节调休 kept
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.PACKAGE

    with pytest.raises(ApplicationError) as error:
        calendar_set_day(day=date(2026, 3, 9), is_working_day=True, by=None)
    assert "星期一" in error.value.message
    assert not CalendarDay.objects.filter(date=date(2026, 3, 9)).exists()


@pytest.mark.django_db
def test_clear_if_default_returns_a_day_the_weekend_rule_gives_to_that_rule():
    assert (
        calendar_set_day(
            day=date(2026, 10, 10), is_working_day=False, by=None, clear_if_default=True
        )
        is None
    )
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()
    assert not is_working_day(date(2026, 10, 10))
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


@pytest.mark.django_db
def test_moving_a_day_leaves_its_old_date_to_the_weekend_rule_and_keeps_the_row():
    row = CalendarDay.objects.get(date=date(2026, 10, 10))
    assert add_working_days(date(2026, 10, 9), 1).date == date(2026, 10, 10)  # cached now

    moved = calendar_move_day(
        from_day=date(2026, 10, 10),
        to_day=date(2026, 10, 11),
        is_working_day=True,
        name="国庆节调休",
        by=None,
    )

    assert moved.pk == row.pk
    assert moved.date == date(2026, 10, 11)
    assert not is_working_day(date(2026, 10, 10))
    assert add_working_days(date(2026, 10, 9), 1).date == date(2026, 10, 11)
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


@pytest.mark.django_db
def test_moving_a_day_into_another_year_marks_both_years_manual():
    calendar_move_day(
        from_day=date(2026, 1, 1),
        to_day=date(2025, 12, 31),
        is_working_day=False,
        name="元旦",
        by=None,
    )
    assert is_working_day(date(2026, 1, 1))  # a Thursday, back to the weekend rule
    assert not is_working_day(date(2025, 12, 31))
    assert set(
        CalendarYear.objects.filter(year__in=[2025, 2026]).values_list("source", flat=True)
    ) == {CalendarYear.Source.MANUAL}


@pytest.mark.django_db
def test_moving_a_day_to_what_the_weekend_rule_says_is_refused_and_changes_nothing():
    with pytest.raises(ApplicationError) as error:
        calendar_move_day(
            from_day=date(2026, 10, 10),
            to_day=date(2026, 10, 11),  # a Sunday, off anyway
            is_working_day=False,
            name="",
            by=None,
        )
    assert error.value.field == "is_working_day"
    assert "星期日" in error.value.message
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).is_working_day
    assert not CalendarDay.objects.filter(date=date(2026, 10, 11)).exists()


@pytest.mark.django_db
def test_moving_a_day_onto_another_entry_or_from_a_date_never_entered_is_refused():
    with pytest.raises(ApplicationError) as error:
        calendar_move_day(
            from_day=date(2026, 10, 10),
            to_day=date(2026, 10, 1),
            is_working_day=False,
            name="国庆节",
            by=None,
        )
    assert error.value.field == "to_day"
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).is_working_day

    with pytest.raises(ApplicationError) as error:
        calendar_move_day(
            from_day=date(2026, 3, 10),
            to_day=date(2026, 3, 11),
            is_working_day=False,
            name="",
            by=None,
        )
    assert error.value.field == "from_day"


@pytest.mark.django_db
def test_a_day_set_in_a_year_not_entered_enters_that_year():
    assert add_working_days(date(2030, 1, 1), 3).provisional
    calendar_set_day(day=date(2030, 1, 2), is_working_day=False, name="元旦", by=None)
    result = add_working_days(date(2030, 1, 1), 3)
    assert result == type(result)(date=date(2030, 1, 7), provisional=False, provisional_years=())


@pytest.mark.django_db
def test_a_day_set_in_another_process_changes_the_next_deadline(another_process):
    assert add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 10)  # cached now

    with _without_calendar_receivers():
        calendar_set_day(day=date(2026, 10, 9), is_working_day=False, name="临时放假", by=None)

    assert add_working_days(date(2026, 9, 28), 5).date == date(2026, 10, 12)


@pytest.mark.django_db
def test_a_day_written_directly_in_another_process_touches_its_year(another_process):
    before = CalendarYear.objects.get(year=2026).updated_at
    assert is_working_day(date(2026, 3, 10))  # cached now

    CalendarDay.objects.create(date="2026-03-10", is_working_day=False, name="停电")

    assert CalendarYear.objects.get(year=2026).updated_at > before
    assert not is_working_day(date(2026, 3, 10))
    CalendarDay.objects.filter(date=date(2026, 3, 10)).delete()
    assert is_working_day(date(2026, 3, 10))


@pytest.mark.django_db
def test_a_day_moved_directly_into_another_year_refreshes_both_years(another_process):
    assert not is_working_day(date(2026, 1, 1))
    assert is_working_day(date(2025, 12, 31))  # both years cached now

    day = CalendarDay.objects.get(date=date(2026, 1, 1))
    day.date = date(2025, 12, 31)
    day.save()

    assert is_working_day(date(2026, 1, 1))
    assert not is_working_day(date(2025, 12, 31))


@pytest.mark.django_db
def test_a_year_deleted_in_another_process_turns_provisional_at_the_next_call(another_process):
    assert not add_working_days(date(2026, 9, 28), 5).provisional  # cached now

    CalendarYear.objects.filter(year=2026).delete()

    assert not is_year_entered(2026)
    assert add_working_days(date(2026, 9, 28), 5).provisional_years == (2026,)


@pytest.mark.django_db
def test_a_change_rolled_back_is_forgotten_at_the_next_call():
    assert is_working_day(date(2026, 3, 10))
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_set_day(day=date(2026, 3, 10), is_working_day=False, by=None)
        assert not is_working_day(date(2026, 3, 10))  # the transaction sees its own change
        raise RuntimeError
    assert is_working_day(date(2026, 3, 10))


@pytest.mark.django_db
def test_a_year_is_read_once_and_then_served_from_memory(
    django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(2):  # the stamp, then the year
        add_working_days(date(2026, 3, 2), 20)
    for offset in range(0, 300, 7):
        start = date(2026, 1, 1) + timedelta(days=offset)
        with django_assert_num_queries(1):  # the stamp only
            add_working_days(start, 15)
        with django_assert_num_queries(1):
            working_days_between(start, start + timedelta(days=20))
        with django_assert_num_queries(1):
            is_working_day(start)
        with django_assert_num_queries(1):
            working_day_warning(start, 10, today=start + timedelta(days=5))


@pytest.mark.django_db
def test_a_change_to_one_year_reloads_that_year_only(django_assert_num_queries):
    working_days_between(date(2025, 6, 1), date(2026, 6, 1))  # both years cached now
    CalendarYear.objects.filter(year=2026).update(updated_at=timezone.now())
    with django_assert_num_queries(2):  # the stamp, then 2026
        working_days_between(date(2025, 6, 1), date(2026, 6, 1))


@pytest.mark.django_db
def test_a_pinned_block_reads_the_stamp_once(django_assert_num_queries):
    add_working_days(date(2026, 3, 2), 20)  # the year cached now
    with django_assert_num_queries(1), calendar_pinned():
        for offset in range(2000):
            start = date(2026, 1, 1) + timedelta(days=offset % 300)
            add_working_days(start, 15)
            working_days_between(start, start + timedelta(days=20))
            is_working_day(start)
            working_day_warning(start, 10, today=start + timedelta(days=5))


# Warning levels: a 10-working-day limit accepted Monday 2026-03-02 is due Monday 2026-03-16.


@pytest.mark.django_db
def test_warning_is_normal_while_more_than_a_fifth_of_the_limit_is_left():
    assert working_day_warning(date(2026, 3, 2), 10, today=date(2026, 3, 3)) == "normal"
    assert working_day_warning(date(2026, 3, 2), 10, today=date(2026, 3, 12)) == "normal"


@pytest.mark.django_db
def test_warning_turns_yellow_when_a_fifth_of_the_limit_is_left():
    assert working_day_warning(date(2026, 3, 2), 10, today=date(2026, 3, 13)) == "yellow"
    assert working_day_warning(date(2026, 3, 2), 10, today=date(2026, 3, 16)) == "yellow"


@pytest.mark.django_db
def test_warning_is_yellow_on_the_last_day_of_a_short_limit():
    assert working_day_warning(date(2026, 3, 2), 3, today=date(2026, 3, 4)) == "normal"
    assert working_day_warning(date(2026, 3, 2), 3, today=date(2026, 3, 5)) == "yellow"


@pytest.mark.django_db
def test_warning_turns_red_the_day_after_the_deadline():
    assert working_day_warning(date(2026, 3, 2), 10, today=date(2026, 3, 17)) == "red"


@pytest.mark.django_db
def test_suspended_working_days_push_the_deadline_later():
    assert working_day_warning(date(2026, 3, 2), 10, date(2026, 3, 17), suspended_days=2) == (
        "yellow"
    )
    assert working_day_warning(date(2026, 3, 2), 10, date(2026, 3, 12), suspended_days=2) == (
        "normal"
    )
    assert working_day_warning(date(2026, 3, 2), 10, date(2026, 3, 19), suspended_days=2) == "red"


# The back office


@pytest.fixture
def admin_client(org):
    client = Client()
    client.force_login(make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]))
    return client


def test_the_calendar_lists_open_in_the_back_office(admin_client):
    days = admin_client.get("/admin/common/calendarday/?date__year=2026&q=国庆")
    assert days.status_code == 200
    assert "国庆节调休" in days.content.decode()
    assert admin_client.get("/admin/common/calendarday/?is_working_day__exact=1").status_code == 200
    years = admin_client.get("/admin/common/calendaryear/")
    assert years.status_code == 200
    assert "2026" in years.content.decode()


def test_a_day_added_in_the_back_office_marks_its_year_manual(admin_client):
    response = admin_client.post(
        "/admin/common/calendarday/add/",
        {"date": "2026-03-10", "is_working_day": "", "name": "临时放假"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not is_working_day(date(2026, 3, 10))
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


def test_the_back_office_refuses_a_day_the_weekend_rule_already_gives(admin_client):
    response = admin_client.post(
        "/admin/common/calendarday/add/",
        {"date": "2026-03-07", "is_working_day": "", "name": "周六"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "星期六" in errors["is_working_day"][0]
    assert "无需录入" in response.content.decode()
    assert not CalendarDay.objects.filter(date=date(2026, 3, 7)).exists()


def test_the_back_office_refuses_moving_a_day_onto_the_weekend_rule(admin_client):
    day = CalendarDay.objects.get(date=date(2026, 10, 10))
    response = admin_client.post(
        f"/admin/common/calendarday/{day.pk}/change/",
        {"date": "2026-10-11", "is_working_day": "", "name": "国庆节调休"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "星期日" in errors["is_working_day"][0]
    assert CalendarDay.objects.get(pk=day.pk).date == date(2026, 10, 10)


def test_the_reimport_action_seeds_the_selected_years_and_keeps_manual_ones(admin_client):
    calendar_set_day(day=date(2025, 3, 10), is_working_day=False, name="临时放假", by=None)
    CalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    selected = CalendarYear.objects.filter(year__in=[2025, 2026]).values_list("pk", flat=True)
    response = admin_client.post(
        "/admin/common/calendaryear/",
        {"action": "reseed", "_selected_action": [str(pk) for pk in selected]},
        follow=True,
    )
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date=date(2026, 10, 1)).exists()
    assert CalendarDay.objects.filter(date=date(2025, 3, 10)).exists()
    assert "未覆盖" in response.content.decode()


def test_a_day_moved_in_the_back_office_leaves_its_old_date_to_the_weekend_rule(admin_client):
    day = CalendarDay.objects.get(date=date(2026, 10, 10))
    response = admin_client.post(
        f"/admin/common/calendarday/{day.pk}/change/",
        {"date": "2026-10-11", "is_working_day": "on", "name": "国庆节调休"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not is_working_day(date(2026, 10, 10))
    assert is_working_day(date(2026, 10, 11))
    assert CalendarDay.objects.get(pk=day.pk).date == date(2026, 10, 11)
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.MANUAL


def test_a_year_added_in_the_back_office_is_no_longer_provisional(admin_client):
    assert add_working_days(date(2030, 1, 1), 3).provisional
    response = admin_client.post("/admin/common/calendaryear/add/", {"year": "2030", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarYear.objects.get(year=2030).source == CalendarYear.Source.MANUAL
    assert not add_working_days(date(2030, 1, 1), 3).provisional
    change_page = f"/admin/common/calendaryear/{CalendarYear.objects.get(year=2030).pk}/change/"
    assert admin_client.get(change_page).status_code == 200


def test_a_year_deleted_in_the_back_office_takes_its_days_and_turns_provisional(admin_client):
    calendar_year = CalendarYear.objects.get(year=2026)
    response = admin_client.post(
        f"/admin/common/calendaryear/{calendar_year.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date__year=2026).exists()
    assert add_working_days(date(2026, 9, 28), 5).provisional_years == (2026,)
