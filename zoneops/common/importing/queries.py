"""Queries an import makes of many records at once: many keys as one parameter (`key_set`),
and whether the user may read and change each stored row (`scope_flags`)."""

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL

from zoneops.common.scope import scope_filter, scope_for

QUERY_CHUNK = 900  # keys per `IN (...)` query that every database takes (see also `key_set`)


def key_set(values: Sequence[Any]) -> Any:
    """Many keys as the right side of an `__in` lookup, bound as one parameter: turning 100,000
    keys into 100,000 parameters costs the ORM seconds (SQLite's json_each, PostgreSQL's
    unnest; the plain list elsewhere)."""
    if not values:
        return []
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values), default=str)])
    if connection.vendor == "postgresql":
        # psycopg sends Python strings untyped: the array needs its type spelled out.
        for kind, sql_type in ((int, "bigint"), (date, "date"), (Decimal, "numeric")):
            if all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
                texts = [v.isoformat() if isinstance(v, date) else str(v) for v in values]
                return RawSQL(f"SELECT unnest(%s::text[]::{sql_type}[])", [texts])  # nosec B611 # noqa: S611  a type name of ours, values bound
        return RawSQL("SELECT unnest(%s::text[])", [[str(value) for value in values]])
    return list(values)


def scope_flags(model: type[models.Model], user: Any) -> tuple[Any, Any]:
    """Expressions telling, for each stored row, whether the user may read it and change it
    (an import shows a readable record unchanged, and updates only one he may change)."""

    def flag(condition: Q | None) -> Any:
        if condition is None:
            return Value(True, output_field=BooleanField())
        return Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )

    if user is None:  # the system (a command) reads and writes everything
        return flag(None), flag(None)
    scope = scope_for(user)
    return flag(scope_filter(model, scope)), flag(scope_filter(model, scope, write=True))
