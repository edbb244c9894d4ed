"""`Register`: a list of records that goes in and out of Excel — its columns bound to the model's
fields, the export as a template that imports back, and the lookup of the stored records a
file's keys find. Each app declares its registers in its excel.py.

And what an import of a register would do (`Plan`): the sheet as read (`Table`), its cells
checked (`CheckedCells`), every row matched to its stored record (`Row`, `Existing`), what would
change, and every problem found by row and column (`CellError`)."""

import hashlib
import io
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property, partial
from itertools import islice
from typing import Any, BinaryIO, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import bound_of
from zoneops.common.excel import (
    DECIMAL,
    INTEGER,
    TEXT,
    RegisterColumn,
    write_register_workbook,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing.columns import Column
from zoneops.common.importing.queries import key_set, scope_flags
from zoneops.common.inputs import DateKind
from zoneops.common.job_services import job_progress

SHOWN_ERRORS = 500  # errors kept for the preview page; the count is always complete
SHOWN_CHANGES = 50
EXPORT_CHUNK = 2000  # records read at a time by an export


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
class Table:
    """The register's sheet as found: its columns, and its rows' raw cells read a chunk at a
    time as they are asked for (blank rows left out)."""

    sheet: str
    header_row: int  # as Excel numbers it
    present: list[Column]
    ignored: list[str]
    # (each row's number as Excel shows it, column name → raw cells) per chunk of rows
    chunks: Iterator[tuple[list[int], dict[str, list[Any]]]]


@dataclass(slots=True)
class CheckedChunk:
    """A chunk of the workbook's rows, their cells checked."""

    numbers: list[int]  # each row's number as Excel shows it
    values: dict[str, list[Any]]  # column name → values (None for a blank cell)
    versions: list[Any] | None


@dataclass
class CheckedCells:
    """The workbook's cells checked, before any stored record is looked at: all that the file
    alone decides, a chunk of rows at a time (`chunks`, read once); kept from the preview for
    the confirmation (`cells_load`)."""

    sheet: str
    header_row: int
    present: list[Column]
    ignored: list[str]
    chunks: Iterator[CheckedChunk]
    # Every key the file holds (`compact_key`), known before its rows when the preview kept them.
    keys: set[Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)  # reading kept cells ("load")


def compact_key(key: tuple[Any, ...]) -> Any:
    """A key as kept for the whole file: a one-part key as its value (no tuple per row)."""
    return key[0] if len(key) == 1 else key


@dataclass
class Plan:
    """What an import would do: every row matched to its record, and every problem found.

    The rows come a chunk at a time (`Register.chunk_rows`): `rows` holds the chunk being
    checked and written, and the plan keeps of the others only what the preview shows (the
    counts, the first errors and changes) and the whole file's keys (a key met twice is an
    error, `seen_keys`)."""

    register: "Register"
    sheet: str = ""
    header_row: int = 0
    columns: list[Column] = field(default_factory=list)  # the register's columns in the file
    ignored: list[str] = field(default_factory=list)  # headers the register does not know
    rows: list[Row] = field(default_factory=list)  # the chunk's rows
    errors: list[CellError] = field(default_factory=list)  # the first SHOWN_ERRORS by row
    timings: dict[str, float] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    fingerprint: str = ""  # the stored records' versions the plan was made against
    labels: dict[tuple[str, int], str] = field(default_factory=dict)  # coded values shown
    checked: CheckedCells | None = field(default=None, repr=False)
    # What the register worked out once for the whole import (a rule, its memo) ...
    kept: dict[str, Any] = field(default_factory=dict, repr=False)
    # ... and what its `check` worked out for the chunk's `write` (let go with the chunk).
    chunk_kept: dict[str, Any] = field(default_factory=dict, repr=False)
    # Each key met so far (`compact_key`) → the row it was first met on.
    seen_keys: dict[Any, int] = field(default_factory=dict, repr=False)
    # Every key of the file, when known ahead (the preview's kept cells).
    file_keys: set[Any] | None = field(default=None, repr=False)
    done: dict[str, int] = field(default_factory=dict)  # the counts of the chunks done
    dropped_errors: int = 0  # errors past the first SHOWN_ERRORS, counted
    shown_rows: list[Row] = field(default_factory=list, repr=False)  # changes the preview shows
    _versions: Any = field(default_factory=hashlib.sha256, repr=False)

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(CellError(row, str(column), shown_value(value), str(message)))

    @property
    def new_rows(self) -> list[Row]:
        return [row for row in self.rows if row.existing is None]

    @property
    def changed_rows(self) -> list[Row]:
        return [row for row in self.rows if row.existing is not None and row.changes]

    def keys_in_file(self) -> Container[Any]:
        """Every key the file holds (`compact_key`) that the register asks for
        (`Register.file_key_kept`): known ahead from kept cells, else those met so far (all
        of them when the file is one chunk)."""
        return self.file_keys if self.file_keys is not None else self.seen_keys

    def stored_versions(self, versions: Iterable[tuple[int, int]]) -> None:
        """The (pk, version) of a chunk's stored records, into the fingerprint."""
        self._versions.update(repr(sorted(versions)).encode())
        self.fingerprint = self._versions.hexdigest()

    def _row_counts(self) -> dict[str, int]:
        new = sum(1 for row in self.rows if row.existing is None)
        updated = sum(1 for row in self.rows if row.existing is not None and row.changes)
        return {"rows": len(self.rows), "new": new, "updated": updated}

    @property
    def counts(self) -> dict[str, int]:
        current = self._row_counts()
        rows, new, updated = (current[name] + self.done.get(name, 0) for name in current)
        return {
            "rows": rows,
            "new": new,
            "updated": updated,
            "unchanged": rows - new - updated,
            "errors": len(self.errors) + self.dropped_errors,
        }

    def close_chunk(self) -> None:
        """Before the next chunk: keep the chunk's counts, its first changes and the first
        errors, let its rows go (the last chunk's stay, as do a one-chunk file's)."""
        for name, count in self._row_counts().items():
            self.done[name] = self.done.get(name, 0) + count
        if len(self.shown_rows) < SHOWN_CHANGES:
            self.shown_rows += self.changed_rows[: SHOWN_CHANGES - len(self.shown_rows)]
        if len(self.errors) > SHOWN_ERRORS:
            self.errors.sort(key=lambda error: error.row)
            self.dropped_errors += len(self.errors) - SHOWN_ERRORS
            del self.errors[SHOWN_ERRORS:]
        self.rows = []
        self.chunk_kept.clear()

    @property
    def shown_changes(self) -> list[Row]:
        """The first changed rows, as the preview shows them."""
        return (self.shown_rows + self.changed_rows)[:SHOWN_CHANGES]

    def write_each(self, rows: Iterable[Row], write_row: Callable[[Row], Any]) -> None:
        """Write the rows one at a time through a service (`write_row`), each in its
        savepoint (`attempt`): a refused row becomes its error; `written` counts the rows
        created and updated."""
        created = updated = 0
        for row in rows:
            before = len(self.errors)
            self.attempt(row, partial(write_row, row))
            if len(self.errors) == before:
                if row.existing is None:
                    created += 1
                else:
                    updated += 1
        done = self.written or {}
        self.written = {
            "created": done.get("created", 0) + created,
            "updated": done.get("updated", 0) + updated,
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
        for row in self.shown_changes:
            assert row.existing is not None
            changes.append(
                {
                    "row": row.number,
                    "key": " ".join(shown_value(part) for part in row.key or ()),
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


def shown_value(value: Any) -> str:
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
    # The rows are checked and written a chunk at a time (ZONEOPS_IMPORT_CHUNK_ROWS), so that
    # an import's memory does not grow with the file: for a register whose `check` and `write`
    # need no other row than the chunk's (the file's keys: `Plan.keys_in_file`).
    chunked: ClassVar[bool] = False

    def file_key_kept(self, key: Any) -> bool:
        """Whether `Plan.keys_in_file` holds this key (`compact_key`) of the file for a chunk's
        rule; every key by default (a register keeps only those its rules read)."""
        return True

    def chunk_rows(self) -> int | None:
        """Rows checked and written at a time; None: the whole file at once."""
        return max(1, settings.ZONEOPS_IMPORT_CHUNK_ROWS) if self.chunked else None

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
        buffer = io.BytesIO()
        self.export_to(queryset, user=user, output=buffer)
        return buffer.getvalue()

    def export_to(self, queryset: models.QuerySet, *, user: Any, output: BinaryIO) -> None:
        """The records as a template that imports back, written to `output` in constant
        memory: read EXPORT_CHUNK at a time (`iterator`), each chunk completed (`complete`)
        and written row by row (zoneops.common.excel.write_register_workbook); the labels of
        the coded values with one query per column."""
        queryset = self.export_queryset(queryset)
        labels = {}
        for column in self.columns:
            if column.lookup is not None and column.source == column.name:
                used = queryset.order_by().values_list(column.source, flat=True).distinct()
                labels[column.name] = column.lookup.options(
                    user=user, include_ids=set(used) - {None}
                )

        def rows() -> Iterator[list[Any]]:
            records = self.values(queryset).iterator(chunk_size=EXPORT_CHUNK)
            done = 0
            while chunk := list(islice(records, EXPORT_CHUNK)):
                self.complete(chunk)
                for record in chunk:
                    yield self.export_row(record, labels)
                done += len(chunk)
                job_progress(done=done)  # a background export's bar (nothing outside a job)

        write_register_workbook(
            name=str(self.title),
            columns=self.template_columns(user=user, labels=labels),
            rows=rows(),
            guide=[str(line) for line in self.guide],
            output=output,
        )

    def complete(self, records: list[dict[str, Any]]) -> None:
        """Fill in, for a chunk of exported records, what `values` cannot read (a register
        with a many-to-many column); a few queries per chunk, not per record."""

    def export_records(self, records: list[dict[str, Any]], *, user: Any) -> bytes:
        """Rows as `values` reads them (or made up alike, e.g. blank rows to fill)."""
        self.complete(records)
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
            for record, existing in self.existing(queryset, user=user, lock=lock):
                key = tuple(record[source] for source in sources)
                if key in wanted:
                    found[key] = existing
        return found

    def existing(
        self, queryset: models.QuerySet, *, user: Any, lock: bool
    ) -> Iterator[tuple[dict[str, Any], Existing]]:
        """Each stored record of `queryset` as the columns read it, and as an `Existing` that
        says whether the user may see it and change it; locked until the write when `lock`."""
        visible, writable = scope_flags(queryset.model, user)
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        rows = self.values(queryset).annotate(import_visible=visible, import_writable=writable)
        for record in rows:
            yield (
                record,
                Existing(
                    pk=record["pk"],
                    version=record["version"],
                    visible=record["import_visible"],
                    writable=record["import_writable"],
                    values={c.name: record[c.source] for c in self.columns if c.source},
                ),
            )

    def unknown_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”在系统中不存在。") % {
            "column": self.key[0],
            "key": " ".join(shown_value(part) for part in key),
        }

    def hidden_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”已被使用，且该记录不在您的数据范围内，不能更新。") % {
            "column": self.key[0],
            "key": " ".join(shown_value(part) for part in key),
        }

    def read_only_key_message(self, key: tuple[Any, ...]) -> str:
        return _("%(column)s“%(key)s”的记录您可以查看但不能修改（不由您或您的部门负责）。") % {
            "column": self.key[0],
            "key": " ".join(shown_value(part) for part in key),
        }

    def reason(self, filename: str) -> str:
        return _("Excel 导入：%(file)s") % {"file": filename} if filename else _("Excel 导入")
