"""``quanyi import legacy DIR`` (DESIGN.md): UTF-8 CSV files with a header row, each optional —
``employers.csv``, ``persons.csv``, ``relations.csv``, ``contributions.csv`` — read and checked.

The files are validated whole: every bad row is reported (file, line, field, reason) and
nothing is submitted. Employers, persons and relations are checked by registry's own field rules
(``registry.validation``), against the rows on record read in bulk, never one query per row.
Good files become the attachments of one ``import.legacy`` case (all five stages); its final
approval validates them again and loads them atomically (``services.load_legacy``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from quanyi.core.bulkwork import chunks, without_collector
from quanyi.core.errors import ErrorCollector, InvalidInput
from quanyi.core.identifiers import parse_id_number, validate_uscc
from quanyi.core.money import parse_fen
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import validation as registry
from quanyi.registry.models import (
    EMPLOYEE_INSURANCES,
    Employer,
    Insurance,
    InsuranceRelation,
    Person,
)
from quanyi.registry.services import NewEmployer, NewPerson
from quanyi.rulebook.calc import Rates
from quanyi.rulebook.queries import Rulebook

FILES: dict[str, tuple[str, ...]] = {
    "employers.csv": ("uscc", "name", "region", "injury_class"),
    "persons.csv": ("id_number", "name", "phone", "hukou_region", "residence_region", "category"),
    "relations.csv": ("id_number", "uscc", "insurance", "start_month", "end_month"),
    "contributions.csv": ("id_number", "uscc", "insurance", "month", "base_fen", "paid_month"),
}
# Columns a file may have: older systems kept no deemed period (视同缴费月数); blank is none.
OPTIONAL: dict[str, tuple[str, ...]] = {"persons.csv": ("deemed_months",)}
# What a deemed period loaded by an import rests on: the old system's record of it.
DEEMED_SOURCE = "历史数据导入 persons.csv / legacy import"
MAX_REPORTED = 1000
# One import is one case, checked and loaded in memory as a whole: about 1.6 KB a row at its
# peak (docs/performance.md), so half a million rows stay under a gigabyte. A larger legacy
# system is migrated in several imports (by employer, or by years); a larger folder is refused
# after its rows are counted, one at a time, before anything is read whole.
MAX_ROWS = 500_000
# A contribution row: id number, uscc, insurance, month, base in fen, paid month or None.
Contribution = tuple[str, str, str, str, int, str | None]
# Each person's relations as (uscc, insurance) → [(start, end)]: looked up by person, so
# checking a file stays linear in its rows.
Covered = dict[str, dict[tuple[str, str], list[tuple[str, str | None]]]]
# A registered employer as the import needs it: id, agency region, injury risk class.
KnownEmployer = tuple[int, str, int]


@dataclass(frozen=True)
class RelationRow:
    """A checked row of ``relations.csv``: its person and employer are named, not yet ids."""

    id_number: str
    uscc: str | None
    insurance: str
    start_month: str
    end_month: str | None


@dataclass
class Batch:
    """The validated content of one import."""

    employers: list[NewEmployer] = field(default_factory=list)
    persons: list[NewPerson] = field(default_factory=list)
    relations: list[RelationRow] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    # Id number → deemed months, for the new persons with any (none is no row).
    deemed: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "employers": len(self.employers),
            "persons": len(self.persons),
            "relations": len(self.relations),
            "contributions": len(self.contributions),
            "deemed_months": len(self.deemed),
        }


def _report() -> ErrorCollector:
    """Every bad row's errors, the first ``MAX_REPORTED`` of them listed."""
    return ErrorCollector(limit=MAX_REPORTED)


def _at(file: str, line: int, column: str = "") -> str:
    """Where an error is: ``persons.csv:7 name``."""
    return f"{file}:{line} {column}"


class Rows:
    """One file's rows as read: values by column name through ``index``, line numbers kept."""

    def __init__(self, index: dict[str, int], rows: list[tuple[int, list[str]]]) -> None:
        self.index = index
        self.rows = rows

    def dicts(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Small files are checked by name; each row as {column: value}."""
        for line, values in self.rows:
            yield line, {name: values[at] for name, at in self.index.items()}


def count_rows(paths: Mapping[str, Path]) -> dict[str, int]:
    """Each file's data rows, read one at a time (flat memory, whatever the size); a file that
    is not UTF-8 is refused here, before it is read whole."""
    counts = {}
    for name, path in paths.items():
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                counts[name] = sum(1 for row in csv.reader(handle) if any(row)) - 1
        except UnicodeDecodeError as error:
            raise InvalidInput.one(
                name, "not_utf8", "文件须为 UTF-8 编码", "files are UTF-8"
            ) from error
    return counts


def refuse_too_large(paths: Mapping[str, Path]) -> None:
    """``InvalidInput`` when the folder holds more rows than one import takes (``MAX_ROWS``)."""
    counts = count_rows(paths)
    total = sum(max(count, 0) for count in counts.values())
    if total > MAX_ROWS:
        shown = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        raise InvalidInput.one(
            "directory",
            "too_many",
            f"共 {total:,} 行（{shown}），一次导入最多 {MAX_ROWS:,} 行：请按单位或年份分批导入",
            f"{total:,} rows ({shown}); one import takes at most {MAX_ROWS:,}: import by"
            " employer or by years, in several imports",
        )


def read(texts: Mapping[str, str]) -> dict[str, Rows]:
    """Rows of each known file with their line numbers, values stripped, short rows padded;
    unknown files and missing columns are errors."""
    report = _report()
    rows: dict[str, Rows] = {}
    for name, text in texts.items():
        if name not in FILES:
            report.add(_at(name, 0, "file"), "unknown_file", "未知文件", "unknown file")
            continue
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = [column.strip() for column in next(reader, [])]
        missing = [c for c in FILES[name] if c not in header]
        if missing:
            report.add(_at(name, 1, ",".join(missing)), "columns", "缺少列", "missing columns")
            continue
        index = {column: header.index(column) for column in FILES[name]}
        index.update({c: header.index(c) for c in OPTIONAL.get(name, ()) if c in header})
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


# Told (rows checked, rows in all) every ``PROGRESS_STEP`` rows while files are checked: the
# command line sets it to move its bar on a terminal; nothing else pays for it.
PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "legacy_progress", default=None
)
PROGRESS_STEP = 2000

T = TypeVar("T")


class _Progress:
    def __init__(self, rows: Mapping[str, Rows]) -> None:
        self.tell = PROGRESS.get()
        self.total = sum(len(r.rows) for r in rows.values())
        self.done = 0

    def counted(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, telling the progress every ``PROGRESS_STEP`` of them."""
        if self.tell is None:
            yield from items
            return
        for item in items:
            yield item
            self.done += 1
            if self.done % PROGRESS_STEP == 0:
                self.tell(self.done, self.total)

    def finish(self) -> None:
        if self.tell is not None:
            self.tell(self.total, self.total)


@without_collector
def validate(principal: Principal, texts: Mapping[str, str]) -> Batch:
    rows = read(texts)
    report = _report()
    batch = Batch()
    progress = _Progress(rows)
    # Only the persons and employers the files name are looked up: a region holds millions.
    numbers = _named(rows, "id_number", ("persons.csv", "relations.csv", "contributions.csv"))
    usccs = _named(rows, "uscc", ("employers.csv", "relations.csv", "contributions.csv"))
    known_employers = set(employers(usccs))
    known_persons = set(person_ids(numbers))
    new_employers: set[str] = set()
    for line, row in progress.counted(_dicts(rows, "employers.csv")):
        _employer(principal, report, line, row, known_employers, new_employers, batch)
    new_persons: set[str] = set()
    today = date.today()
    for line, row in progress.counted(_dicts(rows, "persons.csv")):
        _person(report, line, row, known_persons, new_persons, batch, today)
    all_persons = known_persons | new_persons
    all_employers = known_employers | new_employers
    covered: Covered = defaultdict(lambda: defaultdict(list))
    for chunk in chunks(sorted(known_persons)):  # new persons have no relations on record yet
        for number, uscc, insurance, first, last in InsuranceRelation.objects.filter(
            person__id_number__in=chunk
        ).values_list(
            "person__id_number", "employer__uscc", "insurance", "start_month", "end_month"
        ):
            covered[number][(uscc or "", insurance)].append((first, last))
    for line, row in progress.counted(_dicts(rows, "relations.csv")):
        _relation(report, line, row, all_persons, all_employers, covered, batch)
    if "contributions.csv" in rows:
        _contributions(
            report,
            progress.counted(rows["contributions.csv"].rows),
            rows["contributions.csv"].index,
            all_persons,
            all_employers,
            covered,
            batch,
            _rates_lacking(principal.region),
        )
    progress.finish()
    report.raise_if_any()
    return batch


def _rates_lacking(region: str) -> Callable[[str, str], str | None]:
    """The parameter a line of an insurance in a month needs and the rulebook lacks (checked
    once per insurance and month): caught at intake, the approval never fails on it. A pension
    month of a year that is over needs that year's crediting rate too: the import closes the
    year with its interest."""
    book = Rulebook.load()
    rates: dict[str, Rates] = {}
    this_year = date.today().year

    @cache
    def lacking(insurance: str, month: str) -> str | None:
        found = rates.get(month)
        if found is None:
            found = rates[month] = Rates.of(
                book, region, YearMonth.parse(month), EMPLOYEE_INSURANCES
            )
        missing = found.missing(insurance, 1)
        year = int(month[:4])
        closes = missing is None and insurance == "pension" and year < this_year
        if closes and book.find("interest.rate", region, date(year, 1, 1)) is None:
            return "interest.rate"
        return missing

    return lacking


def person_ids(numbers: Iterable[str]) -> dict[str, int]:
    """Id number → id of the registered persons among ``numbers``."""
    return {
        number: pk
        for chunk in chunks(sorted(set(numbers)))
        for number, pk in Person.objects.filter(id_number__in=chunk).values_list("id_number", "pk")
    }


def employers(usccs: Iterable[str]) -> dict[str, KnownEmployer]:
    """Credit code → (id, agency region, injury class) of the registered employers among
    ``usccs``."""
    return {
        uscc: (pk, region, injury)
        for chunk in chunks(sorted(set(usccs)))
        for uscc, pk, region, injury in Employer.objects.filter(uscc__in=chunk).values_list(
            "uscc", "pk", "agency_region", "injury_class"
        )
    }


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
    report: ErrorCollector,
    line: int,
    row: dict[str, str],
    known: set[str],
    new: set[str],
    batch: Batch,
) -> None:
    """One employer, by registry's rules for registering one (``registry.validation``)."""
    where = _at("employers.csv", line)
    try:
        uscc = validate_uscc(row["uscc"])
    except InvalidInput as error:
        report.extend(error, where)
        return
    if uscc in known or uscc in new:
        report.add(where + "uscc", "duplicate", "该单位已登记或重复", "registered already or twice")
    name = registry.text(
        report, row["name"], where + "name", required=True, max_length=registry.EMPLOYER_NAME_MAX
    )
    region = registry.region(report, row["region"], where + "region")
    registry.in_scope(report, principal, where + "region", region)
    injury = registry.injury_class(report, row["injury_class"], where + "injury_class")
    new.add(uscc)
    batch.employers.append(NewEmployer(uscc, name, region, injury))


def _person(
    report: ErrorCollector,
    line: int,
    row: dict[str, str],
    known: set[str],
    new: set[str],
    batch: Batch,
    today: date,
) -> None:
    """One person, by registry's rules for registering one; a minor needs a guardian, which
    the files cannot name, so is registered at the counter instead."""
    where = _at("persons.csv", line)
    try:
        identity = parse_id_number(row["id_number"])
    except InvalidInput as error:
        report.extend(error, where)
        return
    if identity.number in known or identity.number in new:
        report.add(
            where + "id_number",
            "duplicate",
            "该人员已登记或重复",
            "registered already or twice",
        )
    name = registry.text(
        report, row["name"], where + "name", required=True, max_length=registry.PERSON_NAME_MAX
    )
    phone = registry.phone(report, row["phone"], where + "phone")
    hukou = registry.region(report, row["hukou_region"], where + "hukou_region")
    residence = registry.region(report, row["residence_region"], where + "residence_region")
    category = registry.category(report, row["category"], where + "category")
    deemed = registry.deemed_months(report, row.get("deemed_months"), where + "deemed_months")
    if registry.age_on(identity.birth_date, today) < registry.ADULT_AGE:
        report.add(
            where + "id_number",
            "minor",
            "未成年人须登记监护人，请在窗口办理",
            "a minor needs a guardian: register them at the counter",
        )
    new.add(identity.number)
    if deemed:
        batch.deemed[identity.number] = deemed
    batch.persons.append(
        NewPerson(
            identity.number,
            name,
            identity.sex,
            identity.birth_date,
            phone,
            hukou,
            residence,
            category,
        )
    )


def _relation(
    report: ErrorCollector,
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
        report.add(_at(file, line, "id_number"), "not_registered", "该人员未登记", "not registered")
    if insurance not in Insurance.values:
        report.add(_at(file, line, "insurance"), "bad_insurance", "未知险种", "unknown insurance")
    if insurance in EMPLOYEE_INSURANCES and uscc not in employers:
        report.add(_at(file, line, "uscc"), "not_registered", "该单位未登记", "not registered")
    months = _months(
        report, file, line, row["start_month"], row["end_month"], "start_month", "end_month"
    )
    if months is None:
        return
    start, end = months
    held = [
        (kind, first, last) for (_, kind), spans in covered[number].items() for first, last in spans
    ]
    if registry.first_overlap(held, insurance, start, end) is not None:
        report.add(
            _at(file, line, "start_month"),
            "overlap",
            "与已有参保关系重叠",
            "overlaps another relation",
        )
    covered[number][(uscc, insurance)].append((start, end))
    batch.relations.append(RelationRow(number, uscc or None, insurance, start, end))


def _months(
    report: ErrorCollector,
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
            report.extend(error, _at(file, line))
            found.append(None)
    start, end = found
    if start is None or (end is None and second_text):
        return None
    if end is not None and end < start:
        report.add(
            _at(file, line, second), "before_start", "早于开始年月", "precedes the first month"
        )
        return None
    return start, end


@lru_cache(maxsize=4096)
def _month_text(text: str, field: str) -> str:
    """A month as YYYY-MM; files repeat the same few hundred months, so each is parsed once."""
    return str(YearMonth.parse(text, field))


def _contributions(
    report: ErrorCollector,
    rows: Iterable[tuple[int, list[str]]],
    index: Mapping[str, int],
    persons: set[str],
    employers: set[str],
    covered: Covered,
    batch: Batch,
    lacking: Callable[[str, str], str | None],
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
    columns = itemgetter(*(index[c] for c in FILES[file]))
    for line, values in rows:
        number, uscc, insurance, month_text, base_text, paid_text = columns(values)
        number = number.upper()
        if number not in persons:
            report.add(
                _at(file, line, "id_number"), "not_registered", "该人员未登记", "not registered"
            )
        if uscc not in employers:
            report.add(_at(file, line, "uscc"), "not_registered", "该单位未登记", "not registered")
        if insurance not in insurances:
            report.add(
                _at(file, line, "insurance"),
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
        try:
            base = parse_fen(base_text, "base_fen", code="bad_base")
        except InvalidInput as refused:
            report.extend(refused, _at(file, line))
            base = 0
        if month is None:
            continue
        if insurance in insurances and (missing := lacking(insurance, month)) is not None:
            report.add(
                _at(file, line, "month"),
                "no_rate",
                f"规则库没有 {month} 的 {missing} 取值，不能计算缴费额；须先经政策参数调整补充",
                f"the rulebook has no {missing} for {month}, so the amounts cannot be computed:"
                " add it by a parameter change first",
            )
        relation = (number, uscc, insurance)
        key = (number, uscc, insurance, month)
        if key in seen:
            report.add(
                _at(file, line, "month"), "duplicate", "同一月份重复", "the same month twice"
            )
        seen.add(key)
        mine = spans.get(relation)
        if mine is None:
            mine = spans[relation] = covered[number].get((uscc, insurance), [])
        if not any(start <= month and (end is None or month <= end) for start, end in mine):
            report.add(
                _at(file, line, "month"),
                "no_relation",
                "该月没有对应的参保关系",
                "no insurance relation covers this month",
            )
        kept.append((number, uscc, insurance, month, base, paid or None))
