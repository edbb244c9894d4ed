"""The importer's two readers (zoneops.common.importing.reading): python-calamine, which parses a
sheet whole, and openpyxl in read-only mode, which streams a sheet too large for calamine's
memory row by row. Real .xlsx files, written with XlsxWriter as the product writes them (and
with shared texts, as an office saves them), odd cells and all, read the same through both."""

import io
from datetime import date, datetime, time

import pytest
import xlsxwriter

from zoneops.common.importing import reading

# Number formats a zone's workbooks carry, each with the numbers it shows (the same number under
# each): calamine tells dates, times and durations from numbers by them.
FORMATS = [
    "yyyy-mm-dd",
    "yyyy-mm",
    'yyyy"年"m"月"d"日"',
    '[$-804]yyyy"年"m"月"',
    "[DBNum1][$-804]yyyy年m月d日",
    "yyyy-mm-dd hh:mm:ss",
    "h:mm AM/PM",
    "hh:mm",
    "[h]:mm:ss",
    "[mm]:ss",
    "mm:ss.0",
    "0.00%",
    "#,##0.00_);[Red](#,##0.00)",
    '"Y"0.00',
    "\\d0",
    "0_d",
    '0.0"天"',
    "General",
    "@",
    14,  # built-in ids, no code in the file
    22,
    31,  # a Chinese locale date (2019年10月1日)
    45,
    46,
    47,
]
NUMBERS = [43739, 43739.5, 0.75, 1.5, 30, 60, 61, 0, -5, -0.25, 20191001, 3e6]
MOMENT = datetime(2019, 10, 1, 13, 45, 7)  # noqa: DTZ001  a cell's day and time: Excel has no zone


def odd_workbook(*, constant_memory: bool, date_1904: bool = False) -> bytes:
    """A workbook as a zone fills one: a title above the header, blank rows, odd cells of every
    kind, a stray cell off to the side, trailing formatted rows, merged cells, a hidden and a
    very hidden sheet, an empty sheet and a chart sheet. constant_memory writes texts inline
    (as the product's exports do); without it they go to the shared table (as offices do)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "constant_memory": constant_memory,
            "strings_to_formulas": False,
            "date_1904": date_1904,
        },
    )
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    clock = book.add_format({"num_format": "hh:mm"})
    guide = book.add_worksheet("说明")
    guide.write_string(0, 0, "请在“项目”表中填写")
    sheet = book.add_worksheet("项目")
    sheet.merge_range(0, 0, 0, 4, "2019年招商项目", bold)  # the title, merged over the header
    sheet.write_row(2, 1, ["项目名称", "总投资（万元）", "登记日期", "备注"], bold)
    rows: list[list] = [
        ["整数", 5, date(2019, 10, 1), 0],
        ["小数", 5.25, MOMENT, -3],
        ["大数", 1e20, MOMENT.replace(microsecond=500000), 12345678901234567],
        ["浮点噪声", 0.1 + 0.2, time(13, 45), 1e-300],
        ["是", True, False, "  前后有空格 "],
        ["空文本", "", None, "0012"],
        ["换行", "甲\n乙\r\n丙", "x\ty", "控制\x01字符"],
        ["转义", "_x000D_", "'=1+1", "x005F_文本"],
    ]
    row = 3
    for values in rows:
        for column, value in enumerate(values, start=1):
            if isinstance(value, datetime):
                sheet.write_datetime(row, column, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(row, column, value, day)
            elif isinstance(value, time):
                sheet.write_datetime(row, column, value, clock)
            elif isinstance(value, str):
                sheet.write_string(row, column, value)
            elif value is not None:
                sheet.write(row, column, value)
        row += 1
    row += 1  # a blank row
    sheet.write_blank(row, 2, None, bold)  # a formatted cell with nothing in it
    sheet.write_rich_string(row, 1, "富", bold, "文本")
    sheet.write_formula(row, 3, "=C4*2", None, 10)
    sheet.write_formula(row, 4, "=1/0", None, "#DIV/0!")
    row += 1
    sheet.write_formula(row, 1, '="a"&"b"', None, "ab")
    sheet.write_formula(row, 2, '=""', None, "")
    sheet.write_formula(row, 3, "=C4")  # no value kept: 0
    row += 1
    for kind in FORMATS:
        style = book.add_format({"num_format": kind})
        sheet.write_string(row, 1, str(kind))
        for column, number in enumerate(NUMBERS, start=2):
            sheet.write_number(row, column, number, style)
        row += 1
    sheet.merge_range(row, 1, row + 1, 3, "合并", bold)
    sheet.write_string(row + 5, 12, "远处")  # a stray cell off to the side
    sheet.set_row(row + 8, 30, bold)  # formatted rows below the data
    sheet.write_blank(row + 9, 1, None, bold)
    hidden = book.add_worksheet("旧表")
    hidden.write_row(0, 0, ["项目名称", "总投资（万元）"])
    hidden.hide()
    secret = book.add_worksheet("隐藏")
    secret.write_string(0, 0, "很隐秘")
    secret.very_hidden()
    book.add_worksheet("空表")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "='项目'!$C$4:$C$6"})
    book.add_chartsheet("图表").set_chart(chart)
    book.close()
    return buffer.getvalue()


def typed(cells: list) -> list[tuple[str, object]]:
    """The cells with their types (5 == 5.0, 1 == True and a date is no datetime), trailing
    empty cells left out."""
    cells = list(cells)
    while cells and cells[-1] == "":
        cells.pop()
    return [(type(cell).__name__, cell) for cell in cells]


def read_all(book: reading.WorkbookReader) -> dict[str, tuple]:
    """What the importer may ask of each visible sheet: its head, its last row, every row."""
    sheets = {}
    try:
        for sheet in book.sheets():
            head = [typed(cells) for cells in sheet.head()]
            while head and not head[-1]:
                head.pop()
            rows = [
                (number, typed([""] * sheet.first_column + list(cells)))
                for number, cells in sheet.rows(after=0, width=3)
            ]
            sheets[sheet.name] = (head, sheet.last_row(), [row for row in rows if row[1]])
    finally:
        book.close()
    return sheets


@pytest.mark.parametrize("date_1904", [False, True], ids=["1900", "1904"])
@pytest.mark.parametrize("constant_memory", [True, False], ids=["inline", "shared"])
def test_both_readers_give_the_importer_the_same_cells(constant_memory, date_1904):
    data = odd_workbook(constant_memory=constant_memory, date_1904=date_1904)
    problem, extents = reading._workbook_shape(data)
    assert problem is None

    parsed = read_all(reading._CalamineWorkbook(data))
    streamed = read_all(reading._StreamedWorkbook(data, extents))

    assert list(streamed) == list(parsed) == ["说明", "项目", "空表"]  # hidden ones left out
    for name, (head, last, rows) in parsed.items():
        assert streamed[name][0] == head, name
        assert streamed[name][1] == last, name
        assert dict(streamed[name][2]) == dict(rows), name
    # What the two agree on is what calamine gives, not, say, both empty.
    head, last, rows = streamed["项目"]
    assert head[2] == [
        ("str", ""),
        ("str", "项目名称"),
        ("str", "总投资（万元）"),
        ("str", "登记日期"),
        ("str", "备注"),
    ]
    cells = dict(rows)
    assert cells[4][1:] == [
        ("str", "整数"),
        ("float", 5.0),
        ("date", date(2019, 10, 1)),
        ("float", 0.0),
    ]
    assert cells[10][1:3] == [("str", "换行"), ("str", "甲\n乙\r\n丙")]
    assert cells[11][1:3] == [("str", "转义"), ("str", "_x000D_")]
    assert max(cells) == last == 45  # the stray cell's row; formatted rows below it are none


def test_number_formats_are_told_apart_as_calamine_tells_them():
    assert reading.number_format_kind('yyyy"年"m"月"d"日"') == reading.DATE
    assert reading.number_format_kind("[h]:mm:ss") == reading.DURATION
    assert reading.number_format_kind('0.0"天"') is None
    assert reading.number_format_kind("#,##0.00_);[Red](#,##0.00)") is None
    assert reading.number_format_kind("\\d0") is None


def test_a_sheet_whose_xml_is_over_the_bound_is_streamed(settings):
    data = odd_workbook(constant_memory=True)
    _problem, extents = reading._workbook_shape(data)
    largest = max(extent.size for extent in extents.values())

    settings.ZONEOPS_IMPORT_STREAM_ABOVE_MB = 0
    streamed = reading._open_workbook(data, extents)
    settings.ZONEOPS_IMPORT_STREAM_ABOVE_MB = 1
    parsed = reading._open_workbook(data, extents)
    streamed.close()
    parsed.close()

    assert 0 < largest < 2**20
    assert isinstance(streamed, reading._StreamedWorkbook)
    assert isinstance(parsed, reading._CalamineWorkbook)
