"""Reading a workbook: the file checked before a reader opens it (a stray far cell would ask
python-calamine for gigabytes), the register's sheet and columns found by their headers, and the
raw cells of each column (`Table`). Nothing is checked here but the file's shape.

Two readers give the same cells. python-calamine parses a sheet whole, in Rust: fast, but its
memory grows with the sheet (about 800 MB for 500,000 rows). A workbook whose largest sheet's XML
is over ZONEOPS_IMPORT_STREAM_ABOVE_MB is read by openpyxl in read-only mode instead, row by
row, so that its memory stays the same whatever the sheet's size (it is several times slower;
imports that large run in the background). The streamed cells are made what calamine gives: ""
for an empty or error cell, a float for every number, a date, datetime, time or timedelta by the
cell's number format as calamine tells them apart, texts with Excel's _xHHHH_ escapes undone."""

import io
import itertools
import math
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.text import Text
from openpyxl.packaging.manifest import Manifest
from openpyxl.utils.datetime import MAC_EPOCH
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring, iterparse

from zoneops.common.importing.columns import Column
from zoneops.common.importing.registers import Plan, Register, Table

HEADER_SCAN_ROWS = 10  # the header row is looked for among the first rows of each sheet
MAX_COLUMNS = 100  # no register has half as many; a wider sheet is stray cells far away
# The workbooks the importer reads (the sheet's XML is checked before a reader opens it).
WORKBOOK_EXTENSIONS = ("xlsx", "xlsm")
MAX_SHEET_XML = 2**30  # a worksheet's XML, unpacked: far beyond the rows an import takes


_SPACES = re.compile(r"\s+")


# --- Reading ---------------------------------------------------------------------------------


def normal_label(header: Any) -> str:
    text = _SPACES.sub("", str(header or ""))
    return text.replace("(", "（").replace(")", "）").rstrip("*＊")


_ROW_REF = re.compile(rb'<row r="(\d+)"')
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,})')  # a cell beyond column Z


@dataclass(frozen=True)
class SheetExtent:
    """A worksheet's XML as streamed before any reader opens it."""

    rows: int  # the last row the XML names, with or without a value
    columns: int  # the last column beyond Z a cell names (0: none beyond Z)
    size: int  # bytes, unpacked
    valued_rows: int  # the last row with a cell holding a value (as calamine counts them)


def _last_value(text: bytes) -> int:
    """Where the last cell value in `text` begins (-1: none): a `<v>` with something in it (an
    empty `<v></v>` is no value, for calamine either) or an inline string."""
    found = text.rfind(b"<v>")
    while found >= 0 and text.startswith(b"<v></v>", found):
        found = text.rfind(b"<v>", 0, found)
    return max(found, text.rfind(b"<is>"))


def _sheet_extent(archive: zipfile.ZipFile, name: str) -> SheetExtent | None:
    """A worksheet's extent as its XML names it, read as a stream; None when the XML is larger
    than any sheet an import takes."""
    rows = columns = size = valued = 0
    tail = b""
    with archive.open(name) as stream:
        while block := stream.read(1 << 22):
            size += len(block)
            if size > MAX_SHEET_XML:
                return None
            text = tail + block
            before = rows  # the row that an early value of this block may belong to
            last = text.rfind(b'<row r="')
            if last >= 0 and (found := _ROW_REF.match(text, last)):
                rows = max(rows, int(found.group(1)))
            if (value := _last_value(text)) >= 0:
                start = text.rfind(b'<row r="', 0, value)
                found = _ROW_REF.match(text, start) if start >= 0 else None
                valued = max(valued, int(found.group(1)) if found else before)
            for letters in _WIDE_REF.findall(text):
                number = 0
                for letter in letters:
                    number = number * 26 + letter - 64
                columns = max(columns, number)
            tail = text[-32:]
    return SheetExtent(rows, columns, size, valued)


def _workbook_shape(data: bytes) -> tuple[str | None, dict[str, SheetExtent]]:
    """Why the file cannot be read as a workbook (None: it can), checked before any reader
    opens it, and each worksheet's extent by its path in the file: calamine lays out each sheet
    from its first to its last cell, and a stray cell at XFD1048576 would ask for hundreds of
    gigabytes and end the process."""
    unreadable = _("无法读取该文件：请上传 Excel 文件（.xlsx）。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return unreadable, {}
    extents: dict[str, SheetExtent] = {}
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            return unreadable, {}
        limit = getattr(settings, "ZONEOPS_IMPORT_MAX_ROWS", 200_000) + HEADER_SCAN_ROWS
        for name in names:
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                extent = _sheet_extent(archive, name)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return unreadable, {}
            if extent is None or extent.rows > limit or extent.columns > MAX_COLUMNS:
                rows, columns = (extent.rows, extent.columns) if extent else (0, 0)
                return _(
                    "文件中的表格范围过大（%(rows)s 行、%(columns)s 列；一次最多导入 %(limit)s 行、"
                    "%(max_columns)s 列）：请删除表格中多余的行和列（包括远处只有格式或空格的"
                    "单元格），或分成几个文件导入。"
                ) % {
                    "rows": rows,
                    "columns": columns,
                    "limit": limit - HEADER_SCAN_ROWS,
                    "max_columns": MAX_COLUMNS,
                }, {}
            extents[name] = extent
    return None, extents


_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def workbook_rows(data: bytes) -> int:
    """About how many rows the workbook's largest sheet has, read cheaply: the sheet's own
    `<dimension>` at the head of its XML (Excel and XlsxWriter write it), else its last row
    found by streaming the XML. 0 when the file is not a workbook (the import then says why)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    rows = 0
    with archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                with archive.open(name) as stream:
                    head = stream.read(4096)
                found = _DIMENSION.search(head)
                if found:
                    rows = max(rows, int(found.group(1) or 1))
                else:
                    extent = _sheet_extent(archive, name)
                    rows = max(rows, extent.rows if extent else 0)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                continue
    return rows


# --- The two readers ---------------------------------------------------------------------------


class SheetReader(Protocol):
    """A visible worksheet as the importer reads it, whichever reader reads it."""

    name: str
    first_column: int  # the column (0 for A) of each row's first cell in `rows`

    def head(self) -> list[list[Any]]:
        """The sheet's first HEADER_SCAN_ROWS rows, each from column A."""
        ...

    def last_row(self) -> int:
        """The number of the last row with a value (0: none)."""
        ...

    def rows(self, *, after: int, width: int) -> Iterator[tuple[int, list[Any]]]:
        """The rows below row `after`, each with its number as Excel shows it, its cells from
        `first_column` and at least up to column `width` (rows with nothing in them may be left
        out)."""
        ...


class WorkbookReader(Protocol):
    def sheets(self) -> Iterator[SheetReader]:
        """The visible worksheets, in the workbook's order."""
        ...

    def close(self) -> None: ...


class _CalamineSheet:
    def __init__(self, sheet: Any) -> None:
        self.sheet, self.name = sheet, sheet.name
        start: tuple[int, int] = sheet.start or (0, 0)
        self.first_column = start[1]

    def head(self) -> list[list[Any]]:
        rows: list[list[Any]] = self.sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
        return rows

    def last_row(self) -> int:
        end: tuple[int, int] | None = self.sheet.end
        return end[0] + 1 if end is not None else 0

    def rows(self, *, after: int, width: int) -> Iterator[tuple[int, list[Any]]]:
        # iter_rows begins at row 1 but at the sheet's first column, and converts a row at a
        # time (the sheet is parsed whole already).
        return itertools.islice(enumerate(self.sheet.iter_rows(), start=1), after, None)


class _CalamineWorkbook:
    """python-calamine: each sheet parsed whole, in Rust."""

    def __init__(self, data: bytes) -> None:
        self.book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))

    def sheets(self) -> Iterator[SheetReader]:
        for meta in self.book.sheets_metadata:
            if (
                meta.visible == python_calamine.SheetVisibleEnum.Visible
                and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            ):
                yield _CalamineSheet(self.book.get_sheet_by_name(meta.name))  # parses it whole

    def close(self) -> None:
        self.book.close()


DATE, DURATION = "date", "duration"  # what a cell's number means by its number format
# Excel's built-in number formats (by id, no code in the file) that show a date or time, or a
# duration, as calamine takes them: the locale ones (27-36, 50-58: 2019年10月1日 and the like)
# are dates too.
_BUILTIN_FORMATS = {
    **dict.fromkeys((*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)), DATE),
    46: DURATION,
}
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def number_format_kind(code: str) -> str | None:
    r"""DATE, DURATION or None for a number format's code, as calamine reads it: its first
    section only; quoted text, a character after \ or _, and a bracketed part ([Red], [$-804])
    say nothing, except that [h], [mm] or [ss] make a duration; d, m, h, y or s outside them
    make a date, and so does an "a" followed by p, m or / (AM/PM, a/p)."""
    escaped = quoted = after_a = in_hms = False
    brackets = 0
    previous = " "
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return None
        elif char == "[":
            brackets += 1
        elif char == "]":
            if brackets == 1 and in_hms:
                return DURATION
            brackets = max(0, brackets - 1)
        elif brackets == 0 and not after_a and char in "aA":
            after_a = True
        elif brackets == 0 and char in ("pmPM/" if after_a else "dmhysDMHYS"):
            return DATE
        elif not (in_hms and char.lower() == previous.lower()):
            in_hms = previous == "[" and char in "mhsMHS"
        previous = char
    return None


def _style_kinds(archive: zipfile.ZipFile) -> dict[int, str]:
    """The cell styles (by their index, a cell's s="...") whose numbers are dates or durations:
    by the style's number format's code where the workbook gives one, else by its built-in id."""
    try:
        root = fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    codes: dict[int, str] = {}
    formats = root.find(f"{_MAIN}numFmts")
    for element in formats if formats is not None else ():
        try:
            codes[int(element.get("numFmtId", ""))] = element.get("formatCode", "")
        except ValueError:
            continue
    kinds: dict[int, str] = {}
    styles = root.find(f"{_MAIN}cellXfs")
    for index, style in enumerate(styles if styles is not None else ()):
        try:
            number = int(style.get("numFmtId", "0"))
        except ValueError:
            continue
        kind = (
            number_format_kind(codes[number]) if number in codes else _BUILTIN_FORMATS.get(number)
        )
        if kind:
            kinds[index] = kind
    return kinds


def _shared_texts(archive: zipfile.ZipFile) -> list[str] | None:
    """The workbook's shared texts as written, their _xHHHH_ escapes kept to be undone with
    those of the inline texts (None: the workbook has no table of them). openpyxl's own table
    drops every "x005F_" (an escaped "_"), after which a typed "_x000D_" and a carriage
    return read the same."""
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    part = manifest.find(SHARED_STRINGS)
    if part is None:
        return None
    texts: list[str] = []
    with archive.open(part.PartName.lstrip("/")) as source:
        for _event, element in iterparse(source):
            if element.tag == f"{_MAIN}si":
                texts.append(Text.from_tree(element).content)
                element.clear()
    return texts


_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001  Excel's days have no zone (nor calamine's)
_DAY_MS = 86_400_000
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _rounded(value: float) -> int:
    """Half away from zero, as Rust rounds."""
    whole = math.floor(abs(value))
    if abs(value) - whole >= 0.5:
        whole += 1
    return -whole if value < 0 else whole


def excel_datetime(value: float, *, kind: str, is_1904: bool) -> Any:
    """A number of a date or duration format as python-calamine gives it: a timedelta for a
    duration; for a date, a time when under a day, a date when whole, else a datetime (to the
    millisecond, Excel's 1900 leap year kept); the number itself when the day is out of
    Python's range."""
    try:
        if kind == DURATION:
            return timedelta(milliseconds=_rounded(value * _DAY_MS))
        days = value + 1462 if is_1904 else value
        if days < 60:
            days += 1  # Excel counts a 29 February 1900 that was not
        moment = _EXCEL_EPOCH + timedelta(milliseconds=_rounded(days * _DAY_MS))
    except (OverflowError, ValueError):  # out of Python's days, or not a number (NaN)
        return value
    if value < 1:
        return moment.time()
    if value == math.floor(value):
        return moment.date()
    return moment


def _unescaped(text: str) -> str:
    """Excel's _xHHHH_ escapes (a carriage return, a control character) as the characters."""
    return _ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), text) if "_x" in text else text


class _StreamedSheet:
    first_column = 0

    def __init__(self, book: "_StreamedWorkbook", sheet: ReadOnlyWorksheet, last: int) -> None:
        self.book, self.sheet, self.name, self.last = book, sheet, sheet.title, last

    def head(self) -> list[list[Any]]:
        rows = self._rows(after=0, width=0)
        try:
            head: list[list[Any]] = []
            for number, cells in rows:
                if number > HEADER_SCAN_ROWS:
                    break
                head.extend([[]] * (number - len(head) - 1))  # rows the XML leaves out
                head.append(cells)
            return head
        finally:
            rows.close()

    def last_row(self) -> int:
        return self.last

    def rows(self, *, after: int, width: int) -> Iterator[tuple[int, list[Any]]]:
        return self._rows(after=after, width=width)

    def _rows(self, *, after: int, width: int) -> Generator[tuple[int, list[Any]], None, None]:
        kinds, is_1904 = self.book.kinds, self.book.is_1904
        # openpyxl's read-only parser of the sheet's XML, row by row, told of no date format:
        # the numbers come raw and are made dates here, as calamine makes them.
        with self.sheet._get_source() as source:
            parser = WorkSheetParser(source, self.sheet._shared_strings, data_only=True)
            for number, found in parser.parse():
                if number <= after:
                    continue
                cells: list[Any] = [""] * width
                for cell in found:
                    value, column = cell["value"], cell["column"] - 1
                    if value is None:
                        continue
                    if column >= len(cells):
                        cells.extend([""] * (column + 1 - len(cells)))
                    kind = cell["data_type"]
                    if kind == "n":
                        value = float(value)
                        if (style := kinds.get(cell["style_id"])) is not None:
                            value = excel_datetime(value, kind=style, is_1904=is_1904)
                    elif kind == "s":
                        value = _unescaped(value)
                    elif kind == "e":
                        value = ""  # an error (#N/A, #DIV/0!) is an empty cell to calamine
                    cells[column] = value
                yield number, cells


class _StreamedWorkbook:
    """openpyxl in read-only mode: each sheet read row by row as its XML streams by."""

    def __init__(self, data: bytes, extents: dict[str, SheetExtent]) -> None:
        self.book = load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        self.extents = extents
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.kinds = _style_kinds(archive)
            texts = _shared_texts(archive)
        self.is_1904 = self.book.epoch == MAC_EPOCH
        if texts is not None:  # ours replace openpyxl's, which are then let go
            for sheet in self.book.worksheets:
                if isinstance(sheet, ReadOnlyWorksheet):
                    sheet._shared_strings = texts

    def sheets(self) -> Iterator[SheetReader]:
        for sheet in self.book.worksheets:
            # The rows come from the sheet's XML as it is, whatever its <dimension> claims.
            if isinstance(sheet, ReadOnlyWorksheet) and sheet.sheet_state == "visible":
                extent = self.extents.get(sheet._worksheet_path.lstrip("/"))
                yield _StreamedSheet(self, sheet, extent.valued_rows if extent else 0)

    def close(self) -> None:
        self.book.close()  # read-only keeps the file open until then


def _open_workbook(data: bytes, extents: dict[str, SheetExtent]) -> WorkbookReader:
    """python-calamine, or openpyxl streaming the rows when a sheet's XML is larger than
    ZONEOPS_IMPORT_STREAM_ABOVE_MB (calamine's memory grows with the sheet)."""
    bound = settings.ZONEOPS_IMPORT_STREAM_ABOVE_MB * 2**20
    if max((extent.size for extent in extents.values()), default=0) > bound:
        return _StreamedWorkbook(data, extents)
    return _CalamineWorkbook(data)


def read_table(register: Register, data: bytes, plan: Plan) -> Table | None:
    """Find the register's sheet and columns; None (with the reason in `plan.errors`) when the
    file cannot be used at all."""
    problem, extents = _workbook_shape(data)
    if problem:
        plan.error(0, "", "", problem)
        return None
    try:
        workbook = _open_workbook(data, extents)
    except Exception:  # the readers raise their own errors, and OSError or ValueError on garbage
        plan.error(0, "", "", _("无法读取该文件：请上传 Excel 文件（.xlsx）。"))
        return None
    wanted: dict[str, Column] = {}
    for column in (*register.columns, register.version_column):
        for header in (column.header, *column.header_aliases):
            wanted[normal_label(header)] = column
    best: tuple[int, SheetReader, int, list[Any]] | None = None
    try:
        for sheet in workbook.sheets():
            for index, cells in enumerate(sheet.head()):
                found = sum(1 for cell in cells if normal_label(cell) in wanted)
                if found and (best is None or found > best[0]):
                    best = (found, sheet, index, cells)
    except Exception:  # a sheet the reader cannot make sense of
        workbook.close()
        plan.error(0, "", "", _("无法读取该文件：请上传 Excel 文件（.xlsx）。"))
        return None
    key_headers = "、".join(f"“{header}”" for header in register.key)
    if best is None or best[0] < min(2, len(register.columns)):
        workbook.close()
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
    if sheet.last_row() - plan.header_row > limit:
        workbook.close()
        plan.error(
            0,
            "",
            "",
            _("文件有 %(rows)s 行，一次最多导入 %(limit)s 行，请分成几个文件导入。")
            % {"rows": sheet.last_row() - plan.header_row, "limit": limit},
        )
        return None
    positions: dict[str, int] = {}
    present: list[Column] = []
    ignored: list[str] = []
    for position, cell in enumerate(header_cells):
        found_column = wanted.get(normal_label(cell))
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
        workbook.close()
        return None
    body = _body(sheet.rows(after=plan.header_row, width=len(header_cells)), workbook)
    first = next(body, None)
    if first is None:
        plan.error(
            plan.header_row,
            "",
            "",
            _("“%(sheet)s”表只有表头，没有要导入的数据行：请在表头下方逐行填写后再导入。")
            % {"sheet": sheet.name},
        )
        return None
    size = register.chunk_rows() or limit + 1
    at = {name: position - sheet.first_column for name, position in positions.items()}
    return Table(sheet.name, plan.header_row, present, ignored, _chunks(first, body, at, size))


def _body(
    rows: Iterator[tuple[int, list[Any]]], workbook: WorkbookReader
) -> Iterator[tuple[int, list[Any]]]:
    """The data rows as the reader converts them one by one, each with its number as Excel
    shows it; a row with nothing in it is left out. The workbook is closed once they are read
    (or dropped)."""
    try:
        for number, cells in rows:
            # `any` is false for "", None and 0: a row of zeros is kept by the second look.
            if any(cells) or any(cell is not None and cell != "" for cell in cells):
                yield number, cells
    finally:
        workbook.close()


def _chunks(
    first: tuple[int, list[Any]],
    rows: Iterator[tuple[int, list[Any]]],
    positions: dict[str, int],
    size: int,
) -> Iterator[tuple[list[int], dict[str, list[Any]]]]:
    """The rows `size` at a time: their numbers and each column's raw cells."""
    pending = itertools.chain([first], rows)
    while chunk := list(itertools.islice(pending, size)):
        numbers = [number for number, _cells in chunk]
        columns = {
            name: shared([cells[position] for _number, cells in chunk])
            for name, position in positions.items()
        }
        del chunk
        yield numbers, columns


SHARED_TEXTS = 10_000  # cells whose repeated texts `shared` holds once at a time


def shared(cells: list[Any]) -> list[Any]:
    """A column's cells with each repeated text held once, in place: calamine (and json) make
    a new string per cell, and a coded column of a few values would otherwise keep 100,000
    copies of them until the import ends. SHARED_TEXTS cells at a time, each with a memo of
    its own, so a column of unique names costs no more than it did (and a coded column keeps
    a copy of each value per SHARED_TEXTS cells)."""
    for start in range(0, len(cells), SHARED_TEXTS):
        end = start + SHARED_TEXTS
        keep: Any = {}.setdefault  # a fresh memo per slice, dropped with it
        cells[start:end] = [
            keep(cell, cell) if cell.__class__ is str else cell for cell in cells[start:end]
        ]
    return cells
