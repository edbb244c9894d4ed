"""Excel I/O shared by every register: .xlsx written with XlsxWriter, read with python-calamine
(a sheet too large for its memory streamed by openpyxl: zoneops.common.importing.reading).

Two kinds of workbook: report tables laid out like the zone's reports upward (`Sheet`,
`write_workbook`), and register templates that import back (`RegisterColumn`,
`write_register_workbook`: one row per record, Chinese headers, drop-down lists for coded
columns). The reading side is `zoneops.common.importing`.

Text cells that begin with = + - @ get a leading apostrophe (`neutralise`), so that a value
typed by a user never runs as a formula, not even after a save as .csv; the importer takes the
apostrophe off again (`unneutralise`), so a re-import finds the value unchanged.
"""

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from zoneops.common.inputs import FIRST_DAY

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula gets a leading apostrophe.

    A text that already begins with apostrophes before such a character gets one more, so that
    `unneutralise` can tell the added apostrophe from a typed one.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """The text as it was before `neutralise`."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def excel_can_date(value: date) -> bool:
    """Whether Excel holds the day as a date: none before 1900-01-01 (XlsxWriter would write a
    negative number, -693594 for year 1). Such a day, stored before the date checks, is written
    as text so that it still reads as a day and imports back into the same check."""
    day = value.date() if isinstance(value, datetime) else value
    return day >= FIRST_DAY


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
        if excel_can_date(value):
            worksheet.write_datetime(row, column, value, formats["day"])
        else:
            worksheet.write_string(row, column, value.isoformat(), formats["text"])
    else:
        worksheet.write_string(row, column, str(neutralise(value)), formats["text"])


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes | BinaryIO, filename: str) -> HttpResponseBase:
    """A workbook to download, its (Chinese) file name kept as RFC 5987 asks; a file (a large
    export written to a temporary file) is streamed from disk and closed when sent."""
    response: HttpResponseBase
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    else:
        response = FileResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- Register templates: one row per record, a workbook that imports back -----------------------

OPTIONS_SHEET = "选项"
LAST_ROW = 1_048_575  # the last row of a worksheet (0-based)

TEXT, INTEGER, DECIMAL, DATE, MONTH, BOOLEAN = "text", "int", "decimal", "date", "month", "bool"
YES, NO = "是", "否"  # written and read as such whatever the language


@dataclass(frozen=True)
class RegisterColumn:
    """A column of a register template as the workbook shows it."""

    header: str
    kind: str = TEXT  # text, int, decimal, date, month or bool: how the cell is written
    width: int = 14
    options: Sequence[str] = ()  # a drop-down list of these values
    required: bool = False
    readonly: bool = False  # for reading only: the import ignores it
    note: str = ""  # what to fill in: the header's comment and a line of the guide


def write_register_workbook(
    *,
    name: str,
    columns: Sequence[RegisterColumn],
    rows: Iterable[Sequence[Any]],
    guide: Sequence[str] = (),
    output: BinaryIO | None = None,
) -> bytes:
    """A register as an .xlsx that imports back: the header row frozen, one row per record,
    drop-down lists for coded columns from a hidden sheet of options, numbers and dates as
    Excel numbers and dates, text neutralised; then a sheet that explains each column.

    The rows are written as they come (XlsxWriter's constant_memory: each row goes to a
    temporary file once the next begins), so memory does not grow with them; with `output`
    the workbook goes there (and b"" is returned), else its bytes are returned."""
    buffer = output if output is not None else io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"constant_memory": True, "strings_to_formulas": False, "remove_timezone": True},
    )
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    header_base = {**base, "bold": True, "border": 1, "text_wrap": True, "align": "center"}
    header_formats = {
        "plain": workbook.add_format({**header_base, "bg_color": "#DDEBF7"}),
        "required": workbook.add_format(
            {**header_base, "bg_color": "#DDEBF7", "font_color": "#C00000"}
        ),
        "readonly": workbook.add_format(
            {**header_base, "bg_color": "#EDEDED", "font_color": "#7F7F7F"}
        ),
    }
    cell_formats = {
        TEXT: workbook.add_format({**base, "num_format": "@"}),
        INTEGER: workbook.add_format({**base, "num_format": "0"}),
        DECIMAL: workbook.add_format({**base, "num_format": "#,##0.00"}),
        DATE: workbook.add_format({**base, "num_format": "yyyy-mm-dd"}),
        MONTH: workbook.add_format({**base, "num_format": "yyyy-mm"}),
        BOOLEAN: workbook.add_format({**base, "num_format": "@"}),
    }
    sheet = workbook.add_worksheet(name[:31])
    options_sheet = workbook.add_worksheet(OPTIONS_SHEET)
    options_sheet.hide()
    option_lists: list[list[str]] = []  # the options sheet's columns, written row by row
    for index, column in enumerate(columns):
        style = "readonly" if column.readonly else "required" if column.required else "plain"
        sheet.write_string(0, index, column.header, header_formats[style])
        sheet.set_column(index, index, column.width, cell_formats[column.kind])
        if column.note:
            sheet.write_comment(0, index, column.note, {"x_scale": 2, "y_scale": 1.5})
        options = list(column.options) or ([YES, NO] if column.kind == BOOLEAN else [])
        if options and not column.readonly:
            option_column = len(option_lists)
            option_lists.append([column.header, *(str(neutralise(o)) for o in options)])
            letter = xlsxwriter.utility.xl_col_to_name(option_column)
            sheet.data_validation(
                1,
                index,
                LAST_ROW,
                index,
                {
                    "validate": "list",
                    "source": f"='{OPTIONS_SHEET}'!${letter}$2:${letter}${len(options) + 1}",
                    "error_title": column.header,
                    "error_message": _("请从下拉列表中选择。"),
                },
            )
    for row in range(max(map(len, option_lists), default=0)):
        for option_column, texts in enumerate(option_lists):
            if row < len(texts):
                options_sheet.write_string(row, option_column, texts[row])
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 0)
    writers = [_register_writer(sheet, column.kind) for column in columns]
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            if value is not None and value != "":
                writers[index](count, index, value)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    if guide or columns:
        _write_guide(workbook, columns, guide, header_formats["plain"], base)
    workbook.close()
    return b"" if output is not None else buffer.getvalue()  # type: ignore[union-attr]


def _register_writer(sheet: Any, kind: str) -> Callable[[int, int, Any], Any]:
    """How a column's cells are written; the column's own format applies to every cell."""
    if kind in (INTEGER, DECIMAL):
        return lambda row, column, value: sheet.write_number(row, column, float(value))
    if kind in (DATE, MONTH):
        return lambda row, column, value: (
            sheet.write_datetime(row, column, value)
            if excel_can_date(value)
            else sheet.write_string(row, column, value.isoformat())
        )
    if kind == BOOLEAN:
        return lambda row, column, value: sheet.write_string(
            row, column, value if isinstance(value, str) else YES if value else NO
        )
    return lambda row, column, value: sheet.write_string(row, column, neutralise(str(value)))


def _write_guide(
    workbook: Any,
    columns: Sequence[RegisterColumn],
    guide: Sequence[str],
    header_format: Any,
    base: dict[str, Any],
) -> None:
    sheet = workbook.add_worksheet(_("填写说明"))
    wrap = workbook.add_format({**base, "text_wrap": True, "valign": "top"})
    row = 0
    for line in guide:
        sheet.write_string(row, 0, line, wrap)
        row += 1
    if guide:
        row += 1
    for column, header in enumerate((_("列名"), _("必填"), _("说明"))):
        sheet.write_string(row, column, header, header_format)
    for item in columns:
        row += 1
        sheet.write_string(row, 0, item.header, wrap)
        sheet.write_string(row, 1, YES if item.required else "", wrap)
        note = item.note or ""
        if item.readonly:
            note = _("（仅供查看，导入时忽略）") + note
        sheet.write_string(row, 2, note, wrap)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 8)
    sheet.set_column(2, 2, 80)
