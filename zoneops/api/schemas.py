"""Schemas and types shared by the app routers.

`Id` is every id a caller sends — a path parameter, a filter, a field of a payload, an item of a
list — and `Year` every year: bounded by zoneops.common.inputs, so that a number no record can
have is refused with the field's name (422) before any query. Numbers are bounded by their
field's declaration (`model_number`), moments read and answered in the zone's time zone
(`ZoneDateTime`).
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Model
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from zoneops.common.amounts import Bound, model_bound
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, MAX_ID, date_error

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


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
    offset is converted. One whose day is no date of any record (`date_error`) is left as sent:
    converted, 0001-01-01T00:00+14:00 would fall before year 1 (OverflowError). The API's input
    check (zoneops.api.checks) then refuses it naming the field, with every other field's
    refusal in the same answer."""
    zone = timezone.get_default_timezone()
    if timezone.is_naive(value):
        return timezone.make_aware(value, zone)
    if date_error(value.date()):
        return value
    return value.astimezone(zone)


# Every moment the API reads or answers: an ISO 8601 date-time, answered with the zone's offset
# (2026-03-02T09:30:00+08:00); sent without an offset it is read in the zone's time zone.
ZoneDateTime = Annotated[datetime, AfterValidator(in_zone)]


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _pattern(bound: Bound) -> str:
    sign = "-?" if bound.minimum < 0 else ""
    return rf"^{sign}\d{{1,{bound.integer_digits}}}(\.\d{{1,{bound.places}}})?$"


def bounded_number(bound: Bound) -> Any:
    """The type of a payload's number that `bound` limits (an amount, an area, a head count).

    A value outside the bound is refused (422) with the bound's own sentence, which names the
    field and the bound (“总投资”不能超过 10000000 万元。); the OpenAPI schema publishes the
    range and the digits: a number with minimum, maximum and multipleOf, or the same as a
    string (exact decimals) matching a pattern.
    """

    def check(value: Any) -> Any:
        problem = bound.problem(value)
        if problem:
            raise PydanticCustomError("bound", "{message}", {"message": problem})
        return value

    limits = {"minimum": _json_number(bound.minimum), "maximum": _json_number(bound.maximum)}
    if bound.places == 0:
        schema: dict[str, Any] = {"type": "integer", **limits}
        return Annotated[int, AfterValidator(check), WithJsonSchema(schema)]
    number = {"type": "number", **limits, "multipleOf": float(bound.quantum)}
    text = {"type": "string", "pattern": _pattern(bound)}
    return Annotated[Decimal, AfterValidator(check), WithJsonSchema({"anyOf": [number, text]})]


def model_number(model: type[Model], field: str) -> Any:
    """`bounded_number` of a model's number field: the bound its declaration gives."""
    return bounded_number(model_bound(model, field))


def model_number_out(model: type[Model], field: str) -> Any:
    """A model's number field in a response: published with its digits (an exact decimal as a
    string), never checked against the bound (a record stored before a bound still reads)."""
    bound = model_bound(model, field)
    if bound.places == 0:
        return int
    return Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": _pattern(bound)})]
