"""Schemas and field types shared by the app routers."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Model
from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from zoneops.common.amounts import Bound, model_bound


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
