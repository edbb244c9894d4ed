"""Seed the work calendar with every year the installed chinesecalendar package covers.

Self-contained on purpose (migrations must not follow later changes of the app's code): it
writes what `zoneops.common.calendar_services.calendar_seed_year` writes. Years already present
are left alone. Years the package learns later are added with `zoneops calendar_seed`.
"""

from django.db import migrations


def _chinese_name(value):
    from chinese_calendar.constants import Holiday

    holiday = value if isinstance(value, Holiday) else Holiday(value)
    return str(holiday.chinese)


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("common", "CalendarYear")
    CalendarDay = apps.get_model("common", "CalendarDay")
    db = schema_editor.connection.alias

    package_years = {day.year for day in chinese_calendar.holidays} | {
        day.year for day in chinese_calendar.workdays
    }
    present = set(CalendarYear.objects.using(db).values_list("year", flat=True))
    years = set(range(min(package_years), max(package_years) + 1)) - present
    taken = set(CalendarDay.objects.using(db).values_list("date", flat=True))

    days = [
        CalendarDay(date=day, is_working_day=False, name=_chinese_name(value))
        for day, value in chinese_calendar.holidays.items()
        if day.year in years and day.weekday() < 5 and day not in taken
    ]
    days += [
        CalendarDay(date=day, is_working_day=True, name=f"{_chinese_name(value)}调休")
        for day, value in chinese_calendar.workdays.items()
        if day.year in years and day.weekday() >= 5 and day not in taken
    ]
    CalendarDay.objects.using(db).bulk_create(days, batch_size=500)
    note = f"chinesecalendar {chinese_calendar.__version__}"
    CalendarYear.objects.using(db).bulk_create(
        [CalendarYear(year=year, source="package", note=note) for year in sorted(years)]
    )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("common", "CalendarYear")
    CalendarDay = apps.get_model("common", "CalendarDay")
    db = schema_editor.connection.alias
    years = list(
        CalendarYear.objects.using(db).filter(source="package").values_list("year", flat=True)
    )
    for year in years:
        CalendarDay.objects.using(db).filter(date__year=year).delete()
    CalendarYear.objects.using(db).filter(year__in=years).delete()


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
