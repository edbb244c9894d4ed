"""unfold's list helpers without their repeated work (common.unfold_lists) draw the same HTML
as unfold's own, in every language."""

import pytest
from django.utils import translation
from django.utils.safestring import mark_safe
from unfold import utils
from unfold.templatetags import unfold_list

from zoneops.common.unfold_lists import _icon_per_truth, _label_per_text, _once_per_list


def _originals():
    # install() wrapped them: each wrapper keeps unfold's own function.
    return utils._boolean_icon.__wrapped__, unfold_list.display_for_label.__wrapped__


def test_the_lists_draw_through_the_cheap_helpers():
    assert utils._boolean_icon.__qualname__.startswith("_icon_per_truth")
    assert unfold_list.display_for_label.__qualname__.startswith("_label_per_text")
    assert unfold_list.result_headers.__qualname__.startswith("_once_per_list")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", [True, False, None, "", 1, 0, "x"])
def test_a_yes_no_cell_is_the_icon_unfold_draws(value, language):
    original, _label = _originals()
    cached = _icon_per_truth(original)
    with translation.override(language):
        assert cached(value) == original(value)
        assert cached(value) == original(value)  # and again, from the cache


COLOURS = {"red": "danger", "green": "success"}


@pytest.mark.parametrize(
    "value, colours",
    [
        (("red", "红灯：节点逾期"), COLOURS),
        (("green", mark_safe("<b>绿灯</b>")), COLOURS),
        (("grey", "未评价"), COLOURS),  # a key without a colour
        ("red", COLOURS),
        ("未知", COLOURS),
        (("red", ["甲", "乙"]), COLOURS),  # several labels
        ("<script>", True),
        ("", COLOURS),
        (None, COLOURS),
        (3, True),
    ],
)
def test_a_label_cell_is_the_label_unfold_draws(value, colours):
    _icon, original = _originals()
    cached = _label_per_text(original)

    assert cached(value, "-", colours) == original(value, "-", colours)
    assert cached(value, "-", colours) == original(value, "-", colours)


def test_a_list_works_out_its_headers_once():
    calls = []

    def headers(cl):
        calls.append(cl)
        yield {"text": "名称"}

    class ChangeList:
        pass

    once = _once_per_list(headers)
    first, second = ChangeList(), ChangeList()

    assert [list(once(first)) for _row in range(50)] == [[{"text": "名称"}]] * 50
    assert list(once(second)) == [{"text": "名称"}]
    assert calls == [first, second]


@pytest.mark.parametrize(
    "text, colour",
    [("逾期3天", "danger"), ("<b>今日到期</b>", "warning"), (mark_safe("<b>办结</b>"), None)],
)
def test_a_badge_is_the_label_unfold_draws_whether_drawn_before_or_not(text, colour):
    from django.template.loader import render_to_string

    from zoneops.common.admin_base import label_html

    drawn = render_to_string("unfold/helpers/label.html", {"text": text, "type": colour or ""})
    assert label_html(text, colour) == drawn
    assert label_html(text, colour) == drawn  # and again, from the cache


def test_a_badge_escapes_a_text_unless_it_is_marked_safe():
    from zoneops.common.admin_base import label_html

    assert "&lt;b&gt;" in label_html("<b>新</b>", "info")
    assert "<b>新</b>" in label_html(mark_safe("<b>新</b>"), "info")
