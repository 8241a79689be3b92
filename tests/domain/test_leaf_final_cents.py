"""leaf_final_cents (from a database's Σ/n/min/max of integer cents) equals leaf_final."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scorecard.domain.scoring import leaf_final, leaf_final_cents

cents = st.integers(min_value=-2000, max_value=20000)


@given(st.lists(cents, min_size=0, max_size=9), st.booleans())
def test_same_as_leaf_final(values, trimmed):
    decimals = [Decimal(v).scaleb(-2) for v in values]
    expected = leaf_final(decimals, trimmed)
    got = leaf_final_cents(sum(values), len(values), min(values, default=0), max(values, default=0), trimmed)
    assert got == expected


def test_half_up_examples():
    assert leaf_final_cents(9554 + 9555, 2, 9554, 9555, False) == Decimal("95.55")  # 95.545 → 95.55
    assert leaf_final_cents(100 + 0 + 0, 3, 0, 100, False) == Decimal("0.33")
    assert leaf_final_cents(200, 3, 0, 100, False) == Decimal("0.67")
    assert leaf_final_cents(0, 0, 0, 0, True) is None
