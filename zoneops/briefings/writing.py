"""A briefing's text as parts: words, and figures that remember where they come from.

A sentence is written from a translatable pattern with named places (`%(count)s`) and the
figures that fill them (`sentence`); the parts keep each figure apart from the words around
it, so the page links it to its records, the .docx lists its source, and a test can check
every number against the query that gave it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from zoneops.common.amounts import WAN_PER_YI, plain

_PLACE = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Figure:
    """A number of the text with its unit, as written ("445", "亿元"), and its source: what
    was counted and through which query, and where the records are."""

    text: str
    unit: str
    value: Decimal
    source: str  # e.g. 招商项目情况表（按项目类别），2019年，截至2019年12月31日
    query: str  # e.g. projects.selectors.pipeline.pipeline_summary(year=2019, ...)
    url: str = ""
    # What it counts, in the words a report uses before it ("竣工项目", "竣工项目总投资"),
    # and the part of the records it is about ("重点项目"): the figure check matches by them.
    subject: str = ""
    scope: str = ""

    def __str__(self) -> str:
        return f"{self.text}{self.unit}"

    @property
    def label(self) -> str:
        """What it counts, in the first of its words (竣工项目)."""
        return self.subject.split("|")[0]


Part = str | Figure


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "".join(str(part) for part in self.parts)

    @property
    def figures(self) -> list[Figure]:
        return [part for part in self.parts if isinstance(part, Figure)]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    paragraphs: tuple[Paragraph, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n".join(paragraph.text for paragraph in self.paragraphs)


def sentence(pattern: str, **values: Part) -> tuple[Part, ...]:
    """The pattern's words and values in order: ("2019年，共洽谈项目", Figure(111), "，…")."""
    parts: list[Part] = []
    position = 0
    for match in _PLACE.finditer(pattern):
        if match.start() > position:
            parts.append(pattern[position : match.start()])
        parts.append(values[match.group(1)])
        position = match.end()
    if position < len(pattern):
        parts.append(pattern[position:])
    return tuple(parts)


def joined(groups: Sequence[tuple[Part, ...]], separator: str) -> tuple[Part, ...]:
    """Several clauses as one run of parts, `separator` between them ("；")."""
    parts: list[Part] = []
    for index, group in enumerate(groups):
        if index:
            parts.append(separator)
        parts.extend(group)
    return tuple(parts)


def count(value: int, unit: str, **about: str) -> Figure:
    """A count ("111个"); `about` gives source, query, url, subject and scope."""
    return Figure(str(value), unit, Decimal(value), **about)


def yi(amount_wan: Decimal, **about: str) -> Figure:
    """An amount in 万元 written in 亿元, two places at most ("445亿元", "61.16亿元")."""
    value = Decimal(amount_wan) / WAN_PER_YI
    return Figure(plain(value), _("亿元"), value, **about)


def percent(value: Decimal, **about: str) -> Figure:
    return Figure(plain(value), "%", Decimal(value), **about)


def change(value: Decimal, **about: str) -> tuple[Part, ...]:
    """同比增长 12.3% or 同比下降 4.5%: the word carries the sign (the figure keeps it)."""
    word = _("增长") if value >= 0 else _("下降")
    figure = percent(abs(value), **about)
    return (word, replace(figure, value=Decimal(value)))
