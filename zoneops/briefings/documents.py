"""A briefing as a Word document (.docx) a clerk edits further: the title, each section's
heading and paragraphs in the usual fonts, and at the end the source of every figure."""

import io
import zipfile

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from zoneops.briefings.selectors import Briefing
from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import megabytes
from zoneops.common.periods import format_day

# The fonts of a Chinese office document: 方正小标宋 for the title, 黑体 for headings,
# 仿宋 for the text; Word falls back to what the machine has.
TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
CHINESE_NUMBERS = "一二三四五六七八九十"


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    properties = run._element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def briefing_docx(briefing: Briefing) -> bytes:
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(briefing.title), TITLE_FONT, 22)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    words = _("数据截至%(day)s，由系统根据业务记录生成") % {"day": format_day(briefing.as_of)}
    if not briefing.whole_zone:
        words += _("（仅含您数据范围内的记录）")
    _font(note.add_run(words), BODY_FONT, 12)
    for index, section in enumerate(briefing.sections):
        heading = document.add_paragraph()
        number = CHINESE_NUMBERS[index] if index < len(CHINESE_NUMBERS) else str(index + 1)
        _font(heading.add_run(f"{number}、{section.title}"), HEADING_FONT, 16)
        for paragraph in section.paragraphs:
            body = document.add_paragraph()
            body.paragraph_format.first_line_indent = Pt(32)
            _font(body.add_run(paragraph.text), BODY_FONT, 16)
    figures = briefing.figures
    if figures:
        heading = document.add_paragraph()
        _font(heading.add_run(_("附：数据来源")), HEADING_FONT, 14)
        for number, figure in enumerate(figures, start=1):
            line = document.add_paragraph()
            # The table the figure is read from, in the words of the page that shows it; the
            # query itself is on the briefing's page and in the API, not in a clerk's document.
            text = f"{number}. {figure}：{figure.source}"
            _font(line.add_run(text), BODY_FONT, 10.5)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


MAX_UPLOAD_BYTES = 5 * 2**20  # a long report as .docx, with its pictures
MAX_UNPACKED_BYTES = 50 * 2**20  # what such a file unpacks to


def text_of_upload(*, name: str, data: bytes) -> str:
    """The text of an uploaded .txt (UTF-8, or GB18030 as Chinese Windows writes it) or .docx
    (its paragraphs and its tables' cells), for the figure check."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not data:
        raise ApplicationError(_("上传的文件是空的。"), field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("文件过大（%(size)s MB），最大%(limit)s MB。")
            % {"size": megabytes(len(data), over=True), "limit": megabytes(MAX_UPLOAD_BYTES)},
            field="file",
        )
    if suffix == "txt":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ApplicationError(_("无法识别文本文件的编码，请另存为UTF-8。"), field="file")
    if suffix == "docx":
        try:
            # A .docx is a zip: what it unpacks to is bounded before anything parses it.
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise ApplicationError(
                _("“%(name)s”不是有效的Word（.docx）文件。") % {"name": name}, field="file"
            ) from error
        if unpacked > MAX_UNPACKED_BYTES:
            raise ApplicationError(
                _("“%(name)s”解压后过大（%(size)s MB），最大%(limit)s MB。")
                % {
                    "name": name,
                    "size": megabytes(unpacked, over=True),
                    "limit": megabytes(MAX_UNPACKED_BYTES),
                },
                field="file",
            )
        try:
            document = Document(io.BytesIO(data))
        except Exception as error:  # python-docx raises several kinds for a broken package
            raise ApplicationError(
                _("“%(name)s”不是有效的Word（.docx）文件。") % {"name": name}, field="file"
            ) from error
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("，".join(cell.text for cell in row.cells))
        return "\n".join(lines)
    raise ApplicationError(_("只能上传.txt或.docx文件。"), field="file")
