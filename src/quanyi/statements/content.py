"""What a statement or certificate says, from the record as ``records.read`` returns it: the
printed items (identity with the masked id number, the monthly grid with its marks, the
account year, contribution months and years, benefits) and the record's facts for the period,
whose digest tells later whether a correction has superseded it. Pure: no database."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from quanyi.core.canonical import canonical_json
from quanyi.core.identifiers import mask_name
from quanyi.core.labels import label
from quanyi.core.money import format_fen
from quanyi.records.page import MARKS, NOT_DUE
from quanyi.rulebook.calc import contribution_years

EMPLOYEE_ORDER = ("pension", "medical", "unemployment", "injury", "maternity")
RESIDENT_ORDER = ("resident_pension", "resident_medical")
COUNTED = frozenset({"paid", "transferred_in"})
LEGEND = "● 已缴费    △ 欠缴    ○ 转入    - 未到缴费期或无缴费义务"


@dataclass(frozen=True)
class Cell:
    mark: str
    base_fen: int | None


@dataclass
class InsuranceColumn:
    insurance: str
    enrolled: str  # the first month insured, "" if never
    status: str
    months: list[Cell]  # January first, 12 of them


@dataclass
class Sheet:
    """One statement (one person, one year) or certificate (one person, a period)."""

    kind: str  # employee | resident | certificate
    code: str
    issued_on: date
    period_from: str
    period_to: str
    name: str
    masked_id: str
    sex: str
    address: str = ""
    postcode: str = ""
    employer: str = ""
    first_month: str = ""
    columns: list[InsuranceColumn] = field(default_factory=list)
    account: dict[str, int] | None = None
    account_months: int = 0
    months: dict[str, int] = field(default_factory=dict)  # insurance → months to period end
    years: dict[str, str] = field(default_factory=dict)
    benefits: list[dict[str, Any]] = field(default_factory=list)
    yearly: list[tuple[int, dict[str, int]]] = field(default_factory=list)  # certificate
    facts_sha256: str = ""

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


def kind_of(record: dict[str, Any]) -> str:
    return "resident" if record["person"].get("category") == "resident" else "employee"


def _in(month: str, start: str, end: str) -> bool:
    return start <= month <= end


def _mark(statuses: set[str]) -> str:
    for status in ("owed", "paid", "transferred_in"):
        if status in statuses:
            return MARKS[status]
    return NOT_DUE


def facts(record: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    """The record's facts a document for months ``start``..``end`` rests on: each month's
    lines, the account year(s), the months counted up to ``end`` and the benefits overlapping
    the period — what a back-payment or correction would change."""
    lines = sorted(
        (row["insurance"], row["month"], int(row["base_fen"]), row["status"])
        for row in record.get("contributions", [])
        if _in(row["month"], start, end)
    )
    years = range(int(start[:4]), int(end[:4]) + 1)
    account = [
        row for row in (record.get("account") or {}).get("by_year", []) if row["year"] in years
    ]
    benefits = _benefits(record, start, end)
    return {
        "lines": [list(line) for line in lines],
        "account": account,
        "months": months_until(record, end),
        "deemed": int(record.get("deemed_months") or 0),
        "benefits": benefits,
    }


def facts_digest(record: dict[str, Any], start: str, end: str) -> str:
    return hashlib.sha256(canonical_json(facts(record, start, end))).hexdigest()


def months_until(record: dict[str, Any], end: str) -> dict[str, int]:
    """Distinct months counted (paid or transferred in) per insurance up to ``end``."""
    seen: dict[str, set[str]] = defaultdict(set)
    for row in record.get("contributions", []):
        if row["month"] <= end and row["status"] in COUNTED:
            seen[row["insurance"]].add(row["month"])
    return {insurance: len(months) for insurance, months in sorted(seen.items())}


def years_text(months: int) -> str:
    """Years with two decimals, shown only (every formula uses months)."""
    return str(contribution_years(months))


def _columns(record: dict[str, Any], year: int, order: tuple[str, ...]) -> list[InsuranceColumn]:
    statuses: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    bases: dict[str, dict[int, int]] = defaultdict(dict)
    for row in record.get("contributions", []):
        if int(row["month"][:4]) != year:
            continue
        month = int(row["month"][5:7])
        statuses[row["insurance"]][month].add(row["status"])
        bases[row["insurance"]][month] = max(bases[row["insurance"]].get(month, 0), row["base_fen"])
    starts: dict[str, str] = {}
    open_: dict[str, bool] = defaultdict(bool)
    for relation in record.get("relations", []):
        insurance = relation["insurance"]
        if relation["start_month"] <= f"{year}-12":
            starts[insurance] = min(starts.get(insurance, "9999-99"), relation["start_month"])
        end = relation.get("end_month")
        if relation["start_month"] <= f"{year}-12" and (not end or end >= f"{year}-12"):
            open_[insurance] = True
    present = [i for i in order if i in starts or i in statuses]
    columns = []
    for insurance in present:
        cells = [
            Cell(_mark(statuses[insurance].get(m, set())), bases[insurance].get(m))
            for m in range(1, 13)
        ]
        status = "参保缴费" if open_[insurance] else ("终止参保" if insurance in starts else "—")
        columns.append(InsuranceColumn(insurance, starts.get(insurance, ""), status, cells))
    return columns


def _employer(record: dict[str, Any], end: str) -> str:
    current = [
        r for r in record.get("relations", []) if r.get("employer") and r["start_month"] <= end
    ]
    current.sort(key=lambda r: (r.get("end_month") or "9999-99", r["start_month"]))
    return current[-1]["employer"] if current else ""


def statement(
    record: dict[str, Any],
    year: int,
    code: str,
    issued_on: date,
    address: tuple[str, str] = ("", ""),
) -> Sheet:
    kind = kind_of(record)
    person = record["person"]
    start, end = f"{year}-01", f"{year}-12"
    order = RESIDENT_ORDER if kind == "resident" else EMPLOYEE_ORDER
    account_row = next(
        (row for row in (record.get("account") or {}).get("by_year", []) if row["year"] == year),
        None,
    )
    months = months_until(record, end)
    deemed = int(record.get("deemed_months") or 0)
    pension = "resident_pension" if kind == "resident" else "pension"
    counted = {i: months.get(i, 0) + (deemed if i == pension else 0) for i in order}
    relations = record.get("relations", [])
    return Sheet(
        kind=kind,
        code=code,
        issued_on=issued_on,
        period_from=start,
        period_to=end,
        name=person["name"],
        masked_id=person["id_number"],
        sex=label("sex", person.get("sex"), "zh") if person.get("sex") else "—",
        address=address[0],
        postcode=address[1],
        employer=_employer(record, end),
        first_month=min((r["start_month"] for r in relations), default=""),
        columns=_columns(record, year, order),
        account=dict(account_row) if account_row else None,
        account_months=counted.get(pension, 0),
        months=counted,
        years={i: years_text(m) for i, m in counted.items()},
        benefits=_benefits(record, start, end),
        facts_sha256=facts_digest(record, start, end),
    )


def _benefits(record: dict[str, Any], start: str, end: str) -> list[dict[str, Any]]:
    return [
        row
        for row in record.get("benefits", [])
        if row["start_month"] <= end and (not row.get("end_month") or row["end_month"] >= start)
    ]


def certificate(
    record: dict[str, Any],
    start: str,
    end: str,
    code: str,
    issued_on: date,
    address: tuple[str, str] = ("", ""),
) -> Sheet:
    """参保证明: enrolment, months per insurance and year over ``start``..``end``, benefits."""
    person = record["person"]
    per_year: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in record.get("contributions", []):
        if _in(row["month"], start, end) and row["status"] in COUNTED:
            per_year[int(row["month"][:4])][row["insurance"]].add(row["month"])
    yearly = [
        (year, {i: len(m) for i, m in sorted(per_year[year].items())})
        for year in range(int(start[:4]), int(end[:4]) + 1)
        if year in per_year
    ]
    totals: dict[str, int] = defaultdict(int)
    for _, counts in yearly:
        for insurance, count in counts.items():
            totals[insurance] += count
    order = EMPLOYEE_ORDER + RESIDENT_ORDER
    relations = [r for r in record.get("relations", []) if r["start_month"] <= end]
    enrolled = {}
    for insurance in order:
        mine = [r for r in relations if r["insurance"] == insurance]
        if mine:
            still = any(not r.get("end_month") or r["end_month"] >= end for r in mine)
            enrolled[insurance] = InsuranceColumn(
                insurance,
                min(r["start_month"] for r in mine),
                "参保缴费" if still else "终止参保",
                [],
            )
    return Sheet(
        kind="certificate",
        code=code,
        issued_on=issued_on,
        period_from=start,
        period_to=end,
        name=person["name"],
        masked_id=person["id_number"],
        sex=label("sex", person.get("sex"), "zh") if person.get("sex") else "—",
        address=address[0],
        postcode=address[1],
        employer=_employer(record, end),
        first_month=min((r["start_month"] for r in relations), default=""),
        columns=list(enrolled.values()),
        months=dict(totals),
        years={i: years_text(m) for i, m in totals.items()},
        benefits=_benefits(record, start, end),
        yearly=yearly,
        facts_sha256=facts_digest(record, start, end),
    )


def insurance_name(code: str) -> str:
    return label("insurance", code, "zh")


def yuan(fen: int | None) -> str:
    return "" if fen is None else format_fen(int(fen))
