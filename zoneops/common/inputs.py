"""What every edge refuses before anything is looked up or written: one rule for each kind of
input, called from the API (zoneops.api.schemas, zoneops.api.checks), the forms
(zoneops.common.forms), the records (`BusinessModel.clean_fields`), the pages' URLs (`IdConverter`)
and the Excel importer (zoneops.common.importing).

- An id is a positive 64-bit integer: a larger number names no record, and SQLite cannot even
  bind it (OverflowError).
- A text holds no control character (a multi-line text keeps its line breaks and tabs), nothing
  a database cannot store (NUL for PostgreSQL, a lone surrogate for any encoder), and is not made
  only of invisible characters (zero-width spaces, a byte-order mark, ...).
- A date lies within the range its kind makes plausible (`DateKind`); none lies before Excel's
  first day, so every stored date exports as a real Excel date. A month is read from its text
  once (`read_month`, `parse_month`) and held to the same range.
"""

import re
from datetime import date
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.periods import Period, format_day

# --- ids -----------------------------------------------------------------------------------------

MAX_ID = 2**63 - 1  # the largest value of a 64-bit id column (BigAutoField, a foreign key)


def parse_id(text: str) -> int | None:
    """The id a text (a URL's part, a form's value) names, or None when it names none."""
    text = str(text).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter:
    """`<id:pk>` in a page's URL: a record's id, else the URL matches nothing (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


# --- text ----------------------------------------------------------------------------------------

_INVISIBLE_CLASS = (
    "[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
# What shows nothing: whitespace, and the characters str.strip() keeps — zero-width spaces and
# joiners, direction marks, the byte-order mark, soft hyphen, variation selectors, fillers.
_INVISIBLE = re.compile(_INVISIBLE_CLASS + "+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but \t \n \r
_SURROGATE = re.compile("[\ud800-\udfff]")  # half a character: no encoder writes it
# Two quick looks tell an ordinary text (an import checks a million cells): no control
# character, line break or surrogate, and a visible first character.
_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_INVISIBLE_FIRST = re.compile(_INVISIBLE_CLASS)


_APART = "\uffff"  # a noncharacter: no text is expected to hold it, and it is not suspect
_INVISIBLE_AFTER_APART = re.compile(_APART + _INVISIBLE_CLASS)


def texts_plain(texts: list[str]) -> bool:
    """Whether `text_error` passes every one of these texts, seen at once (an import's column):
    no control character, line break or surrogate in any, none starting with an invisible
    character. False sends the texts to `text_error` one by one (a text holding _APART only
    costs that closer look)."""
    joined = _APART + _APART.join(texts)
    return not (_SUSPECT.search(joined) or _INVISIBLE_AFTER_APART.search(joined))


def text_error(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as a text, or None. `multiline` keeps line breaks and tabs
    (a description, a note); a one-line text (a name, a title) refuses them too."""
    if not (_SUSPECT.search(value) or _INVISIBLE_FIRST.match(value)):
        return None
    if _CONTROL.search(value):
        return _(
            "含有看不见的特殊字符（常见于从 Word、网页或聊天软件复制的文字），请删除后重新输入。"
        )
    if _SURROGATE.search(value):
        return _("含有无法保存的字符（可能是复制时损坏的表情或生僻字），请删除后重新输入。")
    if not multiline and ("\t" in value or "\n" in value or "\r" in value):
        return _("只能填写一行：请删除其中的换行符或制表符。")
    if _INVISIBLE.fullmatch(value) and value.strip():
        return _("不能只有看不见的字符（如零宽空格），请填写内容。")
    return None


# --- dates ---------------------------------------------------------------------------------------

FIRST_DAY = date(1900, 1, 1)  # Excel's first day: no earlier date exports as a date
FIRST_RECORD_DAY = date(1990, 1, 1)  # no record of the zone's work is older
LAST_DAY = date(2100, 12, 31)  # no plan, deadline or report reaches further
FIRST_YEAR, LAST_YEAR = FIRST_RECORD_DAY.year, LAST_DAY.year  # a year asked for (figures, plans)


# A mainland mobile number, in ASCII digits (a regex's \d also takes full-width ones).
MOBILE_PATTERN = "1[3-9][0-9]{9}"
_MOBILE = re.compile(f"^{MOBILE_PATTERN}$")


def mobile_normalised(mobile: str) -> str:
    """A mobile number as it is kept and compared: spaces and dashes typed in it left out."""
    return (mobile or "").strip().replace(" ", "").replace("-", "")


def mobile_error(mobile: str) -> str | None:
    """Why `mobile` (normalised) is not a mobile number; None when it is one."""
    if not mobile:
        return _("请填写手机号。")
    if not _MOBILE.match(mobile):
        return _("手机号应为11位数字，以13至19开头，如13812345678。")
    return None


def year_error(year: int) -> str | None:
    """Why `year` is no year of the zone's records (a year's figures, plan or statistics)."""
    if FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return _("年度应在%(first)d至%(last)d之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR}


class DateKind(StrEnum):
    ANY = "any"  # a date asked for in a filter or a report: 1900-01-01 to 2100-12-31
    FOUNDED = "founded"  # an enterprise's or a body's founding: 1900-01-01 to today
    RECORD = "record"  # any date of a record (planned, due, held): 1990-01-01 to 2100-12-31
    PAST = "past"  # a day something happened (filed, routed, done): 1990-01-01 to today


def date_bounds(kind: DateKind, *, today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    first = FIRST_DAY if kind in (DateKind.ANY, DateKind.FOUNDED) else FIRST_RECORD_DAY
    last = today if kind in (DateKind.FOUNDED, DateKind.PAST) else LAST_DAY
    return first, last


def date_error(
    value: date, kind: DateKind = DateKind.ANY, *, today: date | None = None
) -> str | None:
    """Why `value` is not a plausible date of its kind, or None (days as reports write them)."""
    first, last = date_bounds(kind, today=today)
    if value < first:
        return _("%(on)s早于%(first)s（可登记的最早日期），请检查年份。") % {
            "on": format_day(value),
            "first": format_day(first),
        }
    if value > last:
        if kind in (DateKind.FOUNDED, DateKind.PAST):
            return _("%(on)s晚于今天：尚未发生的事不能登记。") % {"on": format_day(value)}
        return _("%(on)s晚于%(last)s（可登记的最晚日期），请检查年份。") % {
            "on": format_day(value),
            "last": format_day(last),
        }
    return None


def month_error(month: date, kind: DateKind = DateKind.RECORD) -> str | None:
    """`date_error` for a month (its first day), said as a month: 2200年3月."""
    first, last = date_bounds(kind)
    if first.replace(day=1) <= month <= last:
        return None
    if month > last and kind in (DateKind.FOUNDED, DateKind.PAST):
        return _("%(month)s晚于本月：尚未发生的事不能登记。") % {"month": _month_text(month)}
    limit = first if month < first else last
    message = (
        _("%(month)s早于%(limit)s（可登记的最早月份），请检查年份。")
        if month < first
        else _("%(month)s晚于%(limit)s（可登记的最晚月份），请检查年份。")
    )
    return message % {"month": _month_text(month), "limit": _month_text(limit)}


def _month_text(month: date) -> str:
    return Period.of_month(month).label


# --- months --------------------------------------------------------------------------------------

_MONTH_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
# A year of up to four digits: 0001-01-01 is read as a day, for `date_error` to refuse by name.
_DAY_TEXT = re.compile(r"(\d{1,4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")


def read_day(text: str, *, leading: bool = False) -> date | None:
    """The day a text names — 2019-10-01, 2019/10/1, 2019.10.01, 2019年10月1日, 20191001 — or None
    when it names none (30 February, month 13, words). `leading`: the day the text begins with,
    whatever follows (a filter's 2019-10-01 08:00). Its range is for `date_error` to judge."""
    text = str(text).strip()
    if leading:
        found = _DAY_TEXT.match(text)
    else:
        found = _DAY_TEXT.fullmatch(text) or _COMPACT_DAY.fullmatch(text)
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None  # not a day at all


def read_month(text: str) -> date | None:
    """The first day of the month a text names — 2019-10, 2019/10, 2019年10月, or a day in the
    month (2019-10-01) — or None when it names none. Its range is for `parse_month` (or the
    importer's date check) to judge."""
    text = str(text).strip()
    if found := _MONTH_TEXT.fullmatch(text):
        try:
            return date(int(found[1]), int(found[2]), 1)
        except ValueError:
            return None  # month 13, year 0
    day = read_day(text)
    return day.replace(day=1) if day else None


def parse_month(text: str, kind: DateKind = DateKind.RECORD) -> date:
    """The first day of the month `text` names (`read_month`), a month of `kind`'s range (a
    record's by default: 1990-01 to 2100-12); ValidationError saying why otherwise."""
    month = read_month(text)
    if month is None:
        raise ValidationError(_("月份格式应为 YYYY-MM，如 2019-10。"), code="invalid")
    problem = month_error(month, kind)
    if problem:
        raise ValidationError(problem, code="range")
    return month


# --- a record's fields ---------------------------------------------------------------------------


def field_error(field: Any, value: Any, *, kind: DateKind = DateKind.RECORD) -> str | None:
    """Why a model field's value breaks the rules above, or None: a text field's text (one line
    unless it is a TextField), a date field's date of `kind`. Choices are the field's to check."""
    if value is None or getattr(field, "choices", None):
        return None
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        return text_error(value, multiline=isinstance(field, models.TextField))
    if (
        isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
        and isinstance(value, date)
    ):
        return date_error(value, kind)
    return None
