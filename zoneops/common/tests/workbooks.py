"""Real workbooks for the register tests: one written by XlsxWriter as an office writes it, and
the first sheet of one read back by python-calamine."""

from io import BytesIO
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook


def write_sheet(name: str, header: list[Any], rows: list[list[Any]]) -> bytes:
    """A workbook of one sheet: the header row, then the rows (an empty or None cell left
    blank, as a user leaves it)."""
    book = BytesIO()
    workbook = xlsxwriter.Workbook(book, {"in_memory": True})
    sheet = workbook.add_worksheet(name)
    for column, value in enumerate(header):
        sheet.write(0, column, value)
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if value not in ("", None):
                sheet.write(index, column, value)
    workbook.close()
    return book.getvalue()


def read_first_sheet(data: bytes) -> list[list[Any]]:
    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python()
