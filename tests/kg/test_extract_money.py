"""Amount parsing and unit conversion (kg.money)."""

from decimal import Decimal

import pytest

from kg.money import find_amount, parse_decimal, to_yuan, unit_factor


@pytest.mark.parametrize("printed, value", [
    ("45,928.08", Decimal("45928.08")), ("1 234.5", Decimal("1234.5")), ("４５９２８.０８", Decimal("45928.08")),
    ("30000", Decimal("30000")), ("0.00", Decimal("0.00")), (" 12.60 ", Decimal("12.60")), ("(5.5)", Decimal("-5.5")),
])
def test_parse(printed, value):
    assert parse_decimal(printed) == value


@pytest.mark.parametrize("printed", ["", "-", "—", "  ", None, "合计", "19.15%", "2024年"])
def test_blank_and_non_numbers_are_none(printed):
    assert parse_decimal(printed) is None


def test_units():
    assert to_yuan("45,928.08", "万元") == Decimal("459280800")
    assert to_yuan("133491208.00", "元") == Decimal("133491208")
    assert to_yuan("1.5", "亿元") == Decimal("150000000")
    assert to_yuan("0.72", "单位：万元") == Decimal("7200")
    assert unit_factor("金额单位: 元") == Decimal(1)
    assert unit_factor("单位名称：某局") is None
    assert to_yuan("", "万元") is None


def test_units_that_contain_wan_are_not_wan():
    # 百万元 contains 万元: read as 万元 it would make every figure 100 times too small
    assert unit_factor("单位：百万元") == Decimal(1000000)
    assert unit_factor("金额单位：十万元") == Decimal(100000)
    assert unit_factor("千万元") == Decimal(10000000)
    assert to_yuan("12.34", "单位：百万元") == Decimal("12340000")
    assert unit_factor("单位：万元") == Decimal(10000)
    assert find_amount("投资 3.2百万元") == (Decimal("3200000"), "百万元")


def test_exact_decimal_no_float_error():
    assert to_yuan("13349.1208", "万元") == Decimal("133491208")
    assert str(to_yuan("0.1", "万元")) == "1000"


def test_find_amount_in_text():
    assert find_amount("2024 年机关运行经费预算总额 67.47 万元，比上年") == (Decimal("674700"), "万元")
    assert find_amount("公用经费 4.56 万，较上年无变化") == (Decimal("45600"), "万元")
    assert find_amount("没有金额") is None


def test_digits_run_together_are_no_amount():
    """A cell of digits run together (codes and dates of a misread row, 20+ digits) is no
    figure: parsing it gives None rather than a number the canonical form cannot hold."""
    from kg.money import normalize, parse_decimal

    assert parse_decimal("2023122023120120231220231201") is None
    assert parse_decimal("999999999999999.99") == Decimal("999999999999999.99")
    assert normalize(parse_decimal("123456789012345")) == Decimal("123456789012345")
