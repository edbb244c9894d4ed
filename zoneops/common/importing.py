"""Registers in and out of Excel: export a template that imports back, preview, then write.

A register (`Register`: 招商项目, 月度调度, ... declared in each app's excel.py) lists its columns —
the Chinese header, the model field, the kind of value, whether it is required — and the key
column(s) that find the stored record, so that a re-import updates instead of duplicating.

- `Register.export` writes the records as a template (zoneops.common.excel): the same headers,
  drop-down lists for coded columns, the key column, a 版本号 column for safe re-imports.
- `import_preview` reads a workbook with python-calamine (the sheet and the columns found by
  their headers, in any order, extra columns ignored), checks every cell column by column,
  looks up coded values with one query per column, matches each row to its record by the key
  and tells what would be new, updated or unchanged, with every error by row and column. It
  writes nothing.
- `import_confirm` does the same again — the records may have changed since the preview — and,
  when nothing is wrong, writes everything in one transaction through the register's `write`.

`ImportBatch` keeps the uploaded file between the two steps (`import_batch_upload`,
`import_batch_confirm`). `bulk_insert` and `bulk_update` write many records with their history
rows and audit fields at the speed a 100,000-row workbook needs.
"""

import hashlib
import io
import json
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from operator import itemgetter
from typing import Any, ClassVar

import python_calamine
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import connection, models, transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from zoneops.common.amounts import STORED_DIGITS, Bound, bound_of
from zoneops.common.excel import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    MONTH,
    NO,
    TEXT,
    YES,
    RegisterColumn,
    unneutralise,
    write_register_workbook,
)
from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, TooLargeError
from zoneops.common.files import delete_on_commit, extension, original_name, random_name
from zoneops.common.inputs import DateKind, date_error, read_month, text_error
from zoneops.common.scope import (
    scope_filter,
    scope_for,
    scope_widening_field,
    widening_message,
)

CHOICE, LOOKUP = "choice", "lookup"
HEADER_SCAN_ROWS = 10  # the header row is looked for among the first rows of each sheet
MAX_COLUMNS = 100  # no register has half as many; a wider sheet is stray cells far away
MAX_SHEET_XML = 2**30  # a worksheet's XML, unpacked: far beyond the rows an import takes
SHOWN_ERRORS = 500  # errors kept for the preview page; the count is always complete
SHOWN_CHANGES = 50
QUERY_CHUNK = 900  # keys per `IN (...)` query that every database takes (see also `key_set`)
WRITE_CHUNK = 10_000  # rows per executemany

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "错"}
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)
_SPACES = re.compile(r"\s+")
_NUMBER_NOISE = str.maketrans("", "", ",，  \u3000")


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
                return RawSQL(f"SELECT unnest(%s::text[]::{sql_type}[])", [texts])  # noqa: S611
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


# --- Columns and lookups ---------------------------------------------------------------------


class Lookup:
    """How a coded column names a related record: by a natural key (a name), never by an id.

    One query per column resolves every value of the file; a value that names several records
    is an error that names the candidates. The records offered are those the user may see, plus
    those the file's stored records already point to (keeping a value is always allowed).
    """

    def __init__(self, model: str, *, field: str = "name", **filters: Any) -> None:
        self.model_label = model
        self.field = field
        self.filters = filters

    @cached_property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def queryset(self, *, user: Any, keep_ids: Iterable[int] = ()) -> models.QuerySet:
        """The records a cell may name: those of the lookup's filters that the user may see
        (no user: the system, which sees all), and those in `keep_ids` whatever they are."""
        wanted = Q(**self.filters)
        condition = scope_filter(self.model, scope_for(user)) if user is not None else None
        if condition is not None:
            wanted &= condition
        keep = set(keep_ids)
        if keep:
            wanted |= Q(pk__in=keep)
        queryset = self.model._default_manager.filter(wanted)
        # A filter through a many-to-many (a leader's roles) would repeat a record per match.
        return queryset.distinct() if any("__" in name for name in self.filters) else queryset

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        """Each text → the records it names, as (pk, label)."""
        found: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rows = self.queryset(user=user, keep_ids=keep_ids).filter(**{f"{self.field}__in": texts})
        for pk, value in rows.values_list("pk", self.field):
            found[value].append((pk, value))
        return found

    def options(self, *, user: Any, include_ids: Iterable[int] = ()) -> dict[int, str]:
        """pk → the label the template shows and the import reads back."""
        return self._labels(self.queryset(user=user, keep_ids=include_ids))

    def labels(self, ids: Iterable[int]) -> dict[int, str]:
        """The labels of these records, whoever may see them (for showing a change)."""
        rows = self.model._base_manager.filter(pk__in=list(ids))
        return self._labels(rows)

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        return {pk: str(value) for pk, value in queryset.values_list("pk", self.field)}


class UserLookup(Lookup):
    """A person by display name (张三), by user name, or as 张三（zhangsan） when names repeat."""

    _QUALIFIED = re.compile(r"^(.*?)\s*[（(]\s*([^（()）]+?)\s*[)）]$")

    def __init__(self, **filters: Any) -> None:
        super().__init__(settings.AUTH_USER_MODEL, field="username", **filters)

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        qualified = {
            text: match.group(2) for text in texts if (match := self._QUALIFIED.match(text))
        }
        usernames = set(texts) | set(qualified.values())
        rows = list(
            self.queryset(user=user, keep_ids=keep_ids)
            .filter(Q(username__in=usernames) | Q(display_name__in=texts))
            .values_list("pk", "username", "display_name")
        )
        by_username = {username: (pk, _person(name, username)) for pk, username, name in rows}
        by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, username, name in rows:
            by_name[name].append((pk, _person(name, username)))
        found: dict[str, list[tuple[int, str]]] = {}
        for text in texts:
            username = qualified.get(text, text)
            if username in by_username:
                found[text] = [by_username[username]]
            elif text in by_name:
                found[text] = by_name[text]
        return found

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        rows = list(queryset.values_list("pk", "username", "display_name"))
        names = [name for _pk, _username, name in rows]
        return {
            pk: name if name and names.count(name) == 1 else _person(name, username)
            for pk, username, name in rows
        }


def _person(name: str, username: str) -> str:
    return f"{name}（{username}）" if name else username


class DepartmentLookup(Lookup):
    """A department by name, or as 上级部门/部门 when two departments share a name."""

    def __init__(self, **filters: Any) -> None:
        super().__init__("orgs.Department", field="name", **filters)

    def resolve(
        self, texts: set[str], *, user: Any, keep_ids: Iterable[int] = ()
    ) -> dict[str, list[tuple[int, str]]]:
        paths = {text: re.split(r"\s*[/／]\s*", text) for text in texts}
        names = {parts[-1] for parts in paths.values()}
        rows = list(
            self.queryset(user=user, keep_ids=keep_ids)
            .filter(name__in=names)
            .values_list("pk", "name", "parent__name")
        )
        found: dict[str, list[tuple[int, str]]] = {}
        for text, parts in paths.items():
            matches = [
                (pk, f"{parent}/{name}" if parent else name)
                for pk, name, parent in rows
                if name == parts[-1] and (len(parts) == 1 or parent == parts[-2])
            ]
            if matches:
                found[text] = matches
        return found

    def _labels(self, queryset: models.QuerySet) -> dict[int, str]:
        rows = list(queryset.values_list("pk", "name", "parent__name"))
        names = [name for _pk, name, _parent in rows]
        return {
            pk: name if names.count(name) == 1 or not parent else f"{parent}/{name}"
            for pk, name, parent in rows
        }


@dataclass(frozen=True)
class Column:
    """A column of a register: its header and how a cell becomes a field's value.

    `field` is the model field the import writes ("" for a column the register reads itself,
    such as 登记日期); `source` is what the export and the comparison with the stored record
    read (a field, a `values()` path or an annotation of `Register.annotate`). Length, decimal
    places and what a blank cell means come from the model field.
    """

    header: str
    field: str = ""
    kind: str = TEXT
    required: bool = False
    choices: type[models.Choices] | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # more labels a choice accepts: (label, value)
    lookup: Lookup | None = None
    readonly: bool = False  # exported for reading; the import ignores it
    create_only: bool = False  # read when a record is created; must match a stored record
    keep_blank: bool = False  # a blank cell leaves a stored record's value as it is
    locked_hint: str = ""  # said when a create-only value differs from the stored one
    negative: bool = False  # numbers below zero allowed
    max_length: int | None = None
    places: int = 2
    bound: Bound | None = None  # the largest number (and its sentence); the field's by default
    source: str = ""
    dropdown: bool = True
    width: int = 14
    note: str = ""
    header_aliases: tuple[str, ...] = ()
    date_kind: DateKind | None = None  # a date's plausible range; else the model field's
    # Filled in by the register from the model field:
    name: str = ""  # the key of the value in a row: the field's attname, else the header
    empty: Any = None  # what a blank cell means
    multiline: bool = False  # a text that keeps line breaks (the field is a TextField)

    @property
    def cell_kind(self) -> str:
        """How the template writes the cell."""
        return TEXT if self.kind in (CHOICE, LOOKUP) else self.kind

    def label(self, value: Any) -> str:
        """A parsed value as the user typed it, for messages."""
        if value is None or value == "":
            return ""
        if self.choices is not None:
            return str(dict(self.choices.choices).get(value, value))
        if isinstance(value, bool):
            return YES if value else NO
        if self.kind == MONTH and isinstance(value, date):
            return f"{value:%Y-%m}"
        if isinstance(value, date):
            return value.isoformat()
        return str(value)


@dataclass(frozen=True)
class CellError:
    """A problem found in the file: the row as Excel numbers it, the column's header."""

    row: int
    column: str
    value: str
    message: str


@dataclass(slots=True)
class Existing:
    """A stored record that a row's key finds."""

    pk: int
    version: int
    visible: bool
    values: dict[str, Any]
    # The user may change it (reading it is not enough to update it through an import).
    writable: bool = True


@dataclass(slots=True)
class Row:
    number: int  # as Excel shows it
    values: dict[str, Any]  # column name → value; columns absent from the file are not here
    key: tuple[Any, ...] | None
    existing: Existing | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # column name → new value

    @property
    def is_new(self) -> bool:
        return self.existing is None


@dataclass
class Plan:
    """What an import would do: every row matched to its record, and every problem found."""

    register: "Register"
    sheet: str = ""
    header_row: int = 0
    columns: list[Column] = field(default_factory=list)  # the register's columns in the file
    ignored: list[str] = field(default_factory=list)  # headers the register does not know
    rows: list[Row] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""  # the stored records' versions the plan was made against
    labels: dict[tuple[str, int], str] = field(default_factory=dict)  # coded values shown
    checked: "CheckedCells | None" = field(default=None, repr=False)

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(CellError(row, str(column), _shown(value), str(message)))

    @property
    def new_rows(self) -> list[Row]:
        return [row for row in self.rows if row.existing is None]

    @property
    def changed_rows(self) -> list[Row]:
        return [row for row in self.rows if row.existing is not None and row.changes]

    @property
    def counts(self) -> dict[str, int]:
        new = sum(1 for row in self.rows if row.existing is None)
        updated = sum(1 for row in self.rows if row.existing is not None and row.changes)
        return {
            "rows": len(self.rows),
            "new": new,
            "updated": updated,
            "unchanged": len(self.rows) - new - updated,
            "errors": len(self.errors),
        }

    def attempt(self, row: Row, action: Callable[[], Any]) -> Any:
        """Run one row's service call in a savepoint; a refusal becomes the row's error."""
        try:
            with transaction.atomic():
                return action()
        except ApplicationError as error:
            self._service_error(row, error.field, error.message)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, messages in error.message_dict.items():
                    for message in messages:
                        self._service_error(row, name, message)
            else:
                for message in error.messages:
                    self._service_error(row, None, message)
        return None

    def _service_error(self, row: Row, field_name: str | None, message: str) -> None:
        column = self.register.column_for(field_name)
        value = column.label(row.values.get(column.name)) if column else ""
        self.error(row.number, column.header if column else "", value, message)

    def summary(self) -> dict[str, Any]:
        """What the preview page shows, small enough to keep with the batch."""
        headers = {column.name: column for column in self.register.columns}
        changes = []
        for row in self.changed_rows[:SHOWN_CHANGES]:
            assert row.existing is not None
            changes.append(
                {
                    "row": row.number,
                    "key": " ".join(_shown(part) for part in row.key or ()),
                    "fields": [
                        [
                            headers[name].header,
                            self.register.shown(headers[name], row.existing.values.get(name), self),
                            self.register.shown(headers[name], value, self),
                        ]
                        for name, value in row.changes.items()
                    ],
                }
            )
        return {
            "sheet": self.sheet,
            "counts": self.counts,
            "errors": [
                [error.row, error.column, error.value, error.message]
                for error in sorted(self.errors, key=lambda error: error.row)[:SHOWN_ERRORS]
            ],
            "ignored": self.ignored,
            "changes": changes,
            "written": self.written,
            "timings": {name: round(seconds, 3) for name, seconds in self.timings.items()},
            "fingerprint": self.fingerprint,
        }


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if not value.time() else value
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 100 else text[:99] + "…"


# --- Registers -------------------------------------------------------------------------------


class Register:
    """A list of records that goes in and out of Excel. Subclasses declare the columns and write
    through their app's services."""

    name: ClassVar[str]  # in URLs and in ImportBatch.register
    title: ClassVar[str | Promise]  # the sheet's name, e.g. 招商项目
    model: ClassVar[type[models.Model]]
    key: ClassVar[tuple[str, ...]]  # the headers of the columns that find the stored record
    blank_key_creates: ClassVar[bool] = False  # a row without a key is a new record
    allow_create: ClassVar[bool] = True  # False: every key must find a stored record
    version_header: ClassVar[Any] = gettext_lazy("版本号")
    guide: ClassVar[tuple[str | Promise, ...]] = ()  # lines of the template's 填写说明

    def __init__(self) -> None:
        # The headers are the file's format, the same whatever language the user reads.
        with translation.override(settings.LANGUAGE_CODE):
            self.columns: tuple[Column, ...] = tuple(
                self._bind(column) for column in self.declare_columns()
            )
            self.version_column = Column(
                header=str(self.version_header),
                kind=INTEGER,
                source="version",
                name="__version__",
                width=8,
                note=_("导出时的数据版本，用于发现导出后他人所做的修改；请勿修改。"),
            )
        self.key_columns = tuple(self.column(header) for header in self.key)

    # Declarations ---------------------------------------------------------------------------

    def declare_columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def annotate(self, queryset: models.QuerySet) -> models.QuerySet:
        """Annotations the columns' sources read (e.g. the registration date)."""
        return queryset

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset

    def permissions(self, user: Any) -> tuple[bool, bool]:
        """(may create, may update) records through an import; no user is the system (CLI)."""
        if user is None:
            return True, True
        meta = self.model._meta
        return (
            user.has_perm(f"{meta.app_label}.add_{meta.model_name}"),
            user.has_perm(f"{meta.app_label}.change_{meta.model_name}"),
        )

    def check(self, plan: Plan, *, user: Any) -> None:
        """The register's own rules across the columns of a row (after the cell checks)."""

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        """Write the plan's new and changed rows; errors go to `plan.errors` (the caller then
        rolls everything back)."""
        raise NotImplementedError

    dry_run: ClassVar[bool] = False  # the preview runs `write` and rolls it back

    # Columns -------------------------------------------------------------------------------

    def column(self, header: str) -> Column:
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(header)

    def column_for(self, field_name: str | None) -> Column | None:
        """The column a service's error names by its field."""
        if field_name in (None, "__all__"):
            return None
        if field_name == "version":
            return self.version_column
        for column in self.columns:
            if field_name in (column.field, column.name, column.source):
                return column
        return None

    @cached_property
    def importable(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if not column.readonly)

    def _bind(self, column: Column) -> Column:
        if not column.field:
            return replace(
                column,
                name=column.name or column.header,
                source=column.source,
                date_kind=column.date_kind or DateKind.RECORD,
            )
        model_field: Any = self.model._meta.get_field(column.field)
        kinds = getattr(self.model, "date_kinds", {})
        changes: dict[str, Any] = {
            "name": model_field.attname,
            "multiline": isinstance(model_field, models.TextField),
            "date_kind": column.date_kind or kinds.get(column.field, DateKind.RECORD),
        }
        changes["source"] = column.source or model_field.attname
        if column.max_length is None and getattr(model_field, "max_length", None):
            changes["max_length"] = model_field.max_length
        if isinstance(model_field, models.DecimalField):
            changes["places"] = model_field.decimal_places
        numeric = isinstance(model_field, models.DecimalField | models.IntegerField)
        if column.bound is None and numeric and column.kind in (DECIMAL, INTEGER):
            changes["bound"] = bound_of(model_field)
        if model_field.null or column.create_only or column.keep_blank:
            changes["empty"] = None  # a create-only value left blank is the register's to fill
        elif model_field.has_default():
            changes["empty"] = model_field.get_default()
        elif column.kind == TEXT or isinstance(model_field, models.CharField | models.TextField):
            changes["empty"] = ""
        return replace(column, **changes)

    # Export --------------------------------------------------------------------------------

    def template_columns(
        self, *, user: Any, labels: Mapping[str, Mapping[int, str]]
    ) -> list[RegisterColumn]:
        columns = []
        for column in (*self.columns, self.version_column):
            options: Sequence[str] = ()
            if column.dropdown and not column.readonly:
                if column.choices is not None:
                    options = [str(label) for label in column.choices.labels]
                elif column.lookup is not None and column.name in labels:
                    options = sorted(set(labels[column.name].values()))
            columns.append(
                RegisterColumn(
                    header=column.header,
                    kind=column.cell_kind,
                    width=column.width,
                    options=options,
                    required=column.required,
                    readonly=column.readonly,
                    note=str(column.note),
                )
            )
        return columns

    def values(self, queryset: models.QuerySet) -> models.QuerySet:
        """The stored values as the columns read them: what the export writes and what a
        re-import is compared with."""
        sources = {column.source for column in self.columns if column.source}
        return self.annotate(queryset).values("pk", "version", *sorted(sources))

    def export(self, queryset: models.QuerySet, *, user: Any) -> bytes:
        """The records as a template that imports back."""
        return self.export_records(list(self.values(self.export_queryset(queryset))), user=user)

    def export_records(self, records: list[dict[str, Any]], *, user: Any) -> bytes:
        """Rows as `values` reads them (or made up alike, e.g. blank rows to fill)."""
        labels = self.lookup_labels(records, user=user)
        return write_register_workbook(
            name=str(self.title),
            columns=self.template_columns(user=user, labels=labels),
            rows=(self.export_row(record, labels) for record in records),
            guide=[str(line) for line in self.guide],
        )

    def lookup_labels(
        self, records: Sequence[Mapping[str, Any]], *, user: Any
    ) -> dict[str, dict[int, str]]:
        """The label of every record a coded column may name: one query per column."""
        labels = {}
        for column in self.columns:
            if column.lookup is not None and column.source == column.name:
                used = {record[column.source] for record in records} - {None}
                labels[column.name] = column.lookup.options(user=user, include_ids=used)
        return labels

    def export_row(
        self, record: Mapping[str, Any], labels: Mapping[str, Mapping[int, str]]
    ) -> list:
        row: list[Any] = []
        for column in self.columns:
            value = record.get(column.source) if column.source else None
            if column.name in labels:
                value = labels[column.name].get(value) if value is not None else None
            elif column.choices is not None and value is not None:
                value = column.label(value)
            row.append(value)
        row.append(record.get("version"))
        return row

    def shown(self, column: Column, value: Any, plan: Plan) -> str:
        """A stored or imported value as the preview shows it."""
        if column.lookup is not None and isinstance(value, int):
            return plan.labels.get((column.name, value), str(value))
        return column.label(value)

    # Matching ------------------------------------------------------------------------------

    def load_existing(
        self, keys: Sequence[tuple[Any, ...]], *, user: Any, lock: bool
    ) -> dict[tuple[Any, ...], Existing]:
        """The stored records the keys find, whether or not the user may see them (a key
        taken by a record out of sight is an error, not a new record)."""
        sources = [column.source for column in self.key_columns]
        visible, writable = scope_flags(self.model, user)
        wanted = set(keys)
        firsts = sorted({key[0] for key in wanted})
        # A composite key (项目编号 + 月份) is looked up by each part, then matched exactly.
        others = {
            f"{source}__in": key_set(sorted({key[index] for key in wanted}))
            for index, source in enumerate(sources[1:], start=1)
        }
        found: dict[tuple[Any, ...], Existing] = {}
        chunk = 100_000
        for start in range(0, len(firsts), chunk):
            queryset = self.model._base_manager.filter(
                **{f"{sources[0]}__in": key_set(firsts[start : start + chunk])}, **others
            )
            if lock:
                queryset = queryset.select_for_update(of=("self",))
            rows = self.values(queryset).annotate(import_visible=visible, import_writable=writable)
            for record in rows:
                key = tuple(record[source] for source in sources)
                if key in wanted:
                    found[key] = Existing(
                        pk=record["pk"],
                        version=record["version"],
                        visible=record["import_visible"],
                        writable=record["import_writable"],
                        values={
                            column.name: record[column.source]
                            for column in self.columns
                            if column.source
                        },
                    )
        return found

    def unknown_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”在系统中不存在。") % {
            "column": self.key[0],
            "key": " ".join(_shown(part) for part in key),
        }

    def hidden_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”已被使用，且该记录不在您的数据范围内，不能更新。") % {
            "column": self.key[0],
            "key": " ".join(_shown(part) for part in key),
        }

    def read_only_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”的记录您可以查看但不能修改（不由您或您的部门负责）。") % {
            "column": self.key[0],
            "key": " ".join(_shown(part) for part in key),
        }

    def reason(self, filename: str) -> str:
        return _("Excel 导入：%(file)s") % {"file": filename} if filename else _("Excel 导入")


# --- Reading ---------------------------------------------------------------------------------


def _normal(header: Any) -> str:
    text = _SPACES.sub("", str(header or ""))
    return text.replace("(", "（").replace(")", "）").rstrip("*＊")


@dataclass
class Table:
    """The register's sheet as read: its columns' raw cells, blank rows left out."""

    sheet: str
    header_row: int  # as Excel numbers it
    columns: dict[str, list[Any]]  # column name → raw cells
    present: list[Column]
    numbers: list[int]  # each row's number as Excel shows it
    ignored: list[str]


_ROW_REF = re.compile(rb'<row r="(\d+)"')
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,})')  # a cell beyond column Z


def _sheet_extent(archive: zipfile.ZipFile, name: str) -> tuple[int, int] | None:
    """(last row, last column) of a worksheet's cells as its XML names them, read as a stream;
    None when the XML is larger than any sheet an import takes."""
    rows = columns = size = 0
    tail = b""
    with archive.open(name) as stream:
        while block := stream.read(1 << 22):
            size += len(block)
            if size > MAX_SHEET_XML:
                return None
            text = tail + block
            last = text.rfind(b'<row r="')
            if last >= 0 and (found := _ROW_REF.match(text, last)):
                rows = max(rows, int(found.group(1)))
            for letters in _WIDE_REF.findall(text):
                number = 0
                for letter in letters:
                    number = number * 26 + letter - 64
                columns = max(columns, number)
            tail = text[-32:]
    return rows, columns


def _workbook_problem(data: bytes) -> str | None:
    """Why the file cannot be read as a workbook, checked before calamine reads it: calamine
    lays out each sheet from its first to its last cell, and a stray cell at XFD1048576 would
    ask for hundreds of gigabytes and end the process."""
    unreadable = _("无法读取该文件：请上传 Excel 文件（.xlsx）。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return unreadable
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            return unreadable
        limit = getattr(settings, "ZONEOPS_IMPORT_MAX_ROWS", 200_000) + HEADER_SCAN_ROWS
        for name in names:
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                extent = _sheet_extent(archive, name)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return unreadable
            if extent is None or extent[0] > limit or extent[1] > MAX_COLUMNS:
                rows, columns = extent or (0, 0)
                return _(
                    "文件中的表格范围过大（%(rows)s 行、%(columns)s 列；一次最多导入 %(limit)s 行、"
                    "%(max_columns)s 列）：请删除表格中多余的行和列（包括远处只有格式或空格的"
                    "单元格），或分成几个文件导入。"
                ) % {
                    "rows": rows,
                    "columns": columns,
                    "limit": limit - HEADER_SCAN_ROWS,
                    "max_columns": MAX_COLUMNS,
                }
    return None


def read_table(register: Register, data: bytes, plan: Plan) -> Table | None:
    """Find the register's sheet and columns; None (with the reason in `plan.errors`) when the
    file cannot be used at all."""
    problem = _workbook_problem(data)
    if problem:
        plan.error(0, "", "", problem)
        return None
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # calamine raises its own errors, and OSError or ValueError on garbage
        plan.error(0, "", "", _("无法读取该文件：请上传 Excel 文件（.xlsx）。"))
        return None
    wanted: dict[str, Column] = {}
    for column in (*register.columns, register.version_column):
        for header in (column.header, *column.header_aliases):
            wanted[_normal(header)] = column
    best: tuple[int, Any, int, list[Any]] | None = None
    for meta in workbook.sheets_metadata:
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)  # parses the whole sheet: done once
        top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
        for index, cells in enumerate(top):
            found = sum(1 for cell in cells if _normal(cell) in wanted)
            if found and (best is None or found > best[0]):
                best = (found, sheet, index, cells)
    key_headers = "、".join(f"“{header}”" for header in register.key)
    if best is None or best[0] < min(2, len(register.columns)):
        plan.error(
            0,
            "",
            "",
            _("文件中没有找到%(register)s表：表头应有%(headers)s等列。")
            % {"register": register.title, "headers": key_headers},
        )
        return None
    _count, sheet, header_index, header_cells = best
    plan.sheet, plan.header_row = sheet.name, header_index + 1
    limit = getattr(settings, "ZONEOPS_IMPORT_MAX_ROWS", 200_000)
    if sheet.height - header_index - 1 > limit:
        plan.error(
            0,
            "",
            "",
            _("文件有 %(rows)s 行，一次最多导入 %(limit)s 行，请分成几个文件导入。")
            % {"rows": sheet.height - header_index - 1, "limit": limit},
        )
        return None
    positions: dict[str, int] = {}
    present: list[Column] = []
    ignored: list[str] = []
    for position, cell in enumerate(header_cells):
        found_column = wanted.get(_normal(cell))
        if found_column is None:
            if str(cell).strip():
                ignored.append(str(cell).strip())
            continue
        column = found_column
        if column.name in positions:
            plan.error(
                plan.header_row,
                column.header,
                cell,
                _("“%(column)s”列出现了两次。") % {"column": column.header},
            )
            continue
        if column.readonly:
            continue
        positions[column.name] = position
        present.append(column)
    for column in register.importable:
        if column.required and column.name not in positions:
            plan.error(
                plan.header_row,
                column.header,
                "",
                _("缺少必填列“%(column)s”。") % {"column": column.header},
            )
    if plan.errors:
        return None
    body = sheet.to_python(skip_empty_area=False)[header_index + 1 :]
    first = header_index + 2  # the first data row as Excel numbers it
    # A row with nothing in it is left out (`any` is false for "", None and 0: a row of zeros
    # is kept by the second look).
    numbers = [
        first + index
        for index, cells in enumerate(body)
        if any(cells) or any(cell is not None and cell != "" for cell in cells)
    ]
    if not numbers:
        plan.error(
            plan.header_row,
            "",
            "",
            _("“%(sheet)s”表只有表头，没有要导入的数据行：请在表头下方逐行填写后再导入。")
            % {"sheet": sheet.name},
        )
        return None
    if len(numbers) < len(body):
        body = [body[number - first] for number in numbers]
    names = list(positions)
    if len(names) == 1:
        position = positions[names[0]]
        raw = {names[0]: [cells[position] for cells in body]}
    elif names:
        picked = zip(*map(itemgetter(*positions.values()), body), strict=True)
        raw = {name: list(cells) for name, cells in zip(names, picked, strict=True)}
    else:
        raw = {}
    return Table(sheet.name, plan.header_row, raw, present, numbers, ignored)


# --- Checking cells, column by column -----------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text: numbers typed into a text column (codes, phone numbers) without ".0"."""
    if value.__class__ is str:
        text = value.strip()
        return unneutralise(text) if text.startswith("'") else text
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _check_text(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    values: list[Any] = []
    append = values.append
    limit = column.max_length or 0
    multiline = column.multiline
    for index, cell in enumerate(cells):
        if cell.__class__ is str:
            text = cell.strip()
            if text.startswith("'"):
                text = unneutralise(text)
        else:
            text = _text(cell)
        if not text:
            append(None)
            continue
        problem = text_error(text, multiline=multiline)
        if problem:
            plan.error(numbers[index], column.header, cell, problem)
            append(None)
            continue
        if limit and len(text) > limit:
            plan.error(
                numbers[index],
                column.header,
                cell,
                _("超过 %(limit)s 个字（现有 %(length)s 个字）。")
                % {"limit": limit, "length": len(text)},
            )
        append(text)
    return values


def _memoised(
    check: Callable[[Any], Any],
    cells: list[Any],
    numbers: list[int],
    on_error: Callable[[int, Any], None],
) -> list[Any]:
    """Check each distinct cell once: coded columns repeat a handful of values."""
    memo: dict[Any, Any] = {}
    values: list[Any] = []
    append = values.append
    for index, cell in enumerate(cells):
        try:
            value = memo[cell]
        except KeyError:
            value = memo[cell] = check(cell)
        if value is _WRONG:
            on_error(index, cell)
            value = None
        append(value)
    return values


_WRONG = object()  # a cell that is not a value of its column


def _number(cell: Any) -> Decimal | None:
    """A cell as a number, or None when it is not one (text with thousands separators is)."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    try:
        number = Decimal(str(cell).translate(_NUMBER_NOISE))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_decimal(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    values: list[Any] = []
    append = values.append
    places = column.places
    quantum = Decimal(1).scaleb(-places)
    integer = column.kind == INTEGER
    bound = column.bound or Bound(
        name=column.header, maximum=Decimal(10) ** (STORED_DIGITS - places) - quantum
    )
    maximum, too_big = bound.maximum, bound.too_big().replace("%", "%%")
    float_maximum = float(maximum)
    negative = column.negative
    header = column.header

    def wrong(index: int, cell: Any, message: str) -> None:
        shown = {"value": _shown(cell), "places": places}
        plan.error(numbers[index], header, cell, message % shown)

    for index, cell in enumerate(cells):
        if cell.__class__ is float and not integer:
            # The common case, a number cell: checked as a float, made exact once.
            # (Rounded first: Excel's 10000000.000000002 is the bound itself.)
            if cell != cell or abs(round(cell, places)) > float_maximum:
                wrong(
                    index,
                    cell,
                    too_big if cell == cell else _("“%(value)s”不是有效的数字。"),
                )
                append(None)
                continue
            if cell < 0 and not negative:
                wrong(index, cell, _("“%(value)s”不能为负数。"))
            rounded = round(cell, places)
            # Excel's floating point gives 0.30000000000000004 for 0.1 + 0.2: such noise is
            # rounded away; real extra decimals are refused, as the form would.
            if abs(cell - rounded) > 1e-9 * max(1.0, abs(cell)):
                wrong(index, cell, _("“%(value)s”最多保留 %(places)s 位小数。"))
            append(Decimal(repr(rounded)).quantize(quantum))
            continue
        if cell is None or cell == "" or (cell.__class__ is str and not cell.strip()):
            append(None)
            continue
        number = _number(cell)
        if number is None:
            wrong(index, cell, _("“%(value)s”不是有效的数字。"))
            append(None)
            continue
        if abs(number) > maximum:
            wrong(index, cell, too_big)
            append(None)
            continue
        if number < 0 and not negative:
            wrong(index, cell, _("“%(value)s”不能为负数。"))
        if integer:
            if number != number.to_integral_value():
                wrong(index, cell, _("“%(value)s”应为整数。"))
            append(int(number))
            continue
        rounded_number = number.quantize(quantum)
        if rounded_number != number:
            wrong(index, cell, _("“%(value)s”最多保留 %(places)s 位小数。"))
        append(rounded_number)
    return values


def _date(cell: Any) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 1 <= cell < 2958466:  # an Excel serial day number (1900 system)
            return _EXCEL_EPOCH + timedelta(days=int(cell))
        return None
    text = _SPACES.sub("", str(cell))
    match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _check_date(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    return _check_day(
        column,
        cells,
        numbers,
        plan,
        parse=_date,
        invalid=_("“%(value)s”不是有效的日期，请填写如 2019-10-01、2019/10/1 或 2019年10月1日。"),
    )


def _check_day(
    column: Column,
    cells: list[Any],
    numbers: list[int],
    plan: Plan,
    *,
    parse: Callable[[Any], date | None],
    invalid: str,
) -> list[Any]:
    """A date-like column (a day, a month): each distinct cell parsed once, then held to the
    column's range of dates (common.inputs); a cell that is no date says how to write one."""
    kind, today = column.date_kind or DateKind.RECORD, timezone.localdate()
    out_of_range: dict[Any, str] = {}

    def day(cell: Any) -> Any:
        if _blank(cell):
            return None
        value = parse(cell)
        if value is None:
            return _WRONG
        problem = date_error(value, kind, today=today)
        if problem:
            out_of_range[cell] = problem
            return _WRONG
        return value

    def wrong(index: int, cell: Any) -> None:
        message = out_of_range.get(cell) or invalid % {"value": _shown(cell)}
        plan.error(numbers[index], column.header, cell, message)

    return _memoised(day, cells, numbers, wrong)


def _widening_change(
    register: "Register", record: Existing, row: Row, user: Any
) -> tuple[Column, str] | None:
    """A change naming the importer (or his departments) as the record's owner, where he does
    not keep the record by its own fields: the same rule as an edit (common.scope)."""
    if user is None:
        return None
    columns = {column.name: column for column in register.columns}
    new_values = {
        name.removesuffix("_id"): value
        for name, value in row.changes.items()
        if name.endswith("_id") and columns.get(name) is not None
    }
    field = (
        scope_widening_field(user, register.model, record.pk, new_values) if new_values else None
    )
    if field is None:
        return None
    return columns[f"{field}_id"], widening_message(register.model, field)


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (cell.__class__ is str and not cell.strip())


def _month(cell: Any) -> date | None:
    """A month's cell: its text (`read_month`), or a day in the month; its range is the
    column's (`_check_day`)."""
    if isinstance(cell, str) and (month := read_month(cell)):
        return month
    day = _date(cell)
    return day.replace(day=1) if day else None


def _check_month(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    return _check_day(
        column,
        cells,
        numbers,
        plan,
        parse=_month,
        invalid=_("“%(value)s”不是有效的月份，请填写如 2019-10 或 2019年10月。"),
    )


def _check_boolean(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    def wrong(index: int, cell: Any) -> None:
        plan.error(
            numbers[index],
            column.header,
            cell,
            _("“%(value)s”不是“是”或“否”。") % {"value": _shown(cell)},
        )

    def boolean(cell: Any) -> Any:
        text = _text(cell).lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        return False if text in _FALSE else _WRONG

    return _memoised(boolean, cells, numbers, wrong)


def _check_choice(column: Column, cells: list[Any], numbers: list[int], plan: Plan) -> list[Any]:
    assert column.choices is not None
    accepted: dict[str, Any] = {}
    for value, label in column.choices.choices:
        accepted[str(value).lower()] = value
        accepted[_normal(label).lower()] = value
    for label, value in column.aliases:
        accepted[_normal(label).lower()] = value
    labels = "、".join(str(label) for label in column.choices.labels)

    def wrong(index: int, cell: Any) -> None:
        plan.error(
            numbers[index],
            column.header,
            cell,
            _("“%(value)s”不是可选的值，可选：%(labels)s。")
            % {"value": _shown(cell), "labels": labels},
        )

    def choice(cell: Any) -> Any:
        text = _text(cell)
        return accepted.get(_normal(text).lower(), _WRONG) if text else None

    return _memoised(choice, cells, numbers, wrong)


CHECKS: dict[str, Callable[[Column, list[Any], list[int], Plan], list[Any]]] = {
    TEXT: _check_text,
    LOOKUP: _check_text,  # resolved once the stored records are known
    INTEGER: _check_decimal,
    DECIMAL: _check_decimal,
    DATE: _check_date,
    MONTH: _check_month,
    BOOLEAN: _check_boolean,
    CHOICE: _check_choice,
}


# --- Preview and confirm -----------------------------------------------------------------------


@dataclass
class CheckedCells:
    """The workbook's cells checked, before any stored record is looked at: all that the file
    alone decides, kept from the preview for the confirmation (`import_batch_upload`)."""

    table: Table
    values: dict[str, list[Any]]  # column name → values (None for a blank cell)
    versions: list[Any] | None


def _check_cells(register: Register, data: bytes, plan: Plan) -> CheckedCells | None:
    started = time.perf_counter()
    table = read_table(register, data, plan)
    plan.timings["read"] = time.perf_counter() - started
    if table is None:
        return None
    started = time.perf_counter()
    plan.columns = table.present
    plan.ignored = table.ignored
    values: dict[str, list[Any]] = {}
    versions = None
    for column in table.present:
        cells = table.columns[column.name]
        if column is register.version_column:
            versions = _check_decimal(column, cells, table.numbers, plan)
            continue
        checked = CHECKS[column.kind](column, cells, table.numbers, plan)
        if column.required:
            for index, value in enumerate(checked):
                if value is None and (cells[index] is None or not _text(cells[index])):
                    plan.error(
                        table.numbers[index],
                        column.header,
                        "",
                        _("“%(column)s”为必填项。") % {"column": column.header},
                    )
        values[column.name] = checked
    plan.columns = [column for column in table.present if column is not register.version_column]
    plan.timings["cells"] = time.perf_counter() - started
    plan.checked = CheckedCells(table, values, versions)
    return plan.checked


def _match(register: Register, checked: CheckedCells, plan: Plan, *, user: Any, lock: bool) -> None:
    """Match the rows to the stored records, resolve coded values, tell what would change."""
    started = time.perf_counter()
    values, numbers = dict(checked.values), checked.table.numbers  # the checked cells stay as read
    keys = _keys(register, values, numbers, plan)
    existing = (
        register.load_existing(list({key for key in keys if key}), user=user, lock=lock)
        if any(keys)
        else {}
    )
    plan.fingerprint = hashlib.sha256(
        repr(sorted((record.pk, record.version) for record in existing.values())).encode()
    ).hexdigest()
    for column in plan.columns:
        if column.lookup is not None:
            values[column.name] = _resolve(
                column, values[column.name], numbers, existing, plan, user
            )
    names, columns = [], []
    for column in plan.columns:
        cells = values[column.name]
        if column.empty is not None:  # a blank cell means the field's empty value
            cells = [column.empty if value is None else value for value in cells]
        names.append(column.name)
        columns.append(cells)
    rows_values = (
        [dict(zip(names, cells, strict=True)) for cells in zip(*columns, strict=True)]
        if columns
        else [{} for _number in numbers]
    )
    may_create, may_update = register.permissions(user)
    compared = [
        column
        for column in plan.columns
        if column.field and not column.create_only and column not in register.key_columns
    ]
    locked = [column for column in plan.columns if column.create_only]
    first = register.key_columns[0]
    for index, row_values in enumerate(rows_values):
        key = keys[index]
        row = Row(number=numbers[index], values=row_values, key=key)
        record = existing.get(key) if key is not None else None
        if record is None:
            if key is None and not register.blank_key_creates:
                continue  # the key's cells say what is wrong
            if not register.allow_create:
                plan.error(
                    row.number,
                    first.header,
                    _key_text(key),
                    register.unknown_key_message(key or ()),
                )
            elif not may_create:
                plan.error(
                    row.number,
                    first.header,
                    _key_text(key),
                    _("您没有新增%(register)s的权限。") % {"register": register.title},
                )
            plan.rows.append(row)
            continue
        row.existing = record
        plan.rows.append(row)
        if not record.visible:
            plan.error(
                row.number, first.header, _key_text(key), register.hidden_key_message(key or ())
            )
            continue
        stored = record.values
        row.changes = {
            column.name: row_values[column.name]
            for column in compared
            if row_values[column.name] != stored.get(column.name)
            and not (_empty(row_values[column.name]) and _empty(stored.get(column.name)))
            and not (column.keep_blank and row_values[column.name] is None)
        }
        for column in locked:
            value = row_values[column.name]
            if value is not None and value != stored.get(column.name):
                shown = register.shown(column, stored.get(column.name), plan)
                plan.error(
                    row.number,
                    column.header,
                    register.shown(column, value, plan),
                    _("“%(column)s”只在新登记时填写，不能通过导入修改（现为“%(stored)s”）。")
                    % {"column": column.header, "stored": shown}
                    + str(column.locked_hint),
                )
        if not row.changes:
            continue
        version = checked.versions[index] if checked.versions is not None else None
        widening = _widening_change(register, record, row, user)
        if not record.writable:
            plan.error(
                row.number, first.header, _key_text(key), register.read_only_key_message(key or ())
            )
        elif widening is not None:
            column, message = widening
            plan.error(
                row.number,
                column.header,
                register.shown(column, row.changes[column.name], plan),
                message,
            )
        elif not may_update:
            plan.error(
                row.number,
                first.header,
                _key_text(key),
                _("您没有修改%(register)s的权限。") % {"register": register.title},
            )
        elif version is not None and version != record.version:
            plan.error(
                row.number,
                register.version_column.header,
                version,
                _("该记录在导出后已被他人修改（现为第 %(current)s 版），请重新导出后再修改。")
                % {"current": record.version},
            )
    register.check(plan, user=user)
    _remember_labels(register, plan)
    plan.timings["match"] = time.perf_counter() - started


def _empty(value: Any) -> bool:
    return value is None or value == ""


def _key_text(key: tuple[Any, ...] | None) -> str:
    return " ".join(_shown(part) for part in key or ())


def _keys(
    register: Register, values: dict[str, list[Any]], numbers: list[int], plan: Plan
) -> list[tuple[Any, ...] | None]:
    """Each row's key (None when a part is blank or wrong); a key met twice is an error."""
    parts = [values.get(column.name) for column in register.key_columns]
    if any(part is None for part in parts):
        return [None] * len(numbers)  # a key column is missing: reported with the columns
    keys: list[tuple[Any, ...] | None] = [
        None if None in key else key
        for key in zip(*parts, strict=True)  # type: ignore[arg-type]
    ]
    seen: dict[tuple[Any, ...], int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in seen:
            plan.error(
                numbers[index],
                register.key_columns[0].header,
                _key_text(key),
                _("%(column)s“%(key)s”与第 %(row)s 行重复。")
                % {"column": register.key[0], "key": _key_text(key), "row": seen[key]},
            )
            keys[index] = None
        else:
            seen[key] = numbers[index]
    return keys


def _resolve(
    column: Column,
    texts: list[Any],
    numbers: list[int],
    existing: Mapping[tuple[Any, ...], Existing],
    plan: Plan,
    user: Any,
) -> list[Any]:
    """A coded column's texts → the records' ids: one query for the whole column."""
    assert column.lookup is not None
    wanted = {text for text in texts if text is not None}
    if not wanted:
        return texts
    keep = {record.values.get(column.name) for record in existing.values()}
    keep_ids = {pk for pk in keep if isinstance(pk, int)}
    found = column.lookup.resolve(wanted, user=user, keep_ids=keep_ids)
    resolved: list[Any] = []
    for index, text in enumerate(texts):
        matches = found.get(text, []) if text is not None else []
        if text is None or len(matches) == 1:
            resolved.append(matches[0][0] if matches else None)
            continue
        if not matches:
            message = _("找不到%(column)s“%(value)s”，请从下拉列表中选择。") % {
                "column": column.header,
                "value": text,
            }
        else:
            message = _("“%(value)s”对应多条记录：%(candidates)s，请改填其中之一。") % {
                "value": text,
                "candidates": "、".join(label for _pk, label in matches),
            }
        plan.error(numbers[index], column.header, text, message)
        resolved.append(None)
    return resolved


def _remember_labels(register: Register, plan: Plan) -> None:
    """The labels of the coded values the preview shows as changed (one query per column)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in plan.changed_rows[:SHOWN_CHANGES]:
        assert row.existing is not None
        for name, value in row.changes.items():
            wanted[name].update(
                pk for pk in (value, row.existing.values.get(name)) if isinstance(pk, int)
            )
    for column in plan.columns:
        if column.lookup is not None and wanted.get(column.name):
            for pk, label in column.lookup.labels(wanted[column.name]).items():
                plan.labels[(column.name, pk)] = label


def import_preview(*, register: Register, data: bytes, user: Any) -> Plan:
    """What importing the workbook would do, with every error by row and column. Writes nothing."""
    plan = Plan(register=register)
    checked = _check_cells(register, data, plan)
    if checked is None:
        return plan
    if register.dry_run:
        # The register writes row by row through services that hold rules of their own: the
        # preview runs them and rolls everything back, so it reports what they would refuse.
        with transaction.atomic():
            _match(register, checked, plan, user=user, lock=False)
            if not plan.errors:
                started = time.perf_counter()
                register.write(plan, by=user, reason="")
                plan.timings["write"] = time.perf_counter() - started
            transaction.set_rollback(True)
        plan.written = {}
        return plan
    _match(register, checked, plan, user=user, lock=False)
    return plan


def import_confirm(
    *,
    register: Register,
    data: bytes,
    user: Any,
    reason: str = "",
    checked: CheckedCells | None = None,
    fingerprint: str = "",
) -> Plan:
    """Check again and, when nothing is wrong, write every row in one transaction. `checked`
    are the cells the preview read from the same file (the file has not changed, so only what
    depends on the stored records is checked again); `fingerprint` is the preview's: when a
    record the file names has changed since, nothing is written and the file must be previewed
    again, so that no one's edit is overwritten unseen."""
    plan = Plan(register=register)
    if checked is None:
        checked = _check_cells(register, data, plan)
        if checked is None:
            return plan
    else:
        plan.sheet, plan.header_row = checked.table.sheet, checked.table.header_row
        plan.ignored = checked.table.ignored
        plan.columns = [c for c in checked.table.present if c is not register.version_column]
        plan.checked = checked
    with transaction.atomic():
        _match(register, checked, plan, user=user, lock=True)
        if fingerprint and fingerprint != plan.fingerprint and not plan.errors:
            plan.error(
                0,
                "",
                "",
                _("文件中的部分记录在预览之后被修改过，请重新上传，看过新的预览后再确认。"),
            )
        if plan.errors:
            return plan
        started = time.perf_counter()
        register.write(plan, by=user, reason=reason or register.reason(""))
        plan.timings["write"] = time.perf_counter() - started
        if plan.errors:
            transaction.set_rollback(True)
            plan.written = {}
    return plan


# --- Keeping the checked cells between the preview and the confirmation ------------------------

CELLS_FORMAT = 1


def _cells_signature(register: Register, data: bytes) -> str:
    """The file and the register's columns: kept cells are used only for both unchanged."""
    columns = [(c.name, c.kind, c.header) for c in (*register.columns, register.version_column)]
    digest = hashlib.sha256(repr((CELLS_FORMAT, register.name, columns)).encode())
    digest.update(data)
    return digest.hexdigest()


def cells_dump(register: Register, checked: CheckedCells, data: bytes) -> bytes:
    """The checked cells as JSON (decimals and dates as text)."""
    kinds = {column.name: column.kind for column in checked.table.present}
    values = {}
    for name, column_values in checked.values.items():
        if kinds[name] == DECIMAL:
            values[name] = [None if v is None else str(v) for v in column_values]
        elif kinds[name] in (DATE, MONTH):
            values[name] = [None if v is None else v.isoformat() for v in column_values]
        else:
            values[name] = column_values
    table = checked.table
    payload = {
        "signature": _cells_signature(register, data),
        "sheet": table.sheet,
        "header_row": table.header_row,
        "present": [column.name for column in table.present],
        "ignored": table.ignored,
        "numbers": table.numbers,
        "values": values,
        "versions": checked.versions,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def cells_load(register: Register, content: bytes, data: bytes) -> CheckedCells | None:
    """The cells `cells_dump` kept, or None when they are not those of this file and register."""
    try:
        payload = json.loads(content)
    except ValueError:
        return None
    if payload.get("signature") != _cells_signature(register, data):
        return None
    by_name = {column.name: column for column in (*register.columns, register.version_column)}
    present = [by_name[name] for name in payload["present"]]
    values: dict[str, list[Any]] = {}
    for name, column_values in payload["values"].items():
        kind = by_name[name].kind
        if kind == DECIMAL:
            values[name] = [None if v is None else Decimal(v) for v in column_values]
        elif kind in (DATE, MONTH):
            values[name] = [None if v is None else date.fromisoformat(v) for v in column_values]
        else:
            values[name] = column_values
    table = Table(
        payload["sheet"], payload["header_row"], {}, present, payload["numbers"], payload["ignored"]
    )
    return CheckedCells(table, values, payload["versions"])


# --- Import batches: the uploaded file between the preview and the confirmation ---------------


# The workbooks the importer reads (the sheet's XML is checked before python-calamine opens it).
WORKBOOK_EXTENSIONS = ("xlsx", "xlsm")
# How long a preview that nobody confirms keeps its file (removed at a later upload).
PREVIEW_KEPT = timedelta(hours=24)


def _check_upload(*, filename: str, size: int) -> None:
    """An uploaded workbook's name and size, checked before it is read: a file over the limit
    (ZONEOPS_IMPORT_MAX_BYTES) is refused (413 at the API) without loading it."""
    problem = text_error(filename)
    if problem:
        raise ApplicationError(
            _("文件名中含有特殊字符（如换行符或看不见的控制字符），请将文件重命名后再上传。"),
            field="file",
        )
    if extension(filename) not in WORKBOOK_EXTENSIONS:
        raise ApplicationError(
            _("只能导入 Excel 文件（%(kinds)s）。")
            % {"kinds": "、".join(f".{kind}" for kind in WORKBOOK_EXTENSIONS)},
            field="file",
        )
    limit = settings.ZONEOPS_IMPORT_MAX_BYTES
    if size > limit:
        raise TooLargeError(
            _("文件过大（%(size)s MB），请分批导入，每个文件不超过 %(limit)s MB。")
            % {"size": round(size / 2**20, 1), "limit": limit // 2**20},
            field="file",
        )
    if not size:
        raise ApplicationError(_("文件是空的：请上传填写好的 Excel 文件（.xlsx）。"), field="file")


def import_batch_upload(*, register: Register, filename: str, data: bytes | File, by: Any) -> Any:
    """Keep the uploaded workbook with its preview; nothing else is written.

    Who may import comes first; then a file that is not a workbook of the register (its name,
    its size, its content) is refused and nothing is kept — an upload (`data` as the File the
    edge received) over the limit without being read; a workbook whose rows have errors keeps
    its preview, not the file.
    """
    from zoneops.common.models import ImportBatch

    created, updated = register.permissions(by)
    if not (created or updated):
        raise PermissionDeniedError()
    _check_upload(filename=filename, size=len(data) if isinstance(data, bytes) else data.size)
    if not isinstance(data, bytes):
        data = data.read()
    plan = import_preview(register=register, data=data, user=by)
    if plan.checked is None:  # not a workbook, or not this register's: nothing to preview
        raise ApplicationError(" ".join(error.message for error in plan.errors), field="file")
    import_batches_expire(before=timezone.now() - PREVIEW_KEPT)
    batch = ImportBatch(
        register=register.name,
        filename=original_name(filename),
        uploaded_by=by if getattr(by, "pk", None) else None,
        summary=plan.summary(),
    )
    if not plan.errors:
        batch.file.save(random_name(filename), ContentFile(data), save=False)
        # The confirmation then checks only what depends on the stored records.
        batch.file.storage.save(
            _cells_name(batch), ContentFile(cells_dump(register, plan.checked, data))
        )
    batch.save()
    return batch


def import_batches_expire(*, before: datetime) -> int:
    """Drop the files of previews uploaded before `before` and never confirmed; their batches
    stay, with their summary, and can no longer be confirmed. How many were dropped."""
    from zoneops.common.models import ImportBatch

    stale = ImportBatch.objects.filter(
        status=ImportBatch.Status.PREVIEWED, uploaded_at__lt=before
    ).exclude(file="")
    dropped = list(stale.values_list("pk", "file"))
    if not dropped:
        return 0
    ImportBatch.objects.filter(pk__in=[pk for pk, _name in dropped]).update(file="")
    delete_on_commit(
        ImportBatch._meta.get_field("file").storage,  # type: ignore[attr-defined]
        [stored for _pk, name in dropped for stored in (name, f"{name}.cells.json")],
    )
    return len(dropped)


def _cells_name(batch: Any) -> str:
    return f"{batch.file.name}.cells.json"


class ImportRefusedError(ApplicationError):
    """A confirmation that found errors (the file's own, or records changed since the preview):
    nothing was written. `plan` holds every error; `errors` the first ones, by row and column."""

    def __init__(self, errors: list[CellError], *, count: int | None = None) -> None:
        ordered = sorted(errors, key=lambda error: error.row)
        count = len(ordered) if count is None else count
        if count == 1 and ordered:
            reason = _where(ordered[0]) + ordered[0].message
        else:
            reason = _("文件中有 %(count)s 处错误，请改正后重新上传。") % {"count": count}
        super().__init__(
            _("没有导入，未写入任何数据。%(reason)s") % {"reason": reason},
            field="file",
            code="import_refused",
            errors=[
                {
                    "field": "file",
                    "row": error.row or None,
                    "column": error.column or None,
                    "value": error.value,
                    "message": error.message,
                }
                for error in ordered[:SHOWN_ERRORS]
            ],
        )


def _where(error: CellError) -> str:
    if not error.row:
        return ""
    if not error.column:
        return _("第%(row)s行：") % {"row": error.row}
    return _("第%(row)s行“%(column)s”：") % {"row": error.row, "column": error.column}


def import_batch_confirm(*, batch: Any, register: Register, by: Any) -> Plan:
    """Write the batch's workbook, checked again; a batch is imported once. With errors it
    raises ImportRefusedError and writes no record; the batch keeps the errors for its page."""
    from zoneops.common.models import ImportBatch

    if batch.uploaded_by_id != getattr(by, "pk", None):
        raise PermissionDeniedError()
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ApplicationError(_("该文件已经导入过了。"), code="imported")
    if not batch.file:
        count = batch.summary.get("counts", {}).get("errors")
        if count:  # a preview with errors keeps its reasons, not the file
            kept = [CellError(*error) for error in batch.summary.get("errors", [])]
            raise ImportRefusedError(kept, count=count)
        raise ApplicationError(
            _("没有导入：预览已过期，请重新上传文件。"), field="file", code="not_kept"
        )
    started = time.perf_counter()
    with batch.file.open("rb") as handle:
        data = handle.read()
    storage, cells_name = batch.file.storage, _cells_name(batch)
    checked = None
    if storage.exists(cells_name):
        with storage.open(cells_name, "rb") as handle:
            checked = cells_load(register, handle.read(), data)
    loaded = time.perf_counter() - started
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEWED:
            raise ApplicationError(_("该文件已经导入过了。"), code="imported")
        plan = import_confirm(
            register=register,
            data=data,
            user=by,
            reason=register.reason(batch.filename),
            checked=checked,
            fingerprint=batch.summary.get("fingerprint", ""),
        )
        if checked is not None:
            plan.timings = {"load": loaded, **plan.timings}
        locked.summary = plan.summary()
        if not plan.errors:
            locked.status = ImportBatch.Status.IMPORTED
            locked.imported_at = timezone.now()
        locked.save(update_fields=["summary", "status", "imported_at"])
    batch.refresh_from_db()
    if plan.errors:
        raise ImportRefusedError(plan.errors)
    if storage.exists(cells_name):
        storage.delete(cells_name)
    return plan


# --- Writing many records at once, with their history rows -------------------------------------


def _converter(model_field: models.Field) -> Callable[[Any], Any] | None:
    """How a value becomes the database's; None when it goes as it is."""
    ops = connection.ops
    kind = model_field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField", "BooleanField") or model_field.is_relation:
        return None
    if kind.endswith("IntegerField") or kind.endswith("AutoField"):
        return None
    if kind == "DecimalField":
        digits, places = model_field.max_digits, model_field.decimal_places  # type: ignore[attr-defined]
        return lambda value: ops.adapt_decimalfield_value(value, digits, places)
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    return lambda value: model_field.get_db_prep_save(value, connection)


def _is_business(model: type[models.Model]) -> bool:
    from zoneops.common.models import BusinessModel

    return issubclass(model, BusinessModel)


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


def _columns(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    by_id: int | None,
    now: datetime,
) -> dict[str, Values]:
    """Every concrete field's database values, column by column: the rows' own values, else the
    audit fields, else the field's default."""
    count = len(rows)
    provided = set(rows[0]) if rows else set()
    business = _is_business(model)
    columns: dict[str, Values] = {}
    for model_field in model._meta.concrete_fields:
        attname = model_field.attname
        if model_field is model._meta.auto_field and attname not in provided:
            continue
        convert = _converter(model_field)
        auto_now = getattr(model_field, "auto_now", False)
        if attname in provided and not auto_now:
            values = [row[attname] for row in rows]
            columns[attname] = [convert(v) for v in values] if convert else values
            continue
        if auto_now or getattr(model_field, "auto_now_add", False):
            constant: Any = now if isinstance(model_field, models.DateTimeField) else now.date()
        elif business and attname in ("created_by_id", "updated_by_id"):
            constant = by_id
        elif business and attname == "version":
            constant = 1
        elif model_field.has_default() and callable(model_field.default):
            values = [model_field.get_default() for _index in range(count)]
            columns[attname] = [convert(v) for v in values] if convert else values
            continue
        else:
            constant = model_field.get_default()  # None, or "" for text, as save() would
        columns[attname] = _Same(convert(constant) if convert else constant)
    return columns


def _statement_parts(
    columns: Mapping[str, Values], count: int
) -> tuple[list[str], list[list[Any]], list[tuple[str, str]]]:
    """(bound names, their values, (name, literal) pairs): a column of NULLs is left out (NULL
    is what an omitted column gets), a constant is written into the statement when it can be."""
    names: list[str] = []
    lists: list[list[Any]] = []
    literals: list[tuple[str, str]] = []
    for name, values in columns.items():
        if isinstance(values, _Same):
            if values.value is None:
                continue
            literal = _literal(values.value)
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
    quote = connection.ops.quote_name
    names, lists, literals = _statement_parts(columns, count)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  names from the model, literals checked
        quote(table),
        ", ".join(quote(name) for name in [*names, *(name for name, _literal in literals)]),
        ", ".join(["%s"] * len(names) + [literal for _name, literal in literals]),
    )
    params = list(zip(*lists, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, count, WRITE_CHUNK):
            cursor.executemany(sql, params[start : start + WRITE_CHUNK])


def _history_columns(
    history: type[models.Model],
    record_columns: Mapping[str, Values],
    *,
    ids: list[int],
    kind: str,
    by_id: int | None,
    reason: str,
    now: datetime,
) -> dict[str, Values]:
    columns: dict[str, Values] = {}
    for model_field in history._meta.concrete_fields:
        attname = model_field.attname
        if model_field is history._meta.auto_field:
            continue
        if attname == "id":
            columns[attname] = ids
        elif attname in record_columns:
            columns[attname] = record_columns[attname]
        elif attname == "history_date":
            columns[attname] = _Same(connection.ops.adapt_datetimefield_value(now))
        elif attname == "history_type":
            columns[attname] = _Same(kind)
        elif attname == "history_user_id":
            columns[attname] = _Same(by_id)
        elif attname == "history_change_reason":
            columns[attname] = _Same(reason or None)
        else:
            columns[attname] = _Same(
                model_field.get_db_prep_save(model_field.get_default(), connection)
            )
    return columns


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
    rows: Sequence[Mapping[str, Any]],
    by: Any = None,
    reason: str = "",
    key: Sequence[str] = (),
) -> list[int]:
    """Insert many records (every row with the same fields, by attname) with the audit fields,
    version 1 and — for a model with history — a "+" history row each, as `records_bulk_create`
    writes them, at a fraction of its cost: one prepared statement per table, no model
    instances. `key` names unique fields that find the new ids (returned in the rows' order);
    a model with history needs it. Runs inside the caller's transaction."""
    if not rows:
        return []
    now = timezone.now()
    by_id = by.pk if getattr(by, "pk", None) else None
    history = _history_model(model)
    if history is not None and not key:
        raise ValueError("bulk_insert needs a key to write the history rows")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    last = model._base_manager.aggregate(last=models.Max(pk.attname))["last"] or 0 if key else 0
    columns = _columns(model, rows, by_id=by_id, now=now)
    with _write_cache():
        _insert(table, columns, len(rows))
    if not key:
        return []
    found = {
        tuple(values): pk_value
        for pk_value, *values in model._base_manager.filter(pk__gt=last).values_list(
            pk.attname, *key
        )
    }
    ids = [found[tuple(row[name] for name in key)] for row in rows]
    if history is not None:
        with _write_cache():
            _insert(
                history._meta.db_table,
                _history_columns(
                    history, columns, ids=ids, kind="+", by_id=by_id, reason=reason, now=now
                ),
                len(rows),
            )
    return ids


def bulk_update(
    *,
    model: type[models.Model],
    changes: Sequence[tuple[int, Mapping[str, Any]]],
    by: Any = None,
    reason: str = "",
) -> int:
    """Update many records, each with its own changed fields (by attname): the version goes up
    by one, who changed it is filled in and — for a model with history — a "~" history row
    holds each record's new state, as `records_bulk_update` writes them. Runs inside the
    caller's transaction, which should hold the records locked (`select_for_update`)."""
    if not changes:
        return 0
    now = timezone.now()
    by_id = by.pk if getattr(by, "pk", None) else None
    pk = model._meta.pk
    assert pk is not None
    attnames = [f.attname for f in model._meta.concrete_fields]
    current: dict[int, dict[str, Any]] = {}
    ids = [pk_value for pk_value, _fields in changes]
    for record in model._base_manager.filter(pk__in=key_set(ids)).values(*attnames):
        current[record[pk.attname]] = record
    business = _is_business(model)
    rows = []
    for pk_value, fields in changes:
        row = {**current[pk_value], **fields}
        if business:
            row["version"] = current[pk_value]["version"] + 1
            if by_id is not None:
                row["updated_by_id"] = by_id
        rows.append(row)
    changed = sorted({name for _pk, fields in changes for name in fields})
    if business:
        changed += ["version", "updated_by_id"]
    columns = _columns(model, rows, by_id=by_id, now=now)
    auto = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.attname not in changed
    ]
    setters = {name: columns[name] for name in [*changed, *auto]}
    count = len(rows)
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608  names come from the model
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
    history = _history_model(model)
    if history is not None:
        with _write_cache():
            _insert(
                history._meta.db_table,
                _history_columns(
                    history, columns, ids=ids, kind="~", by_id=by_id, reason=reason, now=now
                ),
                count,
            )
    return count
