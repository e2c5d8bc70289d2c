"""Cutting a record down to a view's months and employer (001 art. 16, 18-19: never data beyond
the allowed scope). Rows say when they belong by ``month``, by ``start_month``/``end_month`` or
by ``year``; lifetime totals that a cut would make wrong are recomputed or left out."""

from __future__ import annotations

from typing import Any

from quanyi.disclosure.decision import View

# Lifetime figures no row of a bounded period can stand for.
LIFETIME = ("contribution_years", "deemed_months")


def clip(record: dict[str, Any], view: View) -> dict[str, Any]:
    if not view.clipped:
        return record
    out = dict(record)
    for key, value in record.items():
        if isinstance(value, list):
            out[key] = [row for row in value if _kept(row, view)]
    if "account" in out and isinstance(out["account"], dict):
        out["account"] = _account(out["account"], view)
    if "contribution_months" in out and "contributions" in out:
        out["contribution_months"] = _months(out["contributions"])
    elif "contribution_months" in out:
        out.pop("contribution_months")
    if view.first or view.last:
        for key in LIFETIME:
            out.pop(key, None)
    return out


def _kept(row: Any, view: View) -> bool:
    if not isinstance(row, dict):
        return True
    if view.uscc and row.get("uscc", view.uscc) != view.uscc:
        return False
    first, last = view.first or "0000-00", view.last or "9999-99"
    if row.get("month"):
        return bool(first <= str(row["month"]) <= last)
    if "start_month" in row:
        start = str(row.get("start_month") or "0000-00")
        end = str(row.get("end_month") or "9999-99")
        return start <= last and end >= first
    if "year" in row:
        return int(first[:4]) <= int(row["year"]) <= int(last[:4])
    return True


def _account(account: dict[str, Any], view: View) -> dict[str, Any]:
    years = [row for row in account.get("by_year", []) if _kept(row, view)]
    # The balance at the end of the last year shown, not today's (which lies beyond the period).
    balance = years[-1]["closing_fen"] if years and view.last else account.get("balance_fen", 0)
    return {**account, "by_year": years, "balance_fen": balance}


def _months(rows: list[dict[str, Any]]) -> dict[str, int]:
    counted: dict[str, set[str]] = {}
    for row in rows:
        if row.get("status") in ("paid", "transferred_in"):
            counted.setdefault(str(row["insurance"]), set()).add(str(row["month"]))
    return {insurance: len(months) for insurance, months in sorted(counted.items())}
