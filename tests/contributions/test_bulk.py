"""The bulk writer's leaves are exactly the audit chain's canonical leaves."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quanyi.audit import tracking
from quanyi.contributions import bulk
from quanyi.contributions.models import Line

ids = st.integers(min_value=1, max_value=2**62)
fen = st.integers(min_value=0, max_value=10**12)


@given(
    ids,
    ids,
    ids,
    st.sampled_from(["pension", "medical", "unemployment", "injury", "maternity"]),
    st.sampled_from(["2016-01", "2025-12", "1999-07"]),
    fen,
    fen,
    fen,
    fen,
    st.sampled_from(["due", "backpay"]),
)
def test_line_leaf_matches_the_canonical_leaf(
    pk: int,
    bill: int,
    person: int,
    insurance: str,
    month: str,
    base: int,
    er: int,
    ee: int,
    ac: int,
    kind: str,
) -> None:
    row: bulk.LineRow = (bill, person, insurance, month, base, er, ee, ac, kind)
    expected = tracking.leaf("line", tracking.fields_of(Line), pk, row)
    assert bulk.line_leaf(pk, row) == expected
