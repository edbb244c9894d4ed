"""The work calendar over the API: deadlines and working-day counts (mounted at /api/v1/common/).

A malformed date or number is refused by the schema (422, the field named); a negative count or
an end before the start by the calendar itself (400, the field named).
"""

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from zoneops.common.workcalendar import add_working_days, working_days_between

router = Router(tags=["calendar"])


class DeadlineOut(Schema):
    start: date
    days: int
    due: date
    provisional: bool
    provisional_years: list[int]


class WorkingDaysOut(Schema):
    start: date
    end: date
    working_days: int
    provisional: bool
    provisional_years: list[int]


@router.get("/calendar/add-working-days", response=DeadlineOut)
def calendar_add_working_days(request: HttpRequest, start: date, days: int) -> dict:
    """The deadline of a limit in working days, counted from the day after `start`."""
    result = add_working_days(start, days)
    return {
        "start": start,
        "days": days,
        "due": result.date,
        "provisional": result.provisional,
        "provisional_years": list(result.provisional_years),
    }


@router.get("/calendar/working-days", response=WorkingDaysOut)
def calendar_working_days(request: HttpRequest, start: date, end: date) -> dict:
    """The number of working days after `start` up to and including `end`."""
    result = working_days_between(start, end)
    return {
        "start": start,
        "end": end,
        "working_days": result.days,
        "provisional": result.provisional,
        "provisional_years": list(result.provisional_years),
    }
