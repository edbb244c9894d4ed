"""Reading figures out of Chinese text: numbers in digits and in Chinese numerals, with their
units, how sure the text is of them, and the period they speak of."""

from decimal import Decimal

from zoneops.briefings.checking import agrees, chinese_number, figures_in, periods_in


def test_chinese_numerals():
    assert [chinese_number(t) for t in ("两", "十二", "一百零三", "三千", "二十")] == [
        2,
        12,
        103,
        3000,
        20,
    ]
    assert chinese_number("一些") is None


def test_figures_with_units_bounds_and_periods():
    text = (
        "2019年，主营业务收入突破1000亿元，全部财政收入21.7亿元，同比增长30.24%；"
        "整车产量16.3万台，累计突破47.7万辆。2020年1-10月，完成8000余件，引进十二家企业，"
        "能耗同比下降4.5%，首期占地395亩、建筑面积约26万平方米，拨付1.23亿元。电话12345。"
    )
    found = {figure.text: figure for figure in figures_in(text)}
    assert set(found) == {
        "突破1000亿元",
        "21.7亿元",
        "30.24%",
        "16.3万台",
        "突破47.7万辆",
        "8000余件",
        "十二家",
        "4.5%",
        "395亩",
        "约26万平方米",
        "1.23亿元",
    }
    assert found["突破1000亿元"].value == 10_000_000 and found["突破1000亿元"].base == "万元"
    assert found["突破1000亿元"].bound == "at_least" and found["8000余件"].bound == "at_least"
    assert found["约26万平方米"].bound == "about" and found["约26万平方米"].value == 260_000
    assert found["突破47.7万辆"].value == 477_000 and found["突破47.7万辆"].base == "辆"
    assert found["十二家"].value == 12
    assert found["4.5%"].value == Decimal("-4.5")  # 下降
    assert (found["21.7亿元"].year, found["21.7亿元"].month) == (2019, 12)
    assert (found["8000余件"].year, found["8000余件"].month) == (2020, 10)
    assert found["21.7亿元"].before == "全部财政收入"
    assert found["30.24%"].before == "同比增长"


def test_periods_as_reports_name_them():
    assert [p[1:] for p in periods_in("2019年；2019年1-10月；2020年3月；2021年前三季度")] == [
        (2019, 12),
        (2019, 10),
        (2020, 3),
        (2021, 9),
    ]


def test_agreement_rounds_as_the_text_rounds_and_honours_its_bounds():
    (exact,) = figures_in("2019年，总投资61.16亿元")
    assert agrees(exact, Decimal(611_600)) and not agrees(exact, Decimal(611_700))
    (rounded,) = figures_in("2019年，总投资445亿元")
    assert agrees(rounded, Decimal("4449990")) and not agrees(rounded, Decimal(4_470_000))
    (at_least,) = figures_in("2019年，收入突破1000亿元")
    assert agrees(at_least, Decimal(10_344_300)) and not agrees(at_least, Decimal(9_990_000))
    (fall,) = figures_in("2019年，同比下降4.5%")
    assert agrees(fall, Decimal("-4.5")) and not agrees(fall, Decimal("4.5"))


def test_text_without_figures_and_odd_characters():
    assert figures_in("") == []
    assert figures_in("没有数字的一段话。") == []
    assert figures_in("2019年") == []  # a year is no figure
    assert [f.text for f in figures_in("共3个\u200b项目，5%")] == ["3个", "5%"]


def test_a_long_text_is_read_in_one_pass_and_absurd_numbers_are_no_figures():
    figures = figures_in("2019年，共3个。" * 20_000)  # 180,000 characters
    assert len(figures) == 20_000 and figures[-1].sentence == 19_999
    assert figures_in("2019年，编号1234567890123456789012345678901亿元。") == []
    (long_places,) = figures_in("2019年，收入21.7000000001亿元。")
    assert agrees(long_places, Decimal(217_000))
