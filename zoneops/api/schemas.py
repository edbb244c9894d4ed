"""Schemas shared by the app routers."""

from ninja import Schema


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    message: str
    errors: list[ErrorItem] = []


class VersionedIn(Schema):
    """Every update payload carries the version it was read at; a stale one is refused (409)."""

    version: int
