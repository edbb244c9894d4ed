"""Checking a workbook's cells column by column, before any stored record is looked at: text,
numbers, dates, months, yes/no and choices, each distinct value checked once, a chunk of rows
at a time (`check_cells`); and keeping the checked cells between the preview and the
confirmation, written and read a chunk at a time (`CellsKeeper`, `cells_load`)."""

import hashlib
import io
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.excel import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    MONTH,
    NO,
    TEXT,
    YES,
    unneutralise,
)
from zoneops.common.importing.columns import CHOICE, LOOKUP, Column
from zoneops.common.importing.reading import normal_label, read_table, shared
from zoneops.common.importing.registers import (
    CheckedCells,
    CheckedChunk,
    Plan,
    Register,
    Table,
    shown_value,
)
from zoneops.common.inputs import (
    DateKind,
    date_error,
    read_day,
    read_month,
    text_error,
    texts_plain,
)

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "错"}
_EXCEL_EPOCH = date(1899, 12, 30)


_NUMBER_NOISE = str.maketrans("", "", ",，  \u3000")


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
    if all(cell.__class__ is str for cell in cells):  # the usual column, looked at as a whole
        texts = [cell.strip() for cell in cells]
        limit = column.max_length
        if (
            texts_plain(texts)
            and not any(text.startswith("'") for text in texts)
            and not (limit and max(map(len, texts), default=0) > limit)
        ):
            return [text or None for text in texts]
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
    """Numbers held to the column's bound (common.amounts.Bound), refused in its sentences: the
    same words as the form and the API."""
    values: list[Any] = []
    append = values.append
    bound = column.number_bound
    places, quantum = bound.places, bound.quantum
    maximum, minimum = bound.maximum, bound.minimum
    float_maximum, float_minimum = float(maximum), float(minimum)
    integer = column.kind == INTEGER
    header = column.header

    def wrong(index: int, cell: Any, message: str) -> None:
        plan.error(numbers[index], header, cell, message)

    for index, cell in enumerate(cells):
        if cell.__class__ is float and not integer:
            # The common case, a number cell: checked as a float, made exact once.
            # (Rounded first: Excel's 10000000.000000002 is the bound itself.)
            rounded = round(cell, places)
            if cell != cell or rounded > float_maximum or rounded < float_minimum:
                if cell != cell:
                    wrong(index, cell, bound.not_a_number())
                else:
                    wrong(index, cell, bound.too_big() if cell > 0 else bound.too_small())
                append(None)
                continue
            # Excel's floating point gives 0.30000000000000004 for 0.1 + 0.2: such noise is
            # rounded away; real extra decimals are refused, as the form would.
            if abs(cell - rounded) > 1e-9 * max(1.0, abs(cell)):
                wrong(index, cell, bound.too_precise())
            append(Decimal(repr(rounded)).quantize(quantum))
            continue
        if cell is None or cell == "" or (cell.__class__ is str and not cell.strip()):
            append(None)
            continue
        number = _number(cell)
        if number is None:
            wrong(index, cell, bound.not_a_number())
            append(None)
            continue
        if number > maximum or number < minimum:
            wrong(index, cell, bound.too_big() if number > 0 else bound.too_small())
            append(None)
            continue
        exact = number.quantize(quantum)
        if exact != number:
            wrong(index, cell, bound.too_precise())
        append(int(exact) if integer else exact)
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
    return read_day(str(cell))


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
        message = out_of_range.get(cell) or invalid % {"value": shown_value(cell)}
        plan.error(numbers[index], column.header, cell, message)

    return _memoised(day, cells, numbers, wrong)


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
            _("“%(value)s”不是“是”或“否”。") % {"value": shown_value(cell)},
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
        accepted[normal_label(label).lower()] = value
    for label, value in column.aliases:
        accepted[normal_label(label).lower()] = value
    labels = "、".join(str(label) for label in column.choices.labels)

    def wrong(index: int, cell: Any) -> None:
        plan.error(
            numbers[index],
            column.header,
            cell,
            _("“%(value)s”不是可选的值，可选：%(labels)s。")
            % {"value": shown_value(cell), "labels": labels},
        )

    def choice(cell: Any) -> Any:
        text = _text(cell)
        return accepted.get(normal_label(text).lower(), _WRONG) if text else None

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


def check_cells(register: Register, data: bytes, plan: Plan) -> CheckedCells | None:
    """The register's sheet found and its cells checked, a chunk of rows at a time as the
    returned cells' `chunks` are read (errors into `plan`); None when the file cannot be used
    at all (the reason in `plan.errors`)."""
    started = time.perf_counter()
    table = read_table(register, data, plan)
    plan.timings["read"] = time.perf_counter() - started
    if table is None:
        return None
    plan.columns = [column for column in table.present if column is not register.version_column]
    plan.ignored = table.ignored
    plan.checked = CheckedCells(
        table.sheet,
        table.header_row,
        table.present,
        table.ignored,
        _checked_chunks(register, table, plan),
    )
    return plan.checked


def _checked_chunks(register: Register, table: Table, plan: Plan) -> Iterator[CheckedChunk]:
    timings = plan.timings
    while True:
        started = time.perf_counter()
        chunk = next(table.chunks, None)
        timings["read"] += time.perf_counter() - started
        if chunk is None:
            return
        started = time.perf_counter()
        numbers, raw = chunk
        values: dict[str, list[Any]] = {}
        versions = None
        for column in table.present:
            cells = raw.pop(column.name)  # the raw cells go once checked
            if column is register.version_column:
                versions = _check_decimal(column, cells, numbers, plan)
                continue
            checked = CHECKS[column.kind](column, cells, numbers, plan)
            if column.required:
                for index, value in enumerate(checked):
                    if value is None and (cells[index] is None or not _text(cells[index])):
                        plan.error(
                            numbers[index],
                            column.header,
                            "",
                            _("“%(column)s”为必填项。") % {"column": column.header},
                        )
            values[column.name] = checked
        timings["cells"] = timings.get("cells", 0.0) + time.perf_counter() - started
        yield CheckedChunk(numbers, values, versions)


# --- Keeping the checked cells between the preview and the confirmation ------------------------
#
# A line of JSON for the file (its signature, sheet, columns and every key it holds), then a
# line per chunk of rows (numbers, values, versions): written while the preview checks the
# chunks (`CellsKeeper`), read back a chunk at a time by the confirmation (`cells_load`).

CELLS_FORMAT = 2


def _cells_signature(register: Register, data: bytes) -> str:
    """The file and the register's columns: kept cells are used only for both unchanged."""
    columns = [(c.name, c.kind, c.header) for c in (*register.columns, register.version_column)]
    digest = hashlib.sha256(repr((CELLS_FORMAT, register.name, columns)).encode())
    digest.update(data)
    return digest.hexdigest()


def _dumped(kind: str, values: list[Any]) -> list[Any]:
    """A column's values as JSON holds them (decimals and dates as text)."""
    if kind in (DECIMAL, INTEGER):
        return [v if v is None or v.__class__ is int else str(v) for v in values]
    if kind in (DATE, MONTH):
        return [None if v is None else v.isoformat() for v in values]
    return values


def _loaded(kind: str, values: list[Any]) -> list[Any]:
    if kind in (DECIMAL, INTEGER):
        return [v if v is None or v.__class__ is int else Decimal(v) for v in values]
    if kind in (DATE, MONTH):
        return [None if v is None else date.fromisoformat(v) for v in values]
    return shared(values)


class CellsKeeper:
    """The checked cells written to `output` chunk by chunk as the preview checks them (`add`),
    then completed with the file's keys (`finish`); the chunks wait in a temporary file, as
    the keys are known only at the end."""

    def __init__(self, register: Register, data: bytes, output: BinaryIO) -> None:
        self.register, self.signature, self.output = (
            register,
            _cells_signature(register, data),
            output,
        )
        self.body = tempfile.TemporaryFile()  # noqa: SIM115  closed by finish or close

    def add(self, checked: CheckedCells, chunk: CheckedChunk) -> None:
        kinds = {column.name: column.kind for column in checked.present}
        payload = {
            "numbers": chunk.numbers,
            "values": {name: _dumped(kinds[name], v) for name, v in chunk.values.items()},
            "versions": _dumped(DECIMAL, chunk.versions) if chunk.versions is not None else None,
        }
        self.body.write(_json_line(payload))

    def finish(self, checked: CheckedCells, keys: Iterable[Any]) -> None:
        kinds = [column.kind for column in self.register.key_columns]
        kept = (key for key in keys if self.register.file_key_kept(key))
        parts = list(zip(*(key if len(kinds) > 1 else (key,) for key in kept), strict=True))
        header = {
            "signature": self.signature,
            "sheet": checked.sheet,
            "header_row": checked.header_row,
            "present": [column.name for column in checked.present],
            "ignored": checked.ignored,
            "keys": [
                _dumped(kind, list(values)) for kind, values in zip(kinds, parts, strict=False)
            ],
        }
        self.output.write(_json_line(header))
        self.body.seek(0)
        shutil.copyfileobj(self.body, self.output)
        self.close()

    def close(self) -> None:
        self.body.close()


def _json_line(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def cells_load(register: Register, content: bytes | BinaryIO, data: bytes) -> CheckedCells | None:
    """The cells `CellsKeeper` kept, read a chunk at a time from `content` (which must stay open
    while they are read), or None when they are not those of this file and register."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    try:
        header = json.loads(stream.readline())
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("signature") != _cells_signature(register, data):
        return None
    by_name = {column.name: column for column in (*register.columns, register.version_column)}
    present = [by_name[name] for name in header["present"]]
    kinds = [column.kind for column in register.key_columns]
    parts = [_loaded(kind, values) for kind, values in zip(kinds, header["keys"], strict=False)]
    keys = set(parts[0] if len(kinds) == 1 else zip(*parts, strict=True)) if parts else set()
    timings: dict[str, float] = {"load": 0.0}

    def chunks() -> Iterator[CheckedChunk]:
        while True:
            started = time.perf_counter()
            line = stream.readline()
            if not line:
                return
            payload = json.loads(line)
            values = {
                name: _loaded(by_name[name].kind, column_values)
                for name, column_values in payload["values"].items()
            }
            versions = payload["versions"]
            chunk = CheckedChunk(
                payload["numbers"], values, _loaded(DECIMAL, versions) if versions else versions
            )
            del payload
            timings["load"] += time.perf_counter() - started
            yield chunk

    checked = CheckedCells(
        header["sheet"], header["header_row"], present, header["ignored"], chunks(), keys
    )
    checked.timings = timings
    return checked
