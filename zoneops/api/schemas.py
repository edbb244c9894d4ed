"""Schemas and field types shared by the app routers."""

from datetime import datetime
from typing import Annotated

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    message: str
    errors: list[ErrorItem] = []


class VersionedIn(Schema):
    """Every update payload carries the version it was read at; a stale one is refused (409)."""

    version: int


def in_zone(value: datetime) -> datetime:
    """A moment in the zone's time zone (TIME_ZONE): a naive one is read there, one with an
    offset is converted."""
    zone = timezone.get_default_timezone()
    if timezone.is_naive(value):
        return timezone.make_aware(value, zone)
    return value.astimezone(zone)


# Every moment the API reads or answers: an ISO 8601 date-time, answered with the zone's offset
# (2026-03-02T09:30:00+08:00); sent without an offset it is read in the zone's time zone.
ZoneDateTime = Annotated[datetime, AfterValidator(in_zone)]
