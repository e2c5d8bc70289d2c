"""Reading the account for the record: balances by year and contribution months."""

from __future__ import annotations

from typing import Any

from quanyi.personal_accounts.models import PaidMonths, YearBalance


def record_part(person_id: int, items: frozenset[str]) -> dict[str, Any]:
    """The ``account`` and ``contribution_months`` parts of the record."""
    part: dict[str, Any] = {}
    if "account" in items:
        part["account"] = account_part(person_id)
    if "contribution_months" in items:
        part["contribution_months"] = months_part(person_id)
    return part


def account_part(person_id: int) -> dict[str, Any]:
    years = list(YearBalance.objects.filter(person_id=person_id).order_by("year"))
    return {
        "balance_fen": years[-1].closing_fen if years else 0,
        "by_year": [
            {
                "year": y.year,
                "opening_fen": y.opening_fen,
                "credited_fen": y.credited_fen,
                "interest_fen": y.interest_fen,
                "closing_fen": y.closing_fen,
            }
            for y in years
        ],
    }


def months_part(person_id: int) -> dict[str, int]:
    return dict(
        PaidMonths.objects.filter(person_id=person_id)
        .order_by("insurance")
        .values_list("insurance", "months")
    )
