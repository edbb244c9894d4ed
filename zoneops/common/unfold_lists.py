"""unfold's changelist helpers, without the work they repeat on every row and cell.

Drawing a list of 50 rows, unfold (0.91) works out every column header again for each row
(three query strings per column, only for the header's text), renders a whole template for
each yes/no cell and for each label cell. The output of each depends on a few values only:
the headers on the list, a yes/no icon on the value's truth and the language, a label on its
text and colour. Here each is worked out once (per list, or per process for the icons and
labels) and the same HTML is returned; `install` swaps them in when the admin is ready.
"""

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language
from unfold import utils
from unfold.templatetags import unfold_list

_HEADERS = "_zoneops_result_headers"


def _once_per_list(result_headers: Callable[[Any], Iterator[dict]]) -> Callable:
    def headers(cl: Any) -> Iterator[dict]:
        found = vars(cl).get(_HEADERS)
        if found is None:
            found = vars(cl)[_HEADERS] = list(result_headers(cl))
        return iter(found)

    headers.__wrapped__ = result_headers  # type: ignore[attr-defined]
    return headers


def _icon_per_truth(boolean_icon: Callable[[Any], str]) -> Callable:
    @lru_cache(maxsize=32)
    def icon(truth: bool | None, language: str | None) -> str:
        return boolean_icon(truth)

    def cached(value: Any) -> str:
        # The template tells apart "unknown" (None or ''), true and false: nothing else.
        truth = None if value is None or value == "" else bool(value)
        return icon(truth, get_language())

    cached.__wrapped__ = boolean_icon  # type: ignore[attr-defined]
    return cached


def _label_per_text(display_for_label: Callable[..., str]) -> Callable:
    @lru_cache(maxsize=2048)
    def label(text: str, safe: bool, colour: str | None) -> str:
        return display_for_label(SafeString(text) if safe else text, "", {text: colour})  # nosec B703 # it was a SafeString (the cache keys on str)

    def cached(value: Any, empty_value_display: str, colours: Any) -> str:
        colour, text = None, value
        if isinstance(colours, dict):
            if isinstance(value, tuple):
                if value and value[0] in colours and len(value) > 1:
                    colour, text = colours[value[0]], value[1]
                else:
                    return display_for_label(value, empty_value_display, colours)
            elif isinstance(value, str) and value in colours:
                colour = colours[value]
        if not isinstance(text, str) or not isinstance(colour, str | None):
            return display_for_label(value, empty_value_display, colours)
        return label(str(text), isinstance(text, SafeData), colour)

    cached.__wrapped__ = display_for_label  # type: ignore[attr-defined]
    return cached


def install() -> None:
    if getattr(unfold_list, _HEADERS, False):
        return
    unfold_list.result_headers = _once_per_list(unfold_list.result_headers)
    utils._boolean_icon = _icon_per_truth(utils._boolean_icon)
    unfold_list.display_for_label = _label_per_text(unfold_list.display_for_label)
    setattr(unfold_list, _HEADERS, True)
