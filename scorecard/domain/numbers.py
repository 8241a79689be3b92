"""Decimal helpers: parsing, rounding and formatting of points.

Every number in the application passes through here. Rounding is always
ROUND_HALF_UP to two places (matches Excel ROUND and PostgreSQL numeric),
never Python's banker's rounding.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

TWO = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

# Full-width digits and signs typed with a Chinese IME.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．。－＋", "0123456789..-+")
# Points never need more: this keeps "1e999999999" from becoming a huge string.
_MAX_EXPONENT = 20
# Surrounding whitespace, including the ideographic space.
_SPACES = " \t\r\n\u3000\u00a0"


def _invalid(x: object) -> ValueError:
    shown = "空值" if x is None or (isinstance(x, str) and not x.strip(_SPACES)) else str(x)
    return ValueError(f"不是有效的数字：{shown}")


def to_decimal(x: object) -> Decimal:
    """Convert Decimal/int/str/float to a finite Decimal.

    Floats go through ``str(x)`` so that 0.1 becomes Decimal("0.1").
    Raises ValueError (Chinese message) for bool, None, blanks, nan/inf and garbage.
    """
    if type(x) is Decimal:  # the common case first: a ranking converts ~300,000 of them
        d = x
    elif isinstance(x, bool) or x is None:
        raise _invalid(x)
    elif isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, float):
        d = _parse(str(x), x)
    elif isinstance(x, str):
        d = _parse(x.strip(_SPACES).translate(_FULLWIDTH), x)
    else:
        raise _invalid(x)
    if not d.is_finite():
        raise _invalid(x)
    if d and not -_MAX_EXPONENT <= d.adjusted() <= _MAX_EXPONENT:
        raise ValueError(f"不是有效的数字：{x}（数值超出范围）")
    return d


def _parse(text: str, original: object) -> Decimal:
    if not text:
        raise _invalid(original)
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        raise _invalid(original) from None


def q2(x: Decimal) -> Decimal:
    """Quantize to 0.01 with ROUND_HALF_UP (95.545 → 95.55)."""
    d = x if isinstance(x, Decimal) else to_decimal(x)
    return d.quantize(TWO, rounding=ROUND_HALF_UP)


def q2_fraction(f: Fraction) -> Decimal:
    """Round an exact rational to 0.01, half away from zero, with no
    intermediate rounding at all (used for every division)."""
    cents = abs(Fraction(f)) * 100
    n = (2 * cents.numerator + cents.denominator) // (2 * cents.denominator)
    if f < 0:
        n = -n
    return Decimal(n).scaleb(-2)


def q2_div(numerator: Decimal, denominator: Decimal) -> Decimal:
    """q2(numerator / denominator) computed exactly (no 28-digit context)."""
    if denominator == 0:
        raise ZeroDivisionError("除数不能为0")
    return q2_fraction(Fraction(numerator) / Fraction(denominator))


def fmt(x: Decimal | None) -> str:
    """Two-decimal display text; "" for None. Never shows "-0.00"."""
    if x is None:
        return ""
    v = q2(x)
    if v == 0:
        v = abs(v)
    return f"{v:f}"


def plain(x: Decimal | int | str) -> str:
    """Shortest exact text of a number, no exponent, no trailing zeros:
    Decimal("0.80") → "0.8", Decimal("1E+2") → "100". Used for canonical
    JSON strings in rule parameters and inputs."""
    d = to_decimal(x)
    if d == 0:
        return "0"
    text = f"{d:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def places(d: Decimal) -> int:
    """Number of significant decimal places: 1.50 → 1, 2 → 0."""
    text = plain(d)
    return len(text) - text.index(".") - 1 if "." in text else 0


def is_integral(d: Decimal) -> bool:
    return d == d.to_integral_value()


# Largest id/version a database column holds (BIGINT); larger numbers name nothing.
MAX_ID = 2**63 - 1


def parse_id(value: object, max_value: int = MAX_ID) -> int | None:
    """A non-negative whole number typed as ASCII digits ("12", " 7 "), else None.

    The one check for ids, versions and counts from requests: `str.isdigit()` alone also
    accepts "²" or "١٢" (int() then fails or reads them), and a 5,000-digit string makes int()
    raise; numbers over max_value (default: what BIGINT holds) are None too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= max_value else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > 19:
        return None
    number = int(text)
    return number if number <= max_value else None
