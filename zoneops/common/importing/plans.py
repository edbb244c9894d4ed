"""What an import would do (`Plan`): every row matched to its stored record (`Row`, `Existing`),
what would change, and every problem found by row and column (`CellError`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing.columns import Column

if TYPE_CHECKING:
    from zoneops.common.importing.cells import CheckedCells
    from zoneops.common.importing.registers import Register

SHOWN_ERRORS = 500  # errors kept for the preview page; the count is always complete
SHOWN_CHANGES = 50


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

    register: Register
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
    checked: CheckedCells | None = field(default=None, repr=False)

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(CellError(row, str(column), shown_value(value), str(message)))

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
