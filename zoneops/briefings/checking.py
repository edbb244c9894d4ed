"""Reading the figures out of a Chinese text (数据核对): every number with its unit, how sure
the text is of it (突破, 超, 余, 近), the words around it and the year it speaks of.

Pure text work, no records: zoneops.briefings.selectors.figure_check matches what this reads
against the records' figures and checks the text's own sums.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Longest first: 万平方米 before 平方米, 亿元 before 元. Each unit in the records' base unit.
UNITS: dict[str, tuple[str, int]] = {
    "万平方米": ("平方米", 10_000),
    "平方米": ("平方米", 1),
    "亿元": ("万元", 10_000),
    "万元": ("万元", 1),
    "万辆": ("辆", 10_000),
    "万台": ("台", 10_000),
    "万人": ("人", 10_000),
    "公里": ("公里", 1),
    "个": ("个", 1),
    "家": ("家", 1),
    "件": ("件", 1),
    "项": ("项", 1),
    "亩": ("亩", 1),
    "台": ("台", 1),
    "辆": ("辆", 1),
    "人": ("人", 1),
    "场": ("场", 1),
    "次": ("次", 1),
    "%": ("%", 1),
    "％": ("%", 1),
}
# A count the records keep under one unit may be written with another: projects are 个 or 项.
SAME_UNITS = {"项": "个", "场": "次"}

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
DIGITS |= {"七": 7, "八": 8, "九": 9}
SMALL = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}

MAX_DIGITS = 18  # digits and decimals of a figure a report writes
AT_LEAST = ("突破", "超过", "超", "逾", "以上", "余", "多")
ABOUT = ("近", "约", "左右", "接近")
FALLS = ("下降", "减少", "回落")

_UNIT = "|".join(re.escape(unit) for unit in UNITS)
_FIGURE = re.compile(
    r"(?P<before>突破|超过|超|逾|近|约|接近)?"
    r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<big>[万亿](?!元|辆|台|人|平方米))?"
    r"(?P<rough>余|多)?"
    rf"(?P<unit>{_UNIT})"
    r"(?P<after>以上|左右)?"
)
_PERIOD = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})年"
    r"(?:(?:1|一)\s*[-—–~～至到]\s*(?P<last>\d{1,2})月|(?P<month>\d{1,2})月|"
    r"(?P<quarter>一季度|上半年|前三季度))?"
)
QUARTER_MONTHS = {"一季度": 3, "上半年": 6, "前三季度": 9}
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_MARK = re.compile(r"[，,；;：:。！？!?\n（）()]")


def chinese_number(text: str) -> int | None:
    """十二 → 12, 两 → 2, 一百零三 → 103, 三千 → 3000; None if it is not one."""
    if not text or any(ch not in DIGITS and ch not in SMALL for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * SMALL[ch]
            digit = None
    return total + (digit or 0)


@dataclass(frozen=True)
class TextFigure:
    """A figure as the text writes it, and what it is in the records' unit."""

    text: str  # "突破47.7万辆"
    start: int
    end: int
    value: Decimal  # in `base` (477000 for 47.7万辆; 4470000 for 447亿元)
    written: Decimal  # as written (47.7)
    unit: str  # as written: 万辆
    base: str  # 辆
    bound: str  # "", "at_least" (突破, 超, 余, 以上) or "about" (近, 约, 左右)
    places: int  # the decimals written: 2 for 61.16
    year: int | None  # the year it speaks of
    month: int  # the last month of the period it speaks of (12: the year)
    before: str  # the words of its clause before it ("其中,竣工项目")
    after: str  # the words after it up to the clause's end ("省、市重点项目中")
    sentence: int  # the index of its sentence in the text

    @property
    def scale(self) -> int:
        return UNITS[self.unit][1]


def _number(match: re.Match[str]) -> tuple[Decimal, int] | None:
    raw = match.group("number").replace(",", "")
    if len(raw) > MAX_DIGITS:
        return None  # no report writes a figure of more digits: a code, not an amount
    if raw[0].isdigit():
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return None
        places = len(raw.partition(".")[2])
    else:
        value = chinese_number(raw)
        if value is None:
            return None
        number, places = Decimal(value), 0
    if match.group("big"):
        number *= BIG[match.group("big")]
    return number, places


def sentences_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence."""
    spans, start = [], 0
    for mark in _SENTENCE_END.finditer(text):
        spans.append((start, mark.end()))
        start = mark.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def periods_in(text: str) -> list[tuple[int, int, int]]:
    """(position, year, last month) of every period the text names: "2019年" (to December),
    "2019年1-10月", "2019年10月" (1-10月, as cumulative figures are reported), "2019年前三季度"."""
    found = []
    for match in _PERIOD.finditer(text):
        last = match.group("last") or match.group("month")
        month = int(last) if last else QUARTER_MONTHS.get(match.group("quarter") or "", 12)
        found.append((match.start(), int(match.group("year")), month if 1 <= month <= 12 else 12))
    return found


def figures_in(text: str) -> list[TextFigure]:
    """Every figure of the text with a unit, in order. A number with no unit (a date, a
    telephone number) is not a figure; a year ("2019年") is not one either."""
    spans = sentences_of(text)
    periods = periods_in(text)
    found = []
    previous_end = 0
    # Read once, looked up by position (bisect): a long report stays one pass.
    sentence_starts = [start for start, _end in spans]
    marks = [mark.end() for mark in _CLAUSE_MARK.finditer(text)]
    period_starts = [period[0] for period in periods]
    for match in _FIGURE.finditer(text):
        parsed = _number(match)
        if parsed is None:
            continue
        written, places = parsed
        unit = match.group("unit")
        base, factor = UNITS[unit]
        base = SAME_UNITS.get(base, base)
        start, end = match.span()
        sentence = bisect_right(sentence_starts, start) - 1
        # Its words start after the clause's mark or the figure before it ("周对接会2次、
        # 月例会2次": 月例会 names the second).
        index = bisect_right(marks, start) - 1
        clause_start = max(marks[index] if index >= 0 else 0, previous_end)
        next_mark = _CLAUSE_MARK.search(text, end)
        clause_end = next_mark.start() if next_mark else len(text)
        # The period it speaks of: the last one written before it.
        index = bisect_left(period_starts, start) - 1
        period = periods[index] if index >= 0 else None
        year, month = (period[1], period[2]) if period else (None, 12)
        words = (match.group("before") or "") + (match.group("rough") or "")
        words += match.group("after") or ""
        bound = "at_least" if any(w in words for w in AT_LEAST) else ""
        if not bound and any(w in words for w in ABOUT):
            bound = "about"
        value = written * factor
        before = text[clause_start:start]
        if base == "%" and any(before.endswith(word) for word in FALLS):
            value = -value
        found.append(
            TextFigure(
                text=match.group(0),
                start=start,
                end=end,
                value=value,
                written=written,
                unit=unit,
                base=base,
                bound=bound,
                places=places,
                year=year,
                month=month,
                before=before,
                after=text[end:clause_end],
                sentence=sentence,
            )
        )
        previous_end = end
    # The words after a figure stop where the next one begins.
    for index in range(len(found) - 1):
        figure, gap = found[index], found[index + 1].start - found[index].end
        if gap < len(figure.after):
            found[index] = replace(figure, after=figure.after[: max(0, gap)])
    return found


def agrees(figure: TextFigure, records: Decimal) -> bool:
    """Whether the records' value (in the base unit) says what the text says: equal once
    rounded as the text rounds; at least it for 突破/超/余; within 5% for 近/约. A fall
    (同比下降4.5%) is the negative change."""
    theirs = records / figure.scale
    ours = -figure.written if figure.value < 0 else figure.written
    if figure.bound == "at_least":
        return theirs >= ours
    if figure.bound == "about":
        return abs(theirs - ours) <= abs(ours) * Decimal("0.05")
    return rounded(theirs, figure.places) == rounded(ours, figure.places)


def rounded(value: Decimal, places: int) -> Decimal:
    """Rounded half up to `places` as reports round (at most six: no report writes more)."""
    return value.quantize(Decimal(1).scaleb(-min(places, 6)), ROUND_HALF_UP)
