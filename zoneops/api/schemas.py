"""Schemas and types shared by the app routers.

`Id` is every id a caller sends — a path parameter, a filter, a field of a payload, an item of a
list — and `Year` every year: bounded by zoneops.common.inputs, so that a number no record can
have is refused with the field's name (422) before any query.
"""

from typing import Annotated

from ninja import Field, Schema

from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, MAX_ID

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
