"""numbers: parsing, half-up rounding and display."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from scorecard.domain.numbers import TWO, fmt, plain, q2, q2_div, q2_fraction, to_decimal


@pytest.mark.parametrize(
    "value, expected",
    [
        ("95.545", "95.55"),  # banker's rounding (Python round) would give 95.54
        ("95.555", "95.56"),
        ("2.675", "2.68"),  # float 2.675 is 2.67499999…, Decimal is exact
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("-1.005", "-1.01"),  # half away from zero, like Excel ROUND
        ("100", "100.00"),
        ("12.3", "12.30"),
    ],
)
def test_q2_rounds_half_up(value, expected):
    assert str(q2(D(value))) == expected


def test_q2_differs_from_python_round():
    # The reason q2 exists: round() uses ROUND_HALF_EVEN on Decimal.
    assert round(D("95.545"), 2) == D("95.54")
    assert q2(D("95.545")) == D("95.55")
    assert TWO == D("0.01")


@pytest.mark.parametrize(
    "num, den, expected",
    [
        ("59", "6", "9.83"),  # 9.8333…
        ("1", "8", "0.13"),  # 0.125 exactly → half up
        ("191.09", "2", "95.55"),  # 95.545 exactly
        ("-1", "8", "-0.13"),
    ],
)
def test_q2_div_is_exact_half_up(num, den, expected):
    assert q2_div(D(num), D(den)) == D(expected)


def test_q2_fraction_exact_boundary():
    # 1/200 = 0.005 exactly: rounds up; one part in 10^40 below must round down.
    assert q2_fraction(Fraction(1, 200)) == D("0.01")
    assert q2_fraction(Fraction(1, 200) - Fraction(1, 10**40)) == D("0.00")


def test_q2_div_rejects_zero():
    with pytest.raises(ZeroDivisionError):
        q2_div(D(1), D(0))


@pytest.mark.parametrize(
    "raw, expected",
    [
        (D("8.50"), D("8.50")),
        (7, D("7")),
        ("  95.5 ", D("95.5")),
        ("９５．５", D("95.5")),  # full-width digits and point
        ("\u30008\u3000", D("8")),  # ideographic spaces
        (0.1, D("0.1")),  # float via str(): not 0.1000000000000000055…
        (2.675, D("2.675")),
        ("-3", D("-3")),
        ("1e2", D("100")),
    ],
)
def test_to_decimal_accepts(raw, expected):
    result = to_decimal(raw)
    assert isinstance(result, D)
    assert result == expected


@pytest.mark.parametrize(
    "raw",
    [True, False, None, "", "   ", "abc", "1,5", "NaN", "inf", "-Infinity",
     float("nan"), float("inf"), D("NaN"), D("Infinity"), [1], object(),
     "1e999999999", "1e-999999999", D("1E+21")],
)
def test_to_decimal_rejects(raw):
    with pytest.raises(ValueError, match="^不是有效的数字："):
        to_decimal(raw)


def test_to_decimal_keeps_zero_with_any_exponent():
    assert to_decimal("0e-999999") == 0
    assert to_decimal("1e20") == D("1E+20")


def test_to_decimal_message_names_the_value():
    with pytest.raises(ValueError) as err:
        to_decimal("十分")
    assert str(err.value) == "不是有效的数字：十分"


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ""),
        (D("95.5"), "95.50"),
        (D("95.545"), "95.55"),
        (D("0"), "0.00"),
        (D("-0.001"), "0.00"),  # never "-0.00"
        (D("1E+2"), "100.00"),  # never scientific notation
        (D("-3.5"), "-3.50"),
    ],
)
def test_fmt(value, expected):
    assert fmt(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(D("0.80"), "0.8"), (D("1E+2"), "100"), (D("2.000"), "2"), (D("-0"), "0"),
     (D("12.34"), "12.34"), (3, "3")],
)
def test_plain(value, expected):
    assert plain(value) == expected
