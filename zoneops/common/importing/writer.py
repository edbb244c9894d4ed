"""Writing many records at once (`bulk_insert`, `bulk_update`): one prepared statement per
table, no model instances, each record with its history row; the audit fields (who, when,
version) by the same rule as `record_save` (zoneops.common.services.audit_fields). The rows
that follow from records just written (a project's first stage move, its placement) are
copied from them by the database (`bulk_insert_derived`)."""

import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

from django.db import connection, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from zoneops.common.caching import models_changed
from zoneops.common.importing.queries import key_set
from zoneops.common.services import audit_fields, history_audit

WRITE_CHUNK = 10_000  # rows written at a time by a register
STATEMENT_ROWS = 200  # rows per INSERT statement on SQLite (`_insert`)


# --- Writing many records at once, with their history rows -------------------------------------


@contextmanager
def _timed(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """The time a table's write took, added to `timings[name]` (over the chunks) when given:
    what `zoneops bench import` reports per table."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def _converter(model_field: models.Field) -> Callable[[Any], Any] | None:
    """How a value becomes the database's; None when it goes as it is."""
    ops = connection.ops
    kind = model_field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "BooleanField") or model_field.is_relation:
        return None
    if kind.endswith("IntegerField") or kind.endswith("AutoField"):
        return None
    if kind == "DecimalField":
        if type(ops).adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value:
            return None  # the backend leaves a Decimal to the driver (a call per value saved)
        digits, places = model_field.max_digits, model_field.decimal_places  # type: ignore[attr-defined]
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if kind in ("DateField", "DateTimeField") and connection.vendor == "postgresql":
        return None  # Django's PostgreSQL backend leaves dates and times to psycopg
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    return lambda value: model_field.get_db_prep_save(value, connection)


def _history_model(model: type[models.Model]) -> type[models.Model] | None:
    try:
        return get_history_manager_for_model(model).model
    except NotHistoricalModelError:
        return None


@dataclass(frozen=True)
class _Same:
    """A column with the same value on every row (audit fields, defaults)."""

    value: Any


Values = list[Any] | _Same

_SAFE_TEXT = re.compile(r"[\w .:+\-]*")  # letters (any script), digits and a few marks: no quote


def _literal(value: Any) -> str | None:
    """A constant written into the statement rather than bound on every row; None when it must
    be bound (anything but a number, a boolean or a plain text of letters and digits)."""
    if isinstance(value, bool):
        return (
            ("TRUE" if value else "FALSE") if connection.vendor == "postgresql" else str(int(value))
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _SAFE_TEXT.fullmatch(value):
        return f"'{value}'"
    return None


def _by_column(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows (every one with the same fields) as their columns."""
    return {name: [row[name] for row in rows] for name in rows[0]} if rows else {}


def _columns(
    model: type[models.Model],
    given: Mapping[str, Sequence[Any]],
    count: int,
    *,
    stamp: Mapping[str, Any],
    now: datetime,
) -> dict[str, Values]:
    """Every concrete field's database values, column by column: the rows' own values (`given`,
    by attname), else the audit fields (`stamp`, common.services.audit_fields), else the
    field's default; the times are `now` where the field says auto_now or auto_now_add, as
    save() would."""
    columns: dict[str, Values] = {}
    for model_field in model._meta.concrete_fields:
        attname = model_field.attname
        if model_field is model._meta.auto_field and attname not in given:
            continue
        convert = _converter(model_field)
        auto_now = getattr(model_field, "auto_now", False)
        if attname in given and not auto_now:
            values = given[attname]
            columns[attname] = [convert(v) for v in values] if convert else list(values)
            continue
        if auto_now or getattr(model_field, "auto_now_add", False):
            constant: Any = now if isinstance(model_field, models.DateTimeField) else now.date()
        elif attname in stamp:
            constant = stamp[attname]
        elif model_field.has_default() and callable(model_field.default):
            values = [model_field.get_default() for _index in range(count)]
            columns[attname] = [convert(v) for v in values] if convert else values
            continue
        else:
            constant = model_field.get_default()  # None, or "" for text, as save() would
        columns[attname] = _Same(convert(constant) if convert else constant)
    return columns


def _statement_parts(
    columns: Mapping[str, Values], count: int, *, inline: bool = True
) -> tuple[list[str], list[list[Any]], list[tuple[str, str]]]:
    """(bound names, their values, (name, literal) pairs): a column of NULLs is left out (NULL
    is what an omitted column gets), a constant is written into the statement when it can be
    (`inline`; COPY has no statement to write it into)."""
    names: list[str] = []
    lists: list[list[Any]] = []
    literals: list[tuple[str, str]] = []
    for name, values in columns.items():
        if isinstance(values, _Same):
            if values.value is None:
                continue
            literal = _literal(values.value) if inline else None
            if literal is not None:
                literals.append((name, literal))
                continue
            values = [values.value] * count
        elif values.count(None) == count:
            continue
        names.append(name)
        lists.append(values)
    return names, lists, literals


def _insert(table: str, columns: Mapping[str, Values], count: int) -> None:
    if connection.vendor == "postgresql":
        _copy(table, columns, count)
        return
    quote = connection.ops.quote_name
    names, lists, literals = _statement_parts(columns, count)
    head = "INSERT INTO {} ({}) VALUES ".format(  # nosec B608 # noqa: S608  names from the model, literals checked
        quote(table),
        ", ".join(quote(name) for name in [*names, *(name for name, _literal in literals)]),
    )
    one = "({})".format(", ".join(["%s"] * len(names) + [literal for _name, literal in literals]))
    # Many rows per statement, not one statement per row (executemany): SQLite opens a
    # statement savepoint for each, and at each savepoint an FTS5 index kept by a trigger
    # (zoneops.search.index) writes out what it holds, which made inserting ten times slower.
    per_statement = max(1, min(STATEMENT_ROWS, _max_parameters() // max(1, len(names))))

    def bound(start: int, end: int) -> list[Any]:  # the rows' values, row after row
        return list(chain.from_iterable(zip(*(v[start:end] for v in lists), strict=True)))

    with connection.cursor() as cursor:
        full = count - count % per_statement
        if full:
            sql = head + ", ".join([one] * per_statement)
            cursor.executemany(
                sql,
                [bound(start, start + per_statement) for start in range(0, full, per_statement)],
            )
        if full < count:  # the rows left, counted (a table whose every value is a literal
            # binds no parameter: `lists` is empty)
            cursor.execute(head + ", ".join([one] * (count - full)), bound(full, count))


def _max_parameters() -> int:
    """How many parameters a statement may bind on this SQLite (32,766 since 3.32); Django's
    feature flag says 999, the oldest builds' limit."""
    connection.ensure_connection()
    try:
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except (AttributeError, sqlite3.Error):
        return connection.features.max_query_params or 999


def _copy(table: str, columns: Mapping[str, Values], count: int) -> None:
    """PostgreSQL's COPY (psycopg 3): the rows streamed to the server in one command, several
    times faster than an INSERT per row; a column of NULLs is left out."""
    quote = connection.ops.quote_name
    names, lists, _literals = _statement_parts(columns, count, inline=False)
    sql = "COPY {} ({}) FROM STDIN".format(quote(table), ", ".join(quote(name) for name in names))
    # COPY runs on psycopg's own cursor: its errors (a unique value taken meanwhile) are made
    # Django's (IntegrityError), as those of every other statement are, for the callers to catch.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in zip(*lists, strict=True):
            copy.write_row(row)


def _insert_history(
    model: type[models.Model],
    history: type[models.Model],
    *,
    ids: list[int],
    kind: str,
    by: Any,
    reason: str,
    now: datetime,
) -> None:
    """A history row per record, copied from the record as it now stands by the database
    itself (INSERT ... SELECT: nothing bound per row), with who, why (common.services.
    history_audit), when and how ("+" created, "~" changed) as django-simple-history writes
    them."""
    stamp = history_audit(by=by, reason=reason)
    stored = {f.attname for f in model._meta.concrete_fields}  # attnames are the columns
    quote = connection.ops.quote_name
    names: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    for model_field in history._meta.concrete_fields:
        attname = model_field.attname
        if model_field is history._meta.auto_field:
            continue
        if attname in stored:
            names.append(attname)
            selected.append(f"t.{quote(attname)}")
            continue
        if attname == "history_date":
            value = connection.ops.adapt_datetimefield_value(now)
        elif attname == "history_type":
            value = kind
        elif attname in stamp:
            value = stamp[attname]
        else:
            value = model_field.get_db_prep_save(model_field.get_default(), connection)
        if value is None:
            continue  # NULL is what an omitted column gets
        names.append(attname)
        selected.append("%s")
        params.append(value)
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    chosen = model._base_manager.filter(pk__in=key_set(ids)).values("pk").query
    chosen_sql, chosen_params = chosen.sql_with_params()
    sql = "INSERT INTO {} ({}) SELECT {} FROM {} t WHERE t.{} IN ({})".format(  # nosec B608 # noqa: S608  names from the models
        quote(history._meta.db_table),
        ", ".join(quote(name) for name in names),
        ", ".join(selected),
        quote(table),
        quote(pk.attname),
        chosen_sql,
    )
    with _write_cache(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, *chosen_params])


@contextmanager
def _write_cache() -> Iterator[None]:
    """A larger SQLite page cache while many rows go in: a dozen indexes per table stop
    thrashing the default 2 MB cache."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -131072")  # 128 MB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def bulk_insert(
    *,
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]] = (),
    columns: Mapping[str, Sequence[Any]] | None = None,
    by: Any = None,
    reason: str = "",
    key: Sequence[str] = (),
    timings: dict[str, float] | None = None,
) -> list[int]:
    """Insert many records (every row with the same fields, by attname) with the audit fields,
    version 1 and — for a model with history — a "+" history row each, as `records_bulk_create`
    writes them, at a fraction of its cost: one prepared statement per table, no model
    instances. `columns` gives the rows' values column by column instead (attname → values),
    which spares a dict per row. `key` names unique fields that find the new ids (returned in
    the rows' order); a model with history needs it. Runs inside the caller's transaction.
    With `timings`, the time taken is added under the model's name (and "<name> history")."""
    given = _by_column(rows) if columns is None else columns
    count = len(rows) if columns is None else len(next(iter(columns.values()), ()))
    if not count:
        return []
    models_changed([model])  # a bulk write sends no signal
    now = timezone.now()
    history = _history_model(model)
    if history is not None and not key:
        raise ValueError("bulk_insert needs a key to write the history rows")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    name = model._meta.model_name or table
    with _timed(timings, name):
        last = model._base_manager.aggregate(last=models.Max(pk.attname))["last"] or 0 if key else 0
        stamp = audit_fields(model=model, by=by, creating=True)
        stored = _columns(model, given, count, stamp=stamp, now=now)
        with _write_cache():
            _insert(table, stored, count)
        if not key:
            return []
        found = {
            tuple(values): pk_value
            for pk_value, *values in model._base_manager.filter(pk__gt=last).values_list(
                pk.attname, *key
            )
        }
        ids = [found[keys] for keys in zip(*(given[part] for part in key), strict=True)]
    if history is not None:
        with _timed(timings, f"{name} history"):
            _insert_history(model, history, ids=ids, kind="+", by=by, reason=reason, now=now)
    return ids


def bulk_update(
    *,
    model: type[models.Model],
    changes: Sequence[tuple[int, Mapping[str, Any]]],
    by: Any = None,
    reason: str = "",
    timings: dict[str, float] | None = None,
) -> int:
    """Update many records, each with its own changed fields (by attname): the version goes up
    by one, who changed it is filled in and — for a model with history — a "~" history row
    holds each record's new state, as `records_bulk_update` writes them. Runs inside the
    caller's transaction, which should hold the records locked (`select_for_update`). With
    `timings`, as `bulk_insert`."""
    if not changes:
        return 0
    name, now = model._meta.model_name or model._meta.db_table, timezone.now()
    with _timed(timings, name):
        _update(model, changes, by=by, now=now)
    history = _history_model(model)
    if history is not None:
        with _timed(timings, f"{name} history"):
            ids = [pk_value for pk_value, _fields in changes]
            _insert_history(model, history, ids=ids, kind="~", by=by, reason=reason, now=now)
    return len(changes)


def _update(
    model: type[models.Model],
    changes: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    by: Any,
    now: datetime,
) -> None:
    """The records' rows updated (`bulk_update`), without their history rows."""
    models_changed([model])  # a bulk write sends no signal
    pk = model._meta.pk
    assert pk is not None
    attnames = [f.attname for f in model._meta.concrete_fields]
    current: dict[int, dict[str, Any]] = {}
    ids = [pk_value for pk_value, _fields in changes]
    for record in model._base_manager.filter(pk__in=key_set(ids)).values(*attnames):
        current[record[pk.attname]] = record
    rows = []
    stamped: set[str] = set()
    for pk_value, fields in changes:
        stored = current[pk_value]
        stamp = audit_fields(
            model=model, by=by, creating=False, stored_version=stored.get("version", 0)
        )
        stamped.update(stamp)
        rows.append({**stored, **fields, **stamp})
    changed = sorted({name for _pk, fields in changes for name in fields} | stamped)
    columns = _columns(model, _by_column(rows), len(rows), stamp={}, now=now)
    auto = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.attname not in changed
    ]
    setters = {name: columns[name] for name in [*changed, *auto]}
    count = len(rows)
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # nosec B608 # noqa: S608  names come from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(name)} = %s" for name in setters),
        quote(pk.column or pk.attname),
    )
    lists = [
        [values.value] * count if isinstance(values, _Same) else values
        for values in setters.values()
    ]
    params = list(zip(*lists, ids, strict=True))
    with _write_cache(), connection.cursor() as cursor:
        for start in range(0, count, WRITE_CHUNK):
            cursor.executemany(sql, params[start : start + WRITE_CHUNK])


# --- Rows derived from records just written ----------------------------------------------------


@dataclass(frozen=True)
class Copied:
    """A column of derived rows copied from the source record's column (`bulk_insert_derived`)."""

    attname: str


@dataclass(frozen=True)
class Each:
    """A column of derived rows with a value of its own per row, in the order of the ids
    (`bulk_insert_derived`)."""

    values: Sequence[Any]


def bulk_insert_derived(
    *,
    model: type[models.Model],
    source: type[models.Model],
    ids: Sequence[int],
    values: Mapping[str, Any],
    timings: dict[str, float] | None = None,
) -> None:
    """Insert a `model` row for each of the `source` records `ids` by the database itself:
    INSERT ... SELECT from the source's table, so that Python binds nothing per row but what
    only it knows. `values` maps attnames to a column of the source record (`Copied`), to a
    value per row (`Each`: the whole column sent as one parameter) or to one value for every
    row; the other fields get what `bulk_insert` gives them (the time for auto_now and
    auto_now_add, else the default). For a model without history; runs inside the caller's
    transaction. With `timings`, as `bulk_insert`."""
    if not ids:
        return
    if _history_model(model) is not None:
        raise ValueError("bulk_insert_derived writes no history rows")
    with _timed(timings, model._meta.model_name or model._meta.db_table):
        _insert_derived(model, source, ids, values)


def _insert_derived(
    model: type[models.Model],
    source: type[models.Model],
    ids: Sequence[int],
    values: Mapping[str, Any],
) -> None:
    models_changed([model])  # a bulk write sends no signal
    now = timezone.now()
    quote = connection.ops.quote_name
    source_columns = {f.attname: f.column or f.attname for f in source._meta.concrete_fields}
    names: list[str] = []
    selected: list[str] = []
    params: list[Any] = []
    per_row: list[tuple[models.Field, list[Any]]] = []
    for model_field in model._meta.concrete_fields:
        attname = model_field.attname
        if model_field is model._meta.auto_field:
            continue
        value = values.get(attname)
        auto = getattr(model_field, "auto_now", False) or getattr(
            model_field, "auto_now_add", False
        )
        if isinstance(value, Copied) and not auto:
            names.append(attname)
            selected.append(f"t.{quote(source_columns[value.attname])}")
            continue
        if isinstance(value, Each) and not auto:
            if len(value.values) != len(ids):
                raise ValueError(f"{attname}: {len(value.values)} values for {len(ids)} rows")
            distinct = set(value.values)
            if len(distinct) > 1:  # the same value on every row goes once, as a constant
                convert = _converter(model_field)
                column = list(value.values)
                if convert is not None:
                    column = [v if v is None else convert(v) for v in column]
                names.append(attname)
                per_row.append((model_field, column))
                selected.append("")  # the per-row expression, filled in below
                continue
            value = distinct.pop()
        if auto:
            value = now if isinstance(model_field, models.DateTimeField) else now.date()
        elif attname not in values:
            value = model_field.get_default()  # None, or "" for text, as save() would
        convert = _converter(model_field)
        if value is not None and convert is not None:
            value = convert(value)
        if value is None:
            continue  # NULL is what an omitted column gets
        names.append(attname)
        selected.append("%s")
        params.append(value)
    pk = source._meta.pk
    assert pk is not None
    if connection.vendor == "postgresql":
        rows, joined = _rows_postgresql(ids, per_row, pk.column or pk.attname)
    else:
        rows, joined = _rows_sqlite(ids, per_row, pk.column or pk.attname)
    expressions = iter(rows.expressions)
    selected = [expression or next(expressions) for expression in selected]
    sql = "INSERT INTO {} ({}) SELECT {} FROM {}".format(  # nosec B608 # noqa: S608  names from the models
        quote(model._meta.db_table),
        ", ".join(quote(name) for name in names),
        ", ".join(selected),
        joined.format(source=quote(source._meta.db_table)),
    )
    with _write_cache(), connection.cursor() as cursor:
        cursor.execute(sql, [*params, *rows.params])


@dataclass(frozen=True)
class _Rows:
    """The ids and per-row values as a table the source is joined to."""

    expressions: list[str]  # each per-row column's value
    params: list[Any]


def _rows_sqlite(
    ids: Sequence[int], per_row: list[tuple[models.Field, list[Any]]], pk_column: str
) -> tuple[_Rows, str]:
    """One JSON parameter: the ids, or [id, value, ...] per row, read by json_each; the rows
    first (CROSS JOIN keeps SQLite's order), each source record found by its key."""
    quote = connection.ops.quote_name
    if not per_row:
        payload = json.dumps(list(ids))
        key = "r.value"
    else:
        columns = [values for _field, values in per_row]
        payload = json.dumps(
            [[pk, *row] for pk, *row in zip(ids, *columns, strict=True)],
            ensure_ascii=False,
            default=str,  # decimals and dates as the text SQLite stores
        )
        key = "json_extract(r.value, '$[0]')"
    expressions = [f"json_extract(r.value, '$[{index}]')" for index in range(1, len(per_row) + 1)]
    joined = f"json_each(%s) AS r CROSS JOIN {{source}} AS t ON t.{quote(pk_column)} = {key}"
    return _Rows(expressions, [payload]), joined


def _rows_postgresql(
    ids: Sequence[int], per_row: list[tuple[models.Field, list[Any]]], pk_column: str
) -> tuple[_Rows, str]:
    """An array parameter per column (the ids, then each per-row column as text cast to the
    column's type), unnested together in the rows' order."""
    quote = connection.ops.quote_name
    arrays = ["%s::text[]::bigint[]"]
    params: list[Any] = [[str(pk) for pk in ids]]
    for model_field, values in per_row:
        arrays.append(f"%s::text[]::{model_field.db_type(connection)}[]")
        params.append([_postgresql_text(value) for value in values])
    names = [f"c{index}" for index in range(len(per_row))]
    joined = (
        "unnest({}) WITH ORDINALITY AS r(id, {}) JOIN {{source}} AS t ON t.{} = r.id ORDER BY r.n"
    ).format(", ".join(arrays), ", ".join([*names, "n"]), quote(pk_column))
    return _Rows([f"r.{name}" for name in names], params), joined


def _postgresql_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
