"""Checking a workbook's cells column by column, before any stored record is looked at: text,
numbers, dates, months, yes/no and choices, each distinct value checked once (`check_cells`);
and keeping the checked cells between the preview and the confirmation (`cells_dump`,
`cells_load`)."""

import hashlib
import json
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

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
from zoneops.common.importing.registers import CheckedCells, Plan, Register, Table, shown_value
from zoneops.common.inputs import DateKind, date_error, read_day, read_month, text_error

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
        cells = table.columns.pop(column.name)  # the raw cells go once checked
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
            values[name] = shared(column_values)
    table = Table(
        payload["sheet"], payload["header_row"], {}, present, payload["numbers"], payload["ignored"]
    )
    return CheckedCells(table, values, payload["versions"])
