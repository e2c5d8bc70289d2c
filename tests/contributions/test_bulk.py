"""The bulk writer's leaves are exactly the audit chain's canonical leaves."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from quanyi.audit import tracking
from quanyi.contributions import bulk
from quanyi.contributions.models import Line
from quanyi.core.principal import Principal

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
    assert bulk.line_leaf(pk, row).hex() == expected


@pytest.mark.django_db
def test_a_line_naming_no_such_person_or_bill_is_refused_with_its_unit(
    principal: Principal,
) -> None:
    from quanyi.contributions.models import Bill
    from tests.registry import builders

    employer = builders.employer(principal)
    person = builders.person(principal)
    bill = Bill.objects.create(employer=employer, month="2025-01", due_fen=0, lines=1)
    good: bulk.LineRow = (bill.pk, person.pk, "pension", "2025-01", 1, 0, 0, 0, "due")
    with transaction.atomic():
        first, leaves = bulk.write_lines([good], seq=1)
    assert Line.objects.filter(pk=first).exists() and len(leaves) == 1
    for bad in (
        (bill.pk, person.pk + 1000, "pension", "2025-01", 1, 0, 0, 0, "due"),
        (bill.pk + 1000, person.pk, "pension", "2025-01", 1, 0, 0, 0, "due"),
    ):
        with pytest.raises(IntegrityError, match="do not exist"), transaction.atomic():
            bulk.write_lines([good, bad], seq=2)
    assert Line.objects.count() == 1  # the refused units left nothing
