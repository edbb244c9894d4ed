"""Excel I/O shared by every register: .xlsx written with XlsxWriter, read with python-calamine.

Text cells that begin with = + - @ are written as plain text with a leading apostrophe
semantics (XlsxWriter `write_string`), so that a value typed by a user never runs as a formula.
"""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Sheet:
    """A worksheet laid out like a Chinese report table: title, unit line, header rows, body."""

    name: str
    title: str = ""
    subtitle: str = ""
    header_rows: list[list[str | None]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    column_widths: Sequence[int] = ()
    total_rows: set[int] = field(default_factory=set)  # indexes into rows, shown in bold
    number_format: str = "#,##0.00"


def write_workbook(sheets: Iterable[Sheet]) -> bytes:
    """Write the sheets into an .xlsx and return its bytes."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "remove_timezone": True}
    )
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "border": 1}
    title_format = workbook.add_format(
        {"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
    )
    subtitle_format = workbook.add_format({"font_name": "宋体", "font_size": 10, "align": "right"})
    header_format = workbook.add_format(
        {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}
    )
    text_format = workbook.add_format(base)
    total_text_format = workbook.add_format({**base, "bold": True})
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name[:31])
        number_format = workbook.add_format({**base, "num_format": sheet.number_format})
        integer_format = workbook.add_format({**base, "num_format": "0"})
        total_number_format = workbook.add_format(
            {**base, "bold": True, "num_format": sheet.number_format}
        )
        date_format = workbook.add_format({**base, "num_format": "yyyy-mm-dd"})
        width = max([len(r) for r in sheet.header_rows + sheet.rows] or [1])
        row_index = 0
        if sheet.title:
            worksheet.merge_range(0, 0, 0, width - 1, sheet.title, title_format)
            worksheet.set_row(0, 30)
            row_index += 1
        if sheet.subtitle:
            worksheet.merge_range(
                row_index, 0, row_index, width - 1, sheet.subtitle, subtitle_format
            )
            row_index += 1
        header_start = row_index
        for header in sheet.header_rows:
            for column, value in enumerate(header):
                if value is not None:
                    worksheet.write_string(row_index, column, value, header_format)
            row_index += 1
        for first_row, first_col, last_row, last_col, value in sheet.merges:
            worksheet.merge_range(
                header_start + first_row,
                first_col,
                header_start + last_row,
                last_col,
                value,
                header_format,
            )
        for index, values in enumerate(sheet.rows):
            is_total = index in sheet.total_rows
            for column, value in enumerate(values):
                _write_cell(
                    worksheet,
                    row_index,
                    column,
                    value,
                    text=total_text_format if is_total else text_format,
                    number=total_number_format if is_total else number_format,
                    integer=integer_format,
                    day=date_format,
                )
            row_index += 1
        for column, column_width in enumerate(sheet.column_widths):
            worksheet.set_column(column, column, column_width)
        if sheet.header_rows:
            worksheet.freeze_panes(header_start + len(sheet.header_rows), 0)
    workbook.close()
    return buffer.getvalue()


def _write_cell(worksheet: Any, row: int, column: int, value: Any, **formats: Any) -> None:
    if value is None or value == "":
        worksheet.write_blank(row, column, None, formats["text"])
    elif isinstance(value, bool):
        worksheet.write_string(row, column, "是" if value else "否", formats["text"])
    elif isinstance(value, int):
        worksheet.write_number(row, column, value, formats["integer"])
    elif isinstance(value, Decimal | float):
        worksheet.write_number(row, column, float(value), formats["number"])
    elif isinstance(value, datetime | date):
        worksheet.write_datetime(row, column, value, formats["day"])
    else:
        worksheet.write_string(row, column, str(neutralise(value)), formats["text"])


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
