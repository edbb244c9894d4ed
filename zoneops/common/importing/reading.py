"""Reading a workbook: the file checked before python-calamine opens it (a stray far cell would
ask for gigabytes), the register's sheet and columns found by their headers, and the raw cells
of each column (`Table`). Nothing is checked here but the file's shape."""

import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import python_calamine
from django.conf import settings
from django.utils.translation import gettext as _

from zoneops.common.importing.columns import Column
from zoneops.common.importing.registers import Plan, Register, Table

HEADER_SCAN_ROWS = 10  # the header row is looked for among the first rows of each sheet
MAX_COLUMNS = 100  # no register has half as many; a wider sheet is stray cells far away
# The workbooks the importer reads (the sheet's XML is checked before python-calamine opens it).
WORKBOOK_EXTENSIONS = ("xlsx", "xlsm")
MAX_SHEET_XML = 2**30  # a worksheet's XML, unpacked: far beyond the rows an import takes


_SPACES = re.compile(r"\s+")


# --- Reading ---------------------------------------------------------------------------------


def normal_label(header: Any) -> str:
    text = _SPACES.sub("", str(header or ""))
    return text.replace("(", "（").replace(")", "）").rstrip("*＊")


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
                    rows = max(rows, extent[0] if extent else 0)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                continue
    return rows


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
            wanted[normal_label(header)] = column
    best: tuple[int, Any, int, list[Any]] | None = None
    for meta in workbook.sheets_metadata:
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)  # parses the whole sheet: done once
        top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
        for index, cells in enumerate(top):
            found = sum(1 for cell in cells if normal_label(cell) in wanted)
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
        return None
    rows = sheet.iter_rows()
    found_header = next(itertools.islice(rows, header_index, None), None)
    # iter_rows leaves out the empty columns before the data: its cells start further left.
    shift = len(header_cells) - len(found_header or ())
    body = _body(rows, header_index + 2)
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
    at = {name: position - shift for name, position in positions.items()}
    return Table(sheet.name, plan.header_row, present, ignored, _chunks(first, body, at, size))


def _body(rows: Iterator[list[Any]], first: int) -> Iterator[tuple[int, list[Any]]]:
    """The data rows as calamine converts them one by one (it parses the sheet whole, in Rust),
    each with its number as Excel shows it (`first` for the first); a row with nothing in it
    is left out."""
    for number, cells in enumerate(rows, start=first):
        # `any` is false for "", None and 0: a row of zeros is kept by the second look.
        if any(cells) or any(cell is not None and cell != "" for cell in cells):
            yield number, cells


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


SHARED_TEXTS = 10_000  # distinct texts remembered per column by `shared`


def shared(cells: list[Any]) -> list[Any]:
    """A column's cells with each repeated text held once, in place: calamine (and json) make
    a new string per cell, and a coded column of a few values would otherwise keep 100,000
    copies of them until the import ends. Up to SHARED_TEXTS distinct texts are remembered,
    so a column of unique names costs no more than it did."""
    memo: dict[str, str] = {}
    for index, cell in enumerate(cells):
        if cell.__class__ is str:
            kept = memo.get(cell)
            if kept is None:
                if len(memo) < SHARED_TEXTS:
                    memo[cell] = cell
            elif kept is not cell:
                cells[index] = kept
    return cells
