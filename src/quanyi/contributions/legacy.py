"""``quanyi import legacy DIR`` (DESIGN.md): UTF-8 CSV files with a header row, each optional —
``employers.csv``, ``persons.csv``, ``relations.csv``, ``contributions.csv``.

The files are validated whole: every bad row is reported (file, line, field, reason) and
nothing is submitted. Good files become the attachments of one ``import.legacy`` case (all five
stages); its final approval validates them again and loads them atomically. Contribution
amounts are computed by the rules from ``base_fen``; a row with a ``paid_month`` is paid then.
Years of the import that are over get their interest, in order, as they would have when they
ended; a month paid in a later year is a late credit with late interest.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.db import connection

from quanyi.access.policy import authorize
from quanyi.audit import services as audit
from quanyi.contributions import history as past
from quanyi.contributions.flows import Rates
from quanyi.core import regions
from quanyi.core.bulkwork import chunks, without_collector
from quanyi.core.errors import FieldError, InvalidInput
from quanyi.core.identifiers import parse_id_number, validate_uscc
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry.models import (
    EMPLOYEE_INSURANCES,
    Employer,
    Insurance,
    InsuranceRelation,
    Person,
)
from quanyi.registry.validation import INSURANCE_GROUP
from quanyi.rulebook.queries import Rulebook

FILES: dict[str, tuple[str, ...]] = {
    "employers.csv": ("uscc", "name", "region", "injury_class"),
    "persons.csv": ("id_number", "name", "phone", "hukou_region", "residence_region", "category"),
    "relations.csv": ("id_number", "uscc", "insurance", "start_month", "end_month"),
    "contributions.csv": ("id_number", "uscc", "insurance", "month", "base_fen", "paid_month"),
}
MAX_REPORTED = 1000
MAX_BASE_FEN = 10**12  # ten billion yuan a month: anything larger is a typing error
# A contribution row: id number, uscc, insurance, month, base in fen, paid month or None.
Contribution = tuple[str, str, str, str, int, str | None]
# Each person's relations as (uscc, insurance) → [(start, end)]: looked up by person, so
# checking a file stays linear in its rows.
Covered = dict[str, dict[tuple[str, str], list[tuple[str, str | None]]]]


@dataclass
class Batch:
    """The validated content of one import."""

    employers: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "employers": len(self.employers),
            "persons": len(self.persons),
            "relations": len(self.relations),
            "contributions": len(self.contributions),
        }


class _Report:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.more = 0

    def add(self, file: str, line: int, column: str, code: str, zh: str, en: str) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(FieldError(f"{file}:{line} {column}", code, zh, en))
        else:
            self.more += 1

    def extend(self, file: str, line: int, error: InvalidInput) -> None:
        for item in error.errors:
            self.add(file, line, item.field, item.code, item.zh, item.en)

    def raise_if_any(self) -> None:
        if self.more:
            self.errors.append(
                FieldError(
                    "…",
                    "more",
                    f"另有 {self.more} 处错误未列出",
                    f"{self.more} more errors not listed",
                )
            )
        if self.errors:
            raise InvalidInput(self.errors)


class Rows:
    """One file's rows as read: values by column name through ``index``, line numbers kept."""

    def __init__(self, index: dict[str, int], rows: list[tuple[int, list[str]]]) -> None:
        self.index = index
        self.rows = rows

    def dicts(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Small files are checked by name; each row as {column: value}."""
        for line, values in self.rows:
            yield line, {name: values[at] for name, at in self.index.items()}


def read(texts: Mapping[str, str]) -> dict[str, Rows]:
    """Rows of each known file with their line numbers, values stripped, short rows padded;
    unknown files and missing columns are errors."""
    report = _Report()
    rows: dict[str, Rows] = {}
    for name, text in texts.items():
        if name not in FILES:
            report.add(name, 0, "file", "unknown_file", "未知文件", "unknown file")
            continue
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = [column.strip() for column in next(reader, [])]
        missing = [c for c in FILES[name] if c not in header]
        if missing:
            report.add(name, 1, ",".join(missing), "columns", "缺少列", "missing columns")
            continue
        index = {column: header.index(column) for column in FILES[name]}
        width = len(header)
        found: list[tuple[int, list[str]]] = []
        # Stripping every value costs a second pass over millions of rows; a file with no
        # space or tab in it has nothing to strip.
        strip = " " in text or "\t" in text
        for line, values in enumerate(reader, start=2):
            if not values:
                continue  # a blank line, as csv.DictReader skips it
            if len(values) < width:
                values += [""] * (width - len(values))
            found.append((line, [value.strip() for value in values] if strip else values))
        rows[name] = Rows(index, found)
    report.raise_if_any()
    return rows


@without_collector
def validate(principal: Principal, texts: Mapping[str, str]) -> Batch:
    rows = read(texts)
    report = _Report()
    batch = Batch()
    # Only the persons and employers the files name are looked up: a region holds millions.
    numbers = _named(rows, "id_number", ("persons.csv", "relations.csv", "contributions.csv"))
    usccs = _named(rows, "uscc", ("employers.csv", "relations.csv", "contributions.csv"))
    known_employers = {
        u: (r, c)
        for chunk in chunks(sorted(usccs))
        for u, r, c in Employer.objects.filter(uscc__in=chunk).values_list(
            "uscc", "agency_region", "injury_class"
        )
    }
    known_persons = {
        number
        for chunk in chunks(sorted(numbers))
        for number in Person.objects.filter(id_number__in=chunk).values_list("id_number", flat=True)
    }
    new_employers: dict[str, int] = {}
    for line, row in _dicts(rows, "employers.csv"):
        _employer(principal, report, line, row, known_employers, new_employers, batch)
    new_persons: set[str] = set()
    for line, row in _dicts(rows, "persons.csv"):
        _person(principal, report, line, row, known_persons, new_persons, batch)
    all_persons = known_persons | new_persons
    all_employers = set(known_employers) | set(new_employers)
    covered: Covered = defaultdict(lambda: defaultdict(list))
    for chunk in chunks(sorted(known_persons)):  # new persons have no relations on record yet
        for number, uscc, insurance, first, last in InsuranceRelation.objects.filter(
            person__id_number__in=chunk
        ).values_list(
            "person__id_number", "employer__uscc", "insurance", "start_month", "end_month"
        ):
            covered[number][(uscc or "", insurance)].append((first, last))
    for line, row in _dicts(rows, "relations.csv"):
        _relation(report, line, row, all_persons, all_employers, covered, batch)
    if "contributions.csv" in rows:
        _contributions(
            report, rows["contributions.csv"], all_persons, all_employers, covered, batch
        )
    report.raise_if_any()
    return batch


def _named(rows: Mapping[str, Rows], column: str, names: Iterable[str]) -> set[str]:
    """Every value of ``column`` in the files ``names`` (id numbers upper-cased)."""
    return {
        values[rows[name].index[column]].upper()
        for name in names
        if name in rows
        for _, values in rows[name].rows
    }


def _dicts(rows: Mapping[str, Rows], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    return rows[name].dicts() if name in rows else iter(())


def _employer(
    principal: Principal,
    report: _Report,
    line: int,
    row: dict[str, str],
    known: Mapping[str, Any],
    new: dict[str, int],
    batch: Batch,
) -> None:
    file = "employers.csv"
    try:
        uscc = validate_uscc(row["uscc"])
    except InvalidInput as error:
        report.extend(file, line, error)
        return
    if uscc in known or uscc in new:
        report.add(
            file, line, "uscc", "duplicate", "该单位已登记或重复", "registered already or twice"
        )
    if not row["name"]:
        report.add(file, line, "name", "required", "必填", "required")
    region = ""
    try:
        region = regions.validate_region(row["region"], "region")
        if not regions.covers(principal.region, region):
            report.add(file, line, "region", "out_of_region", "不在本统筹区", "outside the region")
    except InvalidInput as error:
        report.extend(file, line, error)
    try:
        injury = int(row["injury_class"])
        if not 1 <= injury <= 8:
            raise ValueError
    except ValueError:
        report.add(
            file,
            line,
            "injury_class",
            "bad_injury_class",
            "工伤行业风险类别应为1至8",
            "the injury risk class is 1 to 8",
        )
        injury = 0
    new[uscc] = injury
    batch.employers.append(
        {"uscc": uscc, "name": row["name"][:200], "region": region, "injury_class": injury}
    )


def _person(
    principal: Principal,
    report: _Report,
    line: int,
    row: dict[str, str],
    known: set[str],
    new: set[str],
    batch: Batch,
) -> None:
    file = "persons.csv"
    try:
        identity = parse_id_number(row["id_number"])
    except InvalidInput as error:
        report.extend(file, line, error)
        return
    if identity.number in known or identity.number in new:
        report.add(
            file,
            line,
            "id_number",
            "duplicate",
            "该人员已登记或重复",
            "registered already or twice",
        )
    if not row["name"]:
        report.add(file, line, "name", "required", "必填", "required")
    if row["phone"] and not (
        len(row["phone"]) == 11 and row["phone"].isdigit() and row["phone"].startswith("1")
    ):
        report.add(
            file,
            line,
            "phone",
            "bad_phone",
            "手机号码应为以1开头的11位数字",
            "a mobile number is 11 digits starting with 1",
        )
    places = {}
    for column in ("hukou_region", "residence_region"):
        try:
            places[column] = regions.validate_region(row[column], column)
        except InvalidInput as error:
            report.extend(file, line, error)
    if row["category"] not in ("employee", "resident"):
        report.add(
            file,
            line,
            "category",
            "bad_category",
            "人员类别应为 employee 或 resident",
            "the category is employee or resident",
        )
    age = date.today().year - identity.birth_date.year
    if age < 18:
        report.add(
            file,
            line,
            "id_number",
            "minor",
            "未成年人须登记监护人，请在窗口办理",
            "a minor needs a guardian: register them at the counter",
        )
    new.add(identity.number)
    batch.persons.append(
        {
            "id_number": identity.number,
            "sex": identity.sex,
            "birth_date": identity.birth_date,
            "name": row["name"][:100],
            "phone": row["phone"],
            "category": row["category"],
            **places,
        }
    )


def _overlaps(spans: Iterable[tuple[str, str | None]], start: str, end: str | None) -> bool:
    return any(
        (other_end is None or other_end >= start) and (end is None or other_start <= end)
        for other_start, other_end in spans
    )


def _relation(
    report: _Report,
    line: int,
    row: dict[str, str],
    persons: set[str],
    employers: set[str],
    covered: Covered,
    batch: Batch,
) -> None:
    file = "relations.csv"
    number, uscc, insurance = row["id_number"].upper(), row["uscc"], row["insurance"]
    if number not in persons:
        report.add(file, line, "id_number", "not_registered", "该人员未登记", "not registered")
    if insurance not in Insurance.values:
        report.add(file, line, "insurance", "bad_insurance", "未知险种", "unknown insurance")
    if insurance in EMPLOYEE_INSURANCES and uscc not in employers:
        report.add(file, line, "uscc", "not_registered", "该单位未登记", "not registered")
    months = _months(
        report, file, line, row["start_month"], row["end_month"], "start_month", "end_month"
    )
    if months is None:
        return
    start, end = months
    group = INSURANCE_GROUP.get(insurance, insurance)
    same_group = [
        span
        for (_, i), spans in covered[number].items()
        if INSURANCE_GROUP.get(i, i) == group
        for span in spans
    ]
    if _overlaps(same_group, start, end):
        report.add(
            file, line, "start_month", "overlap", "与已有参保关系重叠", "overlaps another relation"
        )
    covered[number][(uscc, insurance)].append((start, end))
    batch.relations.append(
        {
            "id_number": number,
            "uscc": uscc or None,
            "insurance": insurance,
            "start_month": start,
            "end_month": end,
        }
    )


def _months(
    report: _Report,
    file: str,
    line: int,
    first_text: str,
    second_text: str,
    first: str,
    second: str,
) -> tuple[str, str | None] | None:
    """A row's two months as YYYY-MM — the second optional and not before the first — or None
    once each bad one is reported."""
    found: list[str | None] = []
    for text, name in ((first_text, first), (second_text, second)):
        try:
            found.append(_month_text(text, name) if text or name == first else None)
        except InvalidInput as error:
            report.extend(file, line, error)
            found.append(None)
    start, end = found
    if start is None or (end is None and second_text):
        return None
    if end is not None and end < start:
        report.add(file, line, second, "before_start", "早于开始年月", "precedes the first month")
        return None
    return start, end


@lru_cache(maxsize=4096)
def _month_text(text: str, field: str) -> str:
    """A month as YYYY-MM; files repeat the same few hundred months, so each is parsed once."""
    return str(YearMonth.parse(text, field))


def _contributions(
    report: _Report,
    rows: Rows,
    persons: set[str],
    employers: set[str],
    covered: Covered,
    batch: Batch,
) -> None:
    """Check every contribution row. The file holds millions of rows, so this is one loop over
    plain lists with its look-ups cached, and good rows are kept as tuples."""
    file = "contributions.csv"
    months: dict[str, str] = {}  # each distinct month text parsed once
    paids: dict[str, str] = {"": ""}  # the paid month is optional
    spans: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    insurances = frozenset(EMPLOYEE_INSURANCES)
    kept = batch.contributions
    columns = itemgetter(*(rows.index[c] for c in FILES[file]))
    for line, values in rows.rows:
        number, uscc, insurance, month_text, base_text, paid_text = columns(values)
        number = number.upper()
        if number not in persons:
            report.add(file, line, "id_number", "not_registered", "该人员未登记", "not registered")
        if uscc not in employers:
            report.add(file, line, "uscc", "not_registered", "该单位未登记", "not registered")
        if insurance not in insurances:
            report.add(
                file,
                line,
                "insurance",
                "bad_insurance",
                "须为职工险种（居民险种暂不支持导入）",
                "an employee insurance (resident insurances are not imported yet)",
            )
        month = months.get(month_text)
        paid = paids.get(paid_text)
        if month is None or paid is None or (paid and paid < month):
            pair = _months(report, file, line, month_text, paid_text, "month", "paid_month")
            if pair is None:
                month = None
            else:  # only good months are kept, so a bad one is reported on every row
                month = months[month_text] = pair[0]
                paid = paids[paid_text] = pair[1] or ""
        if base_text.isascii() and base_text.isdigit() and 0 < int(base_text) < MAX_BASE_FEN:
            base = int(base_text)
        else:
            report.add(
                file,
                line,
                "base_fen",
                "bad_base",
                "缴费基数须为正整数（分）",
                "the base is a positive whole number of fen",
            )
            base = 0
        if month is None:
            continue
        relation = (number, uscc, insurance)
        key = (number, uscc, insurance, month)
        if key in seen:
            report.add(file, line, "month", "duplicate", "同一月份重复", "the same month twice")
        seen.add(key)
        mine = spans.get(relation)
        if mine is None:
            mine = spans[relation] = covered[number].get((uscc, insurance), [])
        if not any(start <= month and (end is None or month <= end) for start, end in mine):
            report.add(
                file,
                line,
                "month",
                "no_relation",
                "该月没有对应的参保关系",
                "no insurance relation covers this month",
            )
        kept.append((number, uscc, insurance, month, base, paid or None))


# --- loading at the final approval ------------------------------------------------------------


@without_collector
def load(principal: Principal, texts: Mapping[str, str]) -> dict[str, int]:
    """Validate again and write everything, inside the approval's transaction."""
    assert connection.in_atomic_block, "the caller owns the transaction"
    authorize(principal, "registry.write")
    batch = validate(principal, texts)
    region = principal.region
    if batch.employers:
        seq = audit.reserve_seq()
        new_employers = [Employer(agency_region=region, **e) for e in batch.employers]
        audit.stamp_rows(new_employers, seq)
        Employer.objects.bulk_create(new_employers, batch_size=5000)
        audit.record_batch(principal, "employer.register", Employer, seq)
    if batch.persons:
        seq = audit.reserve_seq()
        new_persons = [Person(agency_region=region, **p) for p in batch.persons]
        audit.stamp_rows(new_persons, seq)
        Person.objects.bulk_create(new_persons, batch_size=5000)
        audit.record_batch(principal, "person.register", Person, seq)
    person_ids = dict(
        Person.objects.filter(
            id_number__in={r["id_number"] for r in batch.relations}
            | {row[0] for row in batch.contributions}
        ).values_list("id_number", "pk")
    )
    employers = {
        e.uscc: e
        for e in Employer.objects.filter(
            uscc__in={r["uscc"] for r in batch.relations if r["uscc"]}
            | {row[1] for row in batch.contributions}
        )
    }
    if batch.relations:
        seq = audit.reserve_seq()
        relations = [
            InsuranceRelation(
                person_id=person_ids[r["id_number"]],
                employer=employers.get(r["uscc"]) if r["uscc"] else None,
                insurance=r["insurance"],
                start_month=r["start_month"],
                end_month=r["end_month"],
            )
            for r in batch.relations
        ]
        audit.stamp_rows(relations, seq)
        InsuranceRelation.objects.bulk_create(relations, batch_size=5000)
        audit.record_batch(principal, "relation.start", InsuranceRelation, seq)
    if batch.contributions:
        _load_contributions(principal, batch.contributions, person_ids, employers)
    return batch.counts()


def _load_contributions(
    principal: Principal,
    rows: list[Contribution],
    person_ids: Mapping[str, int],
    employers: Mapping[str, Employer],
) -> None:
    from quanyi.personal_accounts import services as accounts

    book = Rulebook.load()
    rates: dict[tuple[str, str], Rates] = {}
    groups: dict[tuple[str, str, str | None], list[past.Amounts]] = defaultdict(list)
    for number, uscc, insurance, month, base, paid in rows:
        employer = employers[uscc]
        key = (employer.agency_region, month)
        found = rates.get(key)
        if found is None:
            found = rates[key] = Rates.of(book, employer.agency_region, YearMonth.parse(month))
        groups[(uscc, month, paid)].append(
            (
                person_ids[number],
                insurance,
                base,
                *found.amounts(insurance, base, employer.injury_class),
            )
        )
    bills = [
        past.PastBill(
            employers[uscc].pk,
            month,
            "legacy",
            computed,
            YearMonth.parse(paid).first_day() if paid else None,
        )
        for (uscc, month, paid), computed in sorted(
            groups.items(), key=lambda g: (g[0][1], g[0][0])
        )
    ]
    written = past.write(
        principal, bills, "legacy", lambda bill_id: f"legacy:{principal.case_id}:{bill_id}"
    )
    # The account, year by year as it happened: credits of the year (late ones with their late
    # interest), then the year's interest if the year is over.
    region_of = dict(
        Person.objects.filter(pk__in=set(person_ids.values())).values_list("pk", "agency_region")
    )
    credits_by_year = written.credits_by_year(region_of.__getitem__)
    if not credits_by_year:
        return
    closed = accounts.closed_years(principal.region)
    first = min(credits_by_year)
    # Accounts that had nothing here get their history as it happened, even in years the
    # region has closed since: each year's credits, then that year's interest for them. Others
    # already have money in closed years, so their months of those years are late credits.
    fresh = set(region_of) - _with_entries(set(region_of))
    for year in range(first, max(credits_by_year) + 1):
        due = credits_by_year.get(year, [])
        accounts.credit(principal, [c for c in due if c.person_id not in fresh], date(year, 12, 31))
        accounts.credit(
            principal,
            [c for c in due if c.person_id in fresh],
            date(year, 12, 31),
            closed_for_these={y for y in closed if y < first} | set(range(first, year)),
        )
        if year >= date.today().year:
            continue
        if year in closed:
            accounts.credit_interest_for(principal, year, principal.region, fresh)
        else:
            accounts.credit_interest(principal, year, principal.region)
    accounts.recount_months(set(person_ids.values()))


def _with_entries(person_ids: set[int]) -> set[int]:
    """Those of these persons whose account has any entry."""
    from quanyi.personal_accounts.models import Entry

    return {
        person_id
        for chunk in chunks(sorted(person_ids))
        for person_id in Entry.objects.filter(person_id__in=chunk)
        .values_list("person_id", flat=True)
        .distinct()
    }
