"""GB/T 4754-2017 国民经济行业分类: the 20 sections (门类) and the checks of a code.

A code is a section letter, optionally followed by the division (大类, 2 digits), group (中类,
3 digits) or class (小类, 4 digits): "C", "C36", "C367", "C3670". The division must belong to
the letter's section. The enterprise register and the industry catalogue check codes here.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class GbSection(models.TextChoices):
    """The 20 sections (门类) of GB/T 4754-2017."""

    A = "A", gettext_lazy("A 农、林、牧、渔业")
    B = "B", gettext_lazy("B 采矿业")
    C = "C", gettext_lazy("C 制造业")
    D = "D", gettext_lazy("D 电力、热力、燃气及水生产和供应业")
    E = "E", gettext_lazy("E 建筑业")
    F = "F", gettext_lazy("F 批发和零售业")
    G = "G", gettext_lazy("G 交通运输、仓储和邮政业")
    H = "H", gettext_lazy("H 住宿和餐饮业")
    I = "I", gettext_lazy("I 信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", gettext_lazy("J 金融业")
    K = "K", gettext_lazy("K 房地产业")
    L = "L", gettext_lazy("L 租赁和商务服务业")
    M = "M", gettext_lazy("M 科学研究和技术服务业")
    N = "N", gettext_lazy("N 水利、环境和公共设施管理业")
    O = "O", gettext_lazy("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", gettext_lazy("P 教育")
    Q = "Q", gettext_lazy("Q 卫生和社会工作")
    R = "R", gettext_lazy("R 文化、体育和娱乐业")
    S = "S", gettext_lazy("S 公共管理、社会保障和社会组织")
    T = "T", gettext_lazy("T 国际组织")


# Each section letter and the range of its two-digit divisions (大类).
GB4754_SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
_INDUSTRY_CODE = re.compile(r"^([A-T])(\d{2}(?:\d{1,2})?)?$")
_SPLIT = re.compile(r"[,，、;；\s]+")


def normalise_industry_code(value: str) -> str:
    return (value or "").strip().upper()


def industry_code_problem(value: str, *, digits_required: bool = False) -> str | None:
    """Why a GB/T 4754-2017 code ("C", "C36", "C367", "C3670") is not valid; None when it is.
    With `digits_required` a section letter alone is refused (a catalogue maps divisions,
    groups or classes; the section is its own field)."""
    code = normalise_industry_code(value)
    match = _INDUSTRY_CODE.match(code)
    if match is None or (digits_required and match.group(2) is None):
        if digits_required:
            return _("应为门类字母 A-T 加2至4位数字，如 C36、C367、C3670")
        return _("应为门类字母 A-T 加2至4位数字，如 C3670")
    letter, digits = match.groups()
    if digits:
        first, last = GB4754_SECTIONS[letter]
        if not first <= int(digits[:2]) <= last:
            return _("大类 %(division)s 不属于门类 %(letter)s（应为 %(first)02d-%(last)02d）") % {
                "division": digits[:2],
                "letter": letter,
                "first": first,
                "last": last,
            }
    return None


def validate_industry_code(value: str) -> None:
    problem = industry_code_problem(value)
    if problem:
        raise ValidationError(
            _("国民经济行业代码“%(value)s”有误：%(problem)s。")
            % {"value": value, "problem": problem},
            code="invalid_industry_code",
        )


def split_gb_codes(value: str) -> list[str]:
    """The codes of a list typed with commas, 顿号, semicolons or spaces, upper case, in order,
    each once."""
    seen: dict[str, None] = {}
    for part in _SPLIT.split(normalise_industry_code(value)):
        if part:
            seen.setdefault(part, None)
    return list(seen)


def gb_codes_problem(value: str, *, section: str) -> str | None:
    """Why a catalogue's list of codes is not valid: each a section letter with 2-4 digits,
    of a real division, and of the category's section when it has one. None when it is."""
    for code in split_gb_codes(value):
        problem = industry_code_problem(code, digits_required=True)
        if problem:
            return _("“%(code)s”%(problem)s") % {"code": code, "problem": problem}
        if section and code[0] != section:
            return _("“%(code)s”不属于门类 %(section)s，请改填 %(section)s 开头的代码") % {
                "code": code,
                "section": section,
            }
    return None
