"""The database's own index of each searchable kind, kept by the database on every write.

Why in the database: records are written by the ORM, by the bulk writer (raw SQL, no signals)
and by migrations; an index kept by Python would miss some of them. So:

- SQLite: an FTS5 table `search_fts_<table>` with the trigram tokenizer over the kind's columns,
  external content (the record's table holds the text; the index only its trigrams), kept by
  three triggers on the record's table (insert, delete, update of those columns).
- PostgreSQL: a GIN index `search_trgm_<table>` with gin_trgm_ops (pg_trgm, created by this
  app's migration) on one expression joining the kind's columns; ILIKE on that expression
  uses it. pg_trgm hashes CJK characters into trigrams like any letter.

Both need three characters. A term of one or two characters is served by a second index of the
same text cut into its single characters and pairs of characters (its "grams"), kept by the same
triggers (SQLite) or built on the same expression (PostgreSQL):

- SQLite: a contentless FTS5 table `search_gram_<table>` (unicode61 tokenizer, rowids only:
  detail=none) whose text is every character and every pair of adjacent characters of the
  kind's columns, separated by spaces. The triggers cut the text in SQL against a table of
  positions 1..`POSITIONS` (`search_positions`), so any writer with any SQLite keeps it (no
  function of ours is needed to write a row); characters after the `POSITIONS`th of a field are
  not cut. A term is looked up as one token, newest rowids first.
- PostgreSQL: a GIN index `search_gram_<table>` on `search_grams(<expression>)`, an immutable
  function (created here) giving the lower-cased characters and pairs as a text[]; a term is
  `@>` of that array, which the planner weighs with the index's statistics against walking the
  key newest first.

An old SQLite without FTS5 or the trigram tokenizer gets no index, and every term is matched by
a bounded scan (`selectors`).

`index_sync` runs after each migrate: it compares what exists with what the declarations ask
for (the SQL text of each object on SQLite, a signature in the index's comment on PostgreSQL),
creates what is missing or changed, fills it from the rows already there, and drops the indexes
of kinds no longer declared.
"""

import hashlib
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from zoneops.search.kinds import SearchKind, search_kinds

FTS_PREFIX = "search_fts_"
TRGM_PREFIX = "search_trgm_"
GRAM_PREFIX = "search_gram_"
# SQLite: the positions the triggers cut a field's text at (a field's characters past this are
# not in the gram index; no searchable field comes near it).
POSITIONS_TABLE = "search_positions"
POSITIONS = 10_000
# PostgreSQL: the function giving a text's characters and pairs of characters, lower-cased.
GRAMS_FUNCTION = "search_grams"
# PL/pgSQL: twice as fast as the same in SQL. What it computes is part of the gram index's
# signature (`_pg_statements`); how the planner prices it (`_GRAMS_FUNCTION_PRICE`) is not, so
# retuning the price does not rebuild the indexes.
_GRAMS_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {GRAMS_FUNCTION}(value text) RETURNS text[] "
    "LANGUAGE plpgsql IMMUTABLE STRICT AS $$ "
    "DECLARE t text := lower(value); grams text[] := string_to_array(t, NULL); "
    "BEGIN FOR i IN 1 .. length(t) - 1 LOOP grams := grams || substr(t, i, 2); END LOOP; "
    "RETURN grams; END $$"
)
# COST: computing the grams row by row while walking the key is dear, so that only a common
# character is found that way. PARALLEL RESTRICTED: the function runs in the leader only, so
# the planner cannot halve the walk's price with two workers; priced so, it walked all 500,000
# cases for a rare or absent character (90 ms, and the workers' start) where the gram index
# answers in a millisecond. (A GIN index is built by one process anyway.)
_GRAMS_FUNCTION_PRICE = f"ALTER FUNCTION {GRAMS_FUNCTION}(text) COST 400 PARALLEL RESTRICTED"
# A GIN index keeps new rows in a pending list that every search reads whole until a vacuum
# merges it; at the default 4 MB a bulk load (50,000 cases) leaves thousands of rows there and
# each search pays tens of ms. A small list is merged by the writes themselves, a page at a time.
_GIN_STORAGE = "WITH (gin_pending_list_limit = 128)"
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


def gram_table(kind: SearchKind) -> str:
    return GRAM_PREFIX + kind.table


def _sqlite_grams(values: list[str]) -> str:
    """SQL of the grams of one row: each character and each pair of adjacent characters of the
    values (column expressions), separated by spaces. Their order does not matter (detail=none);
    a pair across two fields or a line break holds a separator the tokenizer drops."""
    joined = " || char(31) || ".join(f"COALESCE({value}, '')" for value in values)
    return (
        "(SELECT group_concat(substr(v, n, 1) || ' ' || substr(v, n, 2), ' ') "  # nosec B608 # noqa: S608  names from the models
        # POSITIONS in the triggers' text: a change of it rebuilds the index (index_sync).
        f"FROM (SELECT {joined} AS v) JOIN {POSITIONS_TABLE} ON n <= min(length(v), {POSITIONS}))"
    )


def _sqlite_objects(connection: BaseDatabaseWrapper, kind: SearchKind) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the two FTS tables and their three triggers, in creation
    order."""
    fts, grams, table = fts_table(kind), gram_table(kind), kind.table
    columns = [_quote(connection, column) for column in kind.columns]
    pk = _quote(connection, kind.pk_column)
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    new_grams = _sqlite_grams([f"new.{column}" for column in columns])
    old_grams = _sqlite_grams([f"old.{column}" for column in columns])
    # Names from the models (no input reaches these statements).
    insert_new = (
        f"INSERT INTO {fts}(rowid, {names}) VALUES (new.{pk}, {new}); "  # nosec B608 # noqa: S608  names from the models
        f"INSERT INTO {grams}(rowid, grams) VALUES (new.{pk}, {new_grams});"
    )
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.{pk}, {old}); "  # nosec B608 # noqa: S608  names from the models
        # A contentless table forgets a row by being told its text again.
        f"INSERT INTO {grams}({grams}, rowid, grams) VALUES ('delete', old.{pk}, {old_grams});"
    )
    return [
        (
            fts,
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
            f"content_rowid='{kind.pk_column}', tokenize='trigram')",
        ),
        (
            grams,
            f"CREATE VIRTUAL TABLE {grams} USING fts5(grams, content='', detail=none, "
            "columnsize=0, tokenize='unicode61')",
        ),
        (f"{fts}_ai", f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END"),
        (f"{fts}_ad", f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END"),
        (
            f"{fts}_au",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} WHEN {changed} "
            f"BEGIN {delete_old} {insert_new} END",
        ),
    ]


def _sqlite_positions(cursor: Any) -> None:
    """The table of positions 1..POSITIONS the triggers cut text at, filled once."""
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {POSITIONS_TABLE} (n INTEGER PRIMARY KEY)")
    cursor.execute(f"SELECT COUNT(*) FROM {POSITIONS_TABLE}")  # nosec B608 # noqa: S608  a constant
    if cursor.fetchone()[0] != POSITIONS:
        cursor.execute(f"DELETE FROM {POSITIONS_TABLE}")  # nosec B608 # noqa: S608  a constant
        cursor.execute(
            f"INSERT INTO {POSITIONS_TABLE}(n) WITH RECURSIVE p(n) AS "  # nosec B608 # noqa: S608  constants
            f"(SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < {POSITIONS}) SELECT n FROM p"
        )


def _sqlite_sync(
    connection: BaseDatabaseWrapper, kinds: Iterable[SearchKind], rebuild: bool
) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND (name LIKE 'search\\_fts\\_%' ESCAPE '\\' "
            "OR name LIKE 'search\\_gram\\_%' ESCAPE '\\')"
        )
        existing = dict(cursor.fetchall())
        tables = set(connection.introspection.table_names(cursor))
        wanted: set[str] = set()
        synced = []
        _sqlite_positions(cursor)
        for kind in kinds:
            if kind.table not in tables:  # not migrated yet (a partial migrate)
                continue
            objects = _sqlite_objects(connection, kind)
            wanted.update(name for name, _sql in objects)
            if not rebuild and all(existing.get(name) == sql for name, sql in objects):
                continue
            fts, grams = fts_table(kind), gram_table(kind)
            for name, _sql in objects[2:]:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            cursor.execute(f"DROP TABLE IF EXISTS {grams}")
            for _name, sql in objects:
                cursor.execute(sql)
            # The rows written before the index existed (or while it was another shape).
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # nosec B608 # noqa: S608  names from the models
            columns = [
                f"{_quote(connection, kind.table)}.{_quote(connection, column)}"
                for column in kind.columns
            ]
            cursor.execute(
                f"INSERT INTO {grams}(rowid, grams) SELECT {_quote(connection, kind.pk_column)}, "  # nosec B608 # noqa: S608  names from the models
                f"{_sqlite_grams(columns)} FROM {_quote(connection, kind.table)}"
            )
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


def pg_expression(
    connection: BaseDatabaseWrapper, kind: SearchKind, *, qualified: bool = False
) -> str:
    """The searchable text of a row: its columns joined; the index and the query share it
    (`qualified`: the columns named with their table, for a query that joins others)."""
    table = f"{_quote(connection, kind.table)}." if qualified else ""
    parts = [f"COALESCE({table}{_quote(connection, column)}::text, '')" for column in kind.columns]
    return "(" + f" || {_SEPARATOR} || ".join(parts) + ")"


def gram_index(kind: SearchKind) -> str:
    return GRAM_PREFIX + kind.table


def pg_grams(connection: BaseDatabaseWrapper, kind: SearchKind, *, qualified: bool = False) -> str:
    """The grams of a row (text[]): the gram index's expression, which the query repeats."""
    return f"{GRAMS_FUNCTION}({pg_expression(connection, kind, qualified=qualified)})"


def _pg_statements(connection: BaseDatabaseWrapper, kind: SearchKind) -> list[tuple[str, str, str]]:
    """(name, CREATE INDEX, signature) of the kind's trigram index and its gram index."""
    table = _quote(connection, kind.table)
    trigram = (
        f"CREATE INDEX {trgm_index(kind)} ON {table} "
        f"USING gin ({pg_expression(connection, kind)} gin_trgm_ops) {_GIN_STORAGE}"
    )
    grams = (
        f"CREATE INDEX {gram_index(kind)} ON {table} "
        f"USING gin ({pg_grams(connection, kind)}) {_GIN_STORAGE}"
    )
    return [
        (trgm_index(kind), trigram, hashlib.sha256(trigram.encode()).hexdigest()[:16]),
        # The function's text is part of the index: a changed function rebuilds it.
        (
            gram_index(kind),
            grams,
            hashlib.sha256((grams + _GRAMS_FUNCTION_SQL).encode()).hexdigest()[:16],
        ),
    ]


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
            "WHERE c.relkind = 'i' AND n.nspname = current_schema() "
            "AND (c.relname LIKE %s OR c.relname LIKE %s)",
            [prefix.replace("_", "\\_") + "%" for prefix in (TRGM_PREFIX, GRAM_PREFIX)],
        )
        existing = dict(cursor.fetchall())
        tables = set(connection.introspection.table_names(cursor))
        cursor.execute(_GRAMS_FUNCTION_SQL)
        cursor.execute(_GRAMS_FUNCTION_PRICE)
        wanted, synced = set(), []
        for kind in kinds:
            if kind.table not in tables:
                continue
            built = False
            for name, sql, signature in _pg_statements(connection, kind):
                wanted.add(name)
                if not rebuild and existing.get(name) == signature:
                    continue
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
                cursor.execute(sql)
                cursor.execute(f"COMMENT ON INDEX {name} IS %s", [signature])
                built = True
            if built:
                # The statistics of the gram expression, by which the planner chooses between
                # the index (a rare pair) and the key newest first (a common character).
                cursor.execute(f"ANALYZE {_quote(connection, kind.table)}")
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
    """The tables whose kind has both its indexes (trigram and grams) in place now (one query);
    index_sync makes them together, so a kind with one only is treated as having none."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if not fts_trigram_available(using):
            return set()
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND sql LIKE 'CREATE VIRTUAL TABLE%%' "
            "AND (name LIKE %s ESCAPE '\\' OR name LIKE %s ESCAPE '\\')"
        )
        prefixes = (FTS_PREFIX, GRAM_PREFIX)
    elif connection.vendor == "postgresql":
        sql = (
            "SELECT relname FROM pg_class WHERE relkind = 'i' "
            "AND (relname LIKE %s OR relname LIKE %s)"
        )
        prefixes = (TRGM_PREFIX, GRAM_PREFIX)
    else:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix.replace("_", "\\_") + "%" for prefix in prefixes])
        names = {name for (name,) in cursor.fetchall()}
    first, second = prefixes
    return {
        name[len(first) :]
        for name in names
        if name.startswith(first) and second + name[len(first) :] in names
    }


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
        sql = f"SELECT rowid FROM {fts_table(kind)} WHERE {fts_table(kind)} MATCH %s"  # nosec B608 # noqa: S608  names from the models
        params: list[str | int] = [match]
        newest = "rowid"
    else:
        expression = pg_expression(connection, kind)
        newest = _quote(connection, kind.pk_column)
        where = " AND ".join(f"{expression} ILIKE %s" for _term in terms)
        sql = f"SELECT {newest} FROM {_quote(connection, kind.table)} WHERE {where}"  # nosec B608 # noqa: S608  names from the models
        params = [_like_pattern(term) for term in terms]
    if limit:
        sql += f" ORDER BY {newest} DESC LIMIT %s"
        params.append(limit)
    return sql, params


def gram_pieces(term: str) -> list[str]:
    """The runs of letters and digits of a short term: what the gram index holds of it (the
    tokenizer and the index drop punctuation and spaces). A term with none cannot use it."""
    pieces, run = [], ""
    for character in term:
        if unicodedata.category(character)[0] in "LN":
            run += character
        else:
            if run:
                pieces.append(run)
            run = ""
    if run:
        pieces.append(run)
    return pieces


def gram_condition(
    kind: SearchKind, terms: list[str], *, using: str = "default", limit: int = 0
) -> tuple[str, list[str | int], bool] | None:
    """A condition on the kind's table (SQL, params, exact) that its text holds every term (each
    one or two characters), by the gram index, or None when no term has a letter or digit.

    On SQLite the rows holding the terms are among those found, not exact (a term with
    punctuation finds its letters): the caller matches the terms on them; with `limit`, the
    newest `limit` only. On PostgreSQL the condition is exact (case aside, like ILIKE) and sits
    in the page's own query, so the planner weighs it, by the index's statistics, against
    walking the key newest first."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        pieces = list(dict.fromkeys(piece for term in terms for piece in gram_pieces(term)))
        if not pieces:
            return None
        grams = gram_table(kind)
        pk = f"{_quote(connection, kind.table)}.{_quote(connection, kind.pk_column)}"
        sql = f"{pk} IN (SELECT rowid FROM {grams} WHERE {grams} MATCH %s"  # nosec B608 # noqa: S608  names from the models
        params: list[str | int] = [" AND ".join(fts_phrase(piece) for piece in pieces)]
        if limit:
            sql += " ORDER BY rowid DESC LIMIT %s"
            params.append(limit)
        return sql + ")", params, False
    # Every character is a gram here: the condition holds each term whole. The strpos before
    # it is the same test, cheap (and no index's operator, so the trigram index does not offer
    # to serve it): where the planner walks the key newest first (it expects a term to be
    # common), the grams are worked out only for the rows that hold the terms, not for every
    # row (a rare or absent term had it compute them for the whole table).
    text = pg_expression(connection, kind, qualified=True)
    expression = pg_grams(connection, kind, qualified=True)
    wanted = ", ".join("lower(%s)" for _term in terms)
    holds = " AND ".join(f"strpos(lower({text}), lower(%s)) > 0" for _term in terms)
    return f"({holds} AND {expression} @> ARRAY[{wanted}]::text[])", [*terms, *terms], True
