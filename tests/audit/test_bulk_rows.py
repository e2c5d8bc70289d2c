"""The generic bulk writer's leaves are exactly the audit chain's canonical leaves, and what it
writes verifies."""

from __future__ import annotations

import pytest
from django.db import transaction

from quanyi.audit import bulk, tracking
from quanyi.audit import services as audit
from quanyi.audit.verify import verify
from quanyi.core.principal import Principal
from quanyi.personal_accounts import projections
from quanyi.personal_accounts.models import Entry, YearBalance
from tests.registry import builders


@pytest.mark.django_db
def test_written_rows_verify_and_their_leaves_are_canonical(principal: Principal) -> None:
    person = builders.person(principal)
    rows = [
        (person.pk, 2025, "2025-01", "credit", 80000, 17),
        (person.pk, 2025, "", "interest", 650, None),
        (person.pk, 2026, "2025-12", "late_int", 3, 18),
    ]
    with transaction.atomic():
        seq = audit.reserve_seq()
        first, digests = bulk.write_rows(Entry, rows, seq)
        audit.record_batch_leaves(principal, "account.credit", Entry, seq, digests)
    # The account services keep the year balances beside the ledger, and verify recomputes
    # them: this test writes the ledger alone, so it writes what the ledger gives too.
    YearBalance.objects.bulk_create(
        YearBalance(
            person_id=p, year=y, opening_fen=o, credited_fen=c, interest_fen=i, closing_fen=cl
        )
        for p, years in projections.expected_balances()
        for y, (o, c, i, cl) in years.items()
    )
    stored = dict(tracking.stored_leaves(Entry, audit_seq=seq))
    assert [stored[first + i] for i in range(3)] == [d.hex() for d in digests]
    assert [
        tracking.leaf("entry", tracking.fields_of(Entry), first + i, row)
        for i, row in enumerate(rows)
    ] == [d.hex() for d in digests]
    assert verify().ok


@pytest.mark.django_db
@pytest.mark.parametrize(
    "months",
    [
        ["2025-01", "2025-02"],  # plain text: quoted as it is
        ["二〇二五年一月", "2025-02"],  # not ASCII, still nothing to escape
        ['a"b\\c\n', "\x01\t"],  # what JSON must escape, in the same column as plain text
    ],
)
def test_each_columns_way_into_the_leaf_gives_the_canonical_leaf(
    principal: Principal, months: list[str]
) -> None:
    person = builders.person(principal)
    rows = [(person.pk, 2025, month, "credit", 100 + i, None) for i, month in enumerate(months)]
    with transaction.atomic():
        seq = audit.reserve_seq()
        first, digests = bulk.write_rows(Entry, rows, seq)
    assert [d.hex() for d in digests] == [
        tracking.leaf("entry", tracking.fields_of(Entry), first + i, row)
        for i, row in enumerate(rows)
    ]


def test_values_other_than_integers_strings_and_none_are_refused() -> None:
    with pytest.raises(TypeError, match=r"not 1\.5"):
        bulk._json(1.5)
