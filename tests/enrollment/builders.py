"""A generated population with a known number of persons in each match status (002 art. 10;
issue 17): who is registered here with which relations, pensions and payments, who is in
which other region's exchange file, and what the population file says of each."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from quanyi.audit import services as audit
from quanyi.benefits import services as benefits
from quanyi.benefits.models import Payment
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.registry import services as registry
from quanyi.registry.models import Person
from quanyi.workflow import services as workflow
from quanyi.workflow.models import Case
from tests.registry import builders as reg
from tests.workflow.builders import Office

AS_OF = "2026-06"
HOME = "110105"
STREET = "110105001"
COMMUNITY_A = "110105001001"
COMMUNITY_B = "110105002003"
REGION_A = "310101"
REGION_B = "440106"
ELSEWHERE = "310101002001"
EMPLOYEE_FIVE = ("pension", "medical", "unemployment", "injury", "maternity")
HEADER = [
    "id_number",
    "name",
    "hukou_region",
    "residence_region",
    "employment_status",
    "phone",
    "birth_date",
    "not_enrolled_reason",
]
EXCHANGE_HEADER = ["id_number", "name", "insurance", "region", "start_month", "end_month"]

EXPECTED = {
    "enrolled": 8,
    "partly_enrolled": 3,
    "not_enrolled": 6,
    "enrolled_elsewhere": 2,
    "duplicate": 5,
    "inaccurate": 2,
}


@dataclass
class Population:
    file: Path
    exchange: list[Path]
    expected: dict[str, int]
    by_label: dict[str, str] = field(default_factory=dict)  # label -> id number
    rows: list[list[str]] = field(default_factory=list)


def _adult(n: int) -> date:
    return date(1970 + n % 25, 1 + n % 12, 1 + n % 27)


class _Maker:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.employer = reg.employer(principal)
        self.rows: list[list[str]] = []
        self.ids: dict[str, str] = {}
        self.count = 0
        self.a: list[list[str]] = []
        self.b: list[list[str]] = []

    def number(self, label: str, birth: date | None = None) -> str:
        self.count += 1
        found = reg.id_number(birth or _adult(self.count), male=self.count % 2 == 0)
        self.ids[label] = found
        return found

    def listed(
        self,
        label: str,
        number: str,
        name: str,
        emp: str,
        community: str = COMMUNITY_A,
        birth_date: str = "",
        reason: str = "",
        hukou: str = HOME,
    ) -> None:
        self.rows.append([number, name, hukou, community, emp, "13900000000", birth_date, reason])

    def register(self, number: str, name: str, category: str, **extra: str) -> Person:
        return reg.person(
            self.principal,
            id_number=number,
            name=name,
            category=category,
            **extra,
        )

    def relate(self, who: Person, insurances: tuple[str, ...], start: str = "2020-01") -> None:
        for insurance in insurances:
            employer = self.employer if insurance in EMPLOYEE_FIVE else None
            reg.relation(self.principal, who, employer, insurance, start)


def population(principal: Principal, folder: Path) -> Population:
    """Registered here and written to the files: 26 persons, ``EXPECTED`` of each status."""
    m = _Maker(principal)
    # enrolled: three employees with all five, one whose time elsewhere ended before ours
    for n in range(4):
        label = f"employee{n}"
        who = m.register(m.number(label), f"职工{n}", "employee")
        m.relate(who, EMPLOYEE_FIVE)
        m.listed(label, who.id_number, who.name, "11")
    m.a.append([m.ids["employee3"], "职工3", "pension", REGION_A, "2018-01", "2019-12"])
    # enrolled: two residents, a minor (in the other community) and a pensioner
    guardian = None
    for n in range(2):
        label = f"resident{n}"
        who = m.register(m.number(label), f"居民{n}", "resident")
        m.relate(who, ("resident_pension", "resident_medical"), "2021-01")
        m.listed(label, who.id_number, who.name, "22" if n else "51")
        guardian = guardian or who
    assert guardian is not None
    minor = m.register(
        m.number("minor", date(2015, 3, 4)),
        "小明",
        "resident",
        guardian_id_number=guardian.id_number,
    )
    m.relate(minor, ("resident_medical",), "2021-01")
    m.listed("minor", minor.id_number, minor.name, "", COMMUNITY_B)
    pensioner = m.register(m.number("pensioner", date(1958, 5, 6)), "老张", "resident")
    m.relate(pensioner, ("resident_medical",), "2021-01")
    benefits.add_grant(
        principal, pensioner, "pension", "pension", YearMonth.parse("2024-01"), 300_000
    )
    m.listed("pensioner", pensioner.id_number, pensioner.name, "41")
    # partly enrolled: employees with pension and medical only
    for n in range(3):
        label = f"partly{n}"
        who = m.register(m.number(label), f"部分{n}", "employee")
        m.relate(who, ("pension", "medical"))
        m.listed(label, who.id_number, who.name, "11", COMMUNITY_B, reason="06")
    # not enrolled: four adults and a minor nobody insures, one whose time elsewhere ended
    for n in range(4):
        label = f"none{n}"
        m.listed(label, m.number(label), f"未保{n}", "22", reason="02" if n % 2 else "03")
    m.listed("none_minor", m.number("none_minor", date(2016, 7, 8)), "小红", "32", COMMUNITY_B)
    # registered and living in another region now: still in this agency's population
    m.listed("ended", m.number("ended"), "曾保", "22", ELSEWHERE, hukou=REGION_A)
    m.a.append([m.ids["ended"], "曾保", "pension", REGION_A, "2019-01", "2023-12"])
    # enrolled elsewhere: only in region A's file, open
    for n in range(2):
        label = f"away{n}"
        m.listed(label, m.number(label), f"外地{n}", "11")
        m.a.append([m.ids[label], f"外地{n}", "pension", REGION_A, "2022-01", ""])
    # duplicates: here and in A in overlapping months; partly here and in B; in A and in B
    who = m.register(m.number("dup_here_a"), "重复甲", "employee")
    m.relate(who, EMPLOYEE_FIVE)
    m.listed("dup_here_a", who.id_number, who.name, "11")
    m.a.append([who.id_number, who.name, "pension", REGION_A, "2025-01", ""])
    who = m.register(m.number("dup_here_b"), "重复乙", "employee")
    m.relate(who, ("pension", "medical"))
    m.listed("dup_here_b", who.id_number, who.name, "11")
    m.b.append([who.id_number, who.name, "medical", REGION_B, "2021-01", "2021-12"])
    label = "dup_a_b"
    m.listed(label, m.number(label), "重复丙", "11")
    m.a.append([m.ids[label], "重复丙", "pension", REGION_A, "2023-01", ""])
    m.b.append([m.ids[label], "重复丙", "pension", REGION_B, "2024-01", "2024-12"])
    # duplicate schemes: employee and resident pension in the same months (legacy data the
    # registry's bulk path took in as it came)
    who = m.register(m.number("dup_schemes"), "重复丁", "employee")
    m.relate(who, EMPLOYEE_FIVE)
    registry.start_relations_bulk(
        principal, [registry.NewRelation(who.pk, None, "resident_pension", "2021-01", None)]
    )
    m.listed("dup_schemes", who.id_number, who.name, "11")
    # a benefit paid twice: two pension grants, both paid for March
    who = m.register(m.number("paid_twice", date(1957, 2, 3)), "重复戊", "resident")
    m.relate(who, ("resident_medical",), "2021-01")
    for _ in range(2):
        grant = benefits.add_grant(
            principal, who, "pension", "pension", YearMonth.parse("2025-01"), 200_000
        )
        audit.create_entry(
            principal,
            "benefit.pay",
            Payment,
            grant=grant,
            person=who,
            month="2026-03",
            paid_in="2026-03",
            kind="monthly",
            amount_fen=200_000,
            account_fen=0,
        )
    m.listed("paid_twice", who.id_number, who.name, "41")
    # inaccurate: a name and a birth date that disagree with our registry
    who = m.register(m.number("bad_name"), "李四", "employee")
    m.relate(who, EMPLOYEE_FIVE)
    m.listed("bad_name", who.id_number, "李思", "11")
    who = m.register(m.number("bad_birth"), "王五", "employee")
    m.relate(who, EMPLOYEE_FIVE)
    m.listed("bad_birth", who.id_number, who.name, "11", birth_date="1999-09-09")

    file = folder / "population.csv"
    _write(file, HEADER, m.rows)
    exchange_a = folder / "exchange-310101.csv"
    _write(exchange_a, EXCHANGE_HEADER, m.a)
    exchange_b = folder / "exchange-440106.parquet"
    _parquet(exchange_b, m.b)
    return Population(file, [exchange_a, exchange_b], dict(EXPECTED), m.ids, m.rows)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def _parquet(path: Path, rows: list[list[str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: [row[n] or None for row in rows] for n, name in enumerate(EXCHANGE_HEADER)}
    pq.write_table(pa.table(columns), path)


def import_file(office: Office, path: Path, source: str = "公安户籍") -> Case:
    """The file submitted as an ``enrollment.import`` case and approved at every stage."""
    data = path.read_bytes()
    with transaction.atomic():
        sha = workflow.store_content(data)
        case = workflow.submit(
            office.clerk,
            "enrollment.import",
            {"source": source, "file": path.name, "sha256": sha},
            (workflow.NewAttachment(path.name, data),),
        )
    return office.approve_all(case)
