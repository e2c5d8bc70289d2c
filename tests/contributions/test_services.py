"""contributions in its rooms: ``services`` is the only writer, and the account reacts to its
facts in the same unit of work without contributions importing it (DESIGN.md layers; invariant
7: a unit is all done or untouched)."""

from __future__ import annotations

from datetime import date
from typing import Any

import grimp
import pytest
from django.db import transaction

from quanyi.access.errors import Refused
from quanyi.contributions import events, payment_files, services
from quanyi.contributions.models import Bill, Payment
from quanyi.core import events as dispatcher
from quanyi.core.principal import Principal
from quanyi.personal_accounts.models import Entry, PaidMonths
from quanyi.registry.models import Employer, Person
from tests.contributions.test_contributions import declare, insured, office, post  # noqa: F401
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_a_payment_and_the_credit_it_causes_are_one_unit(
    office: Office,  # noqa: F811
    insured: tuple[Employer, Person, Person],  # noqa: F811
) -> None:
    """A reaction that fails undoes the payment with it: no payment, no credit, no month
    counted, the bill still owed. Without the failure, the same payment credits the account in
    its transaction."""
    employer, first, second = insured
    declare(office, employer, [(first, 1000000), (second, 1000000)])
    post(office, "2025-01")
    bill = Bill.objects.get()
    row = payment_files.PaymentRow(bill.pk, bill.due_fen, date(2025, 2, 10), "B-1")

    def refuse(event: Any) -> None:
        assert Entry.objects.count() == 2  # the account reacted first, in this transaction
        raise RuntimeError("a later reaction failed")

    dispatcher.subscribe(events.BILLS_PAID, refuse)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.record_payments(office.clerk, [row])
    finally:
        dispatcher.unsubscribe(events.BILLS_PAID, refuse)
    bill.refresh_from_db()
    assert (bill.status, Payment.objects.count(), Entry.objects.count()) == ("owed", 0, 0)
    assert not PaidMonths.objects.exists()

    with transaction.atomic():
        services.record_payments(office.clerk, [row])
    bill.refresh_from_db()
    assert bill.status == "paid"
    assert sorted(Entry.objects.values_list("person_id", "amount_fen")) == sorted(
        [(first.pk, 80000), (second.pk, 80000)]
    )
    assert PaidMonths.objects.filter(person=first).count() == 5


def test_services_check_the_principals_permission(
    office: Office,  # noqa: F811
    insured: tuple[Employer, Person, Person],  # noqa: F811
) -> None:
    """001 art. 6: a querier takes no payment, and writes no history."""
    post(office, "2025-01")
    bill = Bill.objects.get()
    row = payment_files.PaymentRow(bill.pk, bill.due_fen, date(2025, 2, 10), "B-1")
    querier = Principal(actor="q", source="cli", region="110000", roles=frozenset({"querier"}))
    with pytest.raises(Refused), transaction.atomic():
        services.record_payments(querier, [row])
    with pytest.raises(Refused), transaction.atomic():
        services.write_history(querier, [], "bank", str)
    assert not Payment.objects.exists()


def test_contributions_never_import_the_account_and_the_registry_no_domain_above_it() -> None:
    """DESIGN.md layers, one way down: personal_accounts reads contributions' ledgers, so
    contributions must not import it, not even inside a function (grimp sees those too); the
    registry is below contributions, personal_accounts and the rulebook's users."""
    graph = grimp.build_graph("quanyi")
    assert graph.find_shortest_chains("quanyi.contributions", "quanyi.personal_accounts") == set()
    for above in ("contributions", "personal_accounts", "rulebook", "records", "demo", "web"):
        assert graph.find_shortest_chains("quanyi.registry", f"quanyi.{above}") == set(), above
    assert graph.find_shortest_chains("quanyi.rulebook", "quanyi.registry") == set()
