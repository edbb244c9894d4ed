"""The database's own index of each searchable kind, kept by the database on every write.

Why in the database: records are written by the ORM, by the bulk writer (raw SQL, no signals)
and by migrations; an index kept by Python would miss some of them. So:

- SQLite: an FTS5 table `search_fts_<table>` with the trigram tokenizer over the kind's columns,
  external content (the record's table holds the text; the index only its trigrams), kept by
  three triggers on the record's table (insert, delete, update of those columns).
- PostgreSQL: a GIN index `search_trgm_<table>` with gin_trgm_ops (pg_trgm, created by this
  app's migration) on one expression joining the kind's columns; ILIKE on that expression
  uses it. pg_trgm hashes CJK characters into trigrams like any letter.

Both need three characters: a query term of one or two characters is matched by a bounded scan
instead (`selectors`). An old SQLite without FTS5 or the trigram tokenizer gets no index, and
every term is matched by that scan.

`index_sync` runs after each migrate: it compares what exists with what the declarations ask
for (the SQL text of each object on SQLite, a signature in the index's comment on PostgreSQL),
creates what is missing or changed, fills it from the rows already there, and drops the indexes
of kinds no longer declared.
"""

import hashlib
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from zoneops.search.kinds import SearchKind, search_kinds

FTS_PREFIX = "search_fts_"
TRGM_PREFIX = "search_trgm_"
# Joins the columns of a kind in the PostgreSQL expression: a control character, which no
# query may hold, so that no match spans two fields.
_SEPARATOR = "E'\\x1f'"


def _quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


# --- SQLite --------------------------------------------------------------------------------------


@cache
def fts_trigram_available(alias: str = "default") -> bool:
    """Whether this SQLite has FTS5 and its trigram tokenizer (3.34+ built with FTS5)."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE VIRTUAL TABLE temp.search_probe USING fts5(t, tokenize='trigram')"
            )
            cursor.execute("DROP TABLE temp.search_probe")
    except Exception:  # any refusal means: no index, the scan serves
        return False
    return True


def fts_table(kind: SearchKind) -> str:
    return FTS_PREFIX + kind.table


def _sqlite_objects(connection: BaseDatabaseWrapper, kind: SearchKind) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the FTS table and its three triggers, in creation order."""
    fts, table = fts_table(kind), kind.table
    columns = [_quote(connection, column) for column in kind.columns]
    pk = _quote(connection, kind.pk_column)
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    # Names from the models (no input reaches these statements).
    insert_new = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{pk}, {new});"  # noqa: S608
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{pk}, {old});"  # noqa: S608
    return [
        (
            fts,
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
            f"content_rowid='{kind.pk_column}', tokenize='trigram')",
        ),
        (f"{fts}_ai", f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END"),
        (f"{fts}_ad", f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END"),
        (
            f"{fts}_au",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} WHEN {changed} "
            f"BEGIN {delete_old} {insert_new} END",
        ),
    ]


def _sqlite_sync(
    connection: BaseDatabaseWrapper, kinds: Iterable[SearchKind], rebuild: bool
) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE 'search\\_fts\\_%' ESCAPE '\\'"
        )
        existing = dict(cursor.fetchall())
        tables = set(connection.introspection.table_names(cursor))
        wanted: set[str] = set()
        synced = []
        for kind in kinds:
            if kind.table not in tables:  # not migrated yet (a partial migrate)
                continue
            objects = _sqlite_objects(connection, kind)
            wanted.update(name for name, _sql in objects)
            if not rebuild and all(existing.get(name) == sql for name, sql in objects):
                continue
            fts = fts_table(kind)
            for name, _sql in objects[1:]:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            for _name, sql in objects:
                cursor.execute(sql)
            # The rows written before the index existed (or while it was another shape).
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
            synced.append(kind.key)
        for name, sql in existing.items():
            if name in wanted or sql is None:
                continue
            if sql.startswith("CREATE TRIGGER"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif sql.startswith("CREATE VIRTUAL TABLE"):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return synced


# --- PostgreSQL ----------------------------------------------------------------------------------


def trgm_index(kind: SearchKind) -> str:
    return TRGM_PREFIX + kind.table


def pg_expression(connection: BaseDatabaseWrapper, kind: SearchKind) -> str:
    """The searchable text of a row: its columns joined; the index and the query share it."""
    parts = [f"COALESCE({_quote(connection, column)}::text, '')" for column in kind.columns]
    return "(" + f" || {_SEPARATOR} || ".join(parts) + ")"


def _pg_statement(connection: BaseDatabaseWrapper, kind: SearchKind) -> tuple[str, str]:
    sql = (
        f"CREATE INDEX {trgm_index(kind)} ON {_quote(connection, kind.table)} "
        f"USING gin ({pg_expression(connection, kind)} gin_trgm_ops)"
    )
    return sql, hashlib.sha256(sql.encode()).hexdigest()[:16]


def pg_trgm_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _pg_sync(
    connection: BaseDatabaseWrapper, kinds: Iterable[SearchKind], rebuild: bool
) -> list[str]:
    if not pg_trgm_installed(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'i' AND n.nspname = current_schema() AND c.relname LIKE %s",
            [TRGM_PREFIX.replace("_", "\\_") + "%"],
        )
        existing = dict(cursor.fetchall())
        tables = set(connection.introspection.table_names(cursor))
        wanted, synced = set(), []
        for kind in kinds:
            if kind.table not in tables:
                continue
            name = trgm_index(kind)
            wanted.add(name)
            sql, signature = _pg_statement(connection, kind)
            if not rebuild and existing.get(name) == signature:
                continue
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
            cursor.execute(sql)
            cursor.execute(f"COMMENT ON INDEX {name} IS %s", [signature])
            synced.append(kind.key)
        for name in set(existing) - wanted:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    return synced


# --- both ----------------------------------------------------------------------------------------


def index_sync(*, using: str = "default", rebuild: bool = False) -> list[str]:
    """Make each kind's index match its declaration, filled from the rows already there; with
    `rebuild` build them all again. Returns the kinds (re)built."""
    connection = connections[using]
    kinds = search_kinds()
    if connection.vendor == "sqlite":
        if not fts_trigram_available(using):
            return []
        return _sqlite_sync(connection, kinds, rebuild)
    if connection.vendor == "postgresql":
        return _pg_sync(connection, kinds, rebuild)
    return []


def index_sync_after_migrate(using: str = "default", **kwargs: Any) -> None:
    index_sync(using=using)


def indexed_tables(*, using: str = "default") -> set[str]:
    """The tables whose kind has its index in place now (one query)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if not fts_trigram_available(using):
            return set()
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%%' AND name LIKE %s ESCAPE '\\'"
        )
        prefix = FTS_PREFIX
    elif connection.vendor == "postgresql":
        sql = "SELECT relname FROM pg_class WHERE relkind = 'i' AND relname LIKE %s"
        prefix = TRGM_PREFIX
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix.replace("_", "\\_") + "%"])
        return {name[len(prefix) :] for (name,) in cursor.fetchall()}


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(term: str) -> str:
    """A term as an FTS5 string: quoted, so `"`, `*`, AND, NEAR( and - are its own letters."""
    return '"' + term.replace('"', '""') + '"'


def index_match(
    kind: SearchKind, terms: list[str], *, using: str = "default", limit: int = 0
) -> tuple[str, list[str | int]]:
    """The SQL of the ids of `kind` whose text holds every term (each 3+ characters), by its
    index: a subquery for `pk__in`. With `limit`, the newest `limit` of them only: a common
    word matches tens of thousands of rows, and the page shows the newest twenty."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        match = " AND ".join(fts_phrase(term) for term in terms)
        sql = f"SELECT rowid FROM {fts_table(kind)} WHERE {fts_table(kind)} MATCH %s"  # noqa: S608  names from the models
        params: list[str | int] = [match]
        newest = "rowid"
    else:
        expression = pg_expression(connection, kind)
        newest = _quote(connection, kind.pk_column)
        where = " AND ".join(f"{expression} ILIKE %s" for _term in terms)
        sql = f"SELECT {newest} FROM {_quote(connection, kind.table)} WHERE {where}"  # noqa: S608  names from the models
        params = [_like_pattern(term) for term in terms]
    if limit:
        sql += f" ORDER BY {newest} DESC LIMIT %s"
        params.append(limit)
    return sql, params
