"""The match as one process (002 art. 8-10): export the keys, run the SQL on the chosen engine,
keep the result per person. The export and the engine read; only ``services.record_run``
writes, inside the command's transaction."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quanyi.access.policy import authorize
from quanyi.core import crypto
from quanyi.core.errors import InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.core.yearmonth import YearMonth
from quanyi.enrollment import exchange, match, queries, services, validation
from quanyi.enrollment.codes import COUNT_KEYS, SURVEYED
from quanyi.enrollment.models import Resident, Run
from quanyi.workflow import services as workflow
from quanyi.workflow.models import Case

Progress = Callable[[str, int, int], None] | None


@dataclass(frozen=True)
class Outcome:
    run: Run
    counts: dict[str, int]
    needs_survey: int


class EngineMissing(QuanyiError):
    code = "engine_missing"


class EngineFailed(QuanyiError):
    code = "engine_failed"


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return (text[:200] + "…") if len(text) > 200 else text or type(error).__name__


def check_month(text: str) -> str:
    if not match.MONTH.fullmatch(text):
        raise InvalidInput.one(
            "as_of", "bad_month", f"年月应为 YYYY-MM：{text!r}", f"a month is YYYY-MM: {text!r}"
        )
    return text


def export(principal: Principal, directory: Path, found: exchange.Exchange) -> int:
    """The match's tables as Parquet files in ``directory``; the population's size."""
    writer = match.Writer(directory)
    ring = crypto.keyring()
    population = 0
    try:
        for rows in queries.population_rows(principal):
            population += len(rows)
            rid, k, name_d, birth, emp, division = zip(*rows, strict=True)
            writer.write(
                "pop",
                {
                    "rid": rid,
                    "k": k,
                    "name_d": name_d,
                    "birth": birth,
                    "emp": emp,
                    "division": division,
                },
            )
        for rows in queries.registry_rows(principal):
            _, k, names, birth = zip(*rows, strict=True)
            digests = [ring.index("enrollment_name", name) for name in names]
            writer.write("reg", {"k": k, "name_d": digests, "birth": birth})
        for rows in queries.relation_rows(principal):
            _, k, insurance, employer, start, end = zip(*rows, strict=True)
            writer.write(
                "ins",
                {
                    "k": k,
                    "insurance": insurance,
                    "src": ["here"] * len(rows),
                    "employer": [0 if e is None else 1 for e in employer],
                    "start_month": start,
                    "end_month": [e or None for e in end],
                },
            )
        if found.k:
            writer.write(
                "ins",
                {
                    "k": found.k,
                    "insurance": found.insurance,
                    "src": found.src,
                    "employer": [0] * len(found.k),
                    "start_month": found.start_month,
                    "end_month": found.end_month,
                },
            )
        for rows in queries.payment_rows(principal):
            _, k, kind, month, grant = zip(*rows, strict=True)
            writer.write("pay", {"k": k, "kind": kind, "month": month, "grant_id": grant})
        for rows in queries.pension_rows(principal):
            _, k, start, end = zip(*rows, strict=True)
            writer.write(
                "pen", {"k": k, "start_month": start, "end_month": [e or None for e in end]}
            )
    finally:
        writer.close()
    return population


def engine_of(name: str) -> Callable[[Path, str], Path]:
    module = {"duckdb": "duckdb", "spark": "pyspark"}[name]
    try:
        __import__(module)
    except ImportError:
        raise EngineMissing(
            f"未安装 {module}：请安装 quanyi[scale]（pip install 'quanyi[scale]'）",
            f"{module} is not installed: install quanyi[scale]",
        ) from None
    java_home = os.environ.get("JAVA_HOME", "")
    has_java = Path(java_home, "bin", "java").exists() if java_home else shutil.which("java")
    if name == "spark" and not has_java:
        raise EngineMissing(
            "Spark 需要 Java 运行环境：未找到 java（请安装 default-jre-headless 或设置 JAVA_HOME）",
            "Spark needs a Java runtime: no java found (install default-jre-headless or set"
            " JAVA_HOME)",
        )
    return match.ENGINES[name]


def run_match(
    principal: Principal,
    as_of: str,
    engine: str,
    exchange_files: list[Path],
    progress: Progress = None,
) -> Outcome:
    authorize(principal, "enrollment.match")
    check_month(as_of)
    run_engine = engine_of(engine)
    found = exchange.read(exchange_files)
    with match.workspace() as directory:
        if progress:
            progress("export", 0, 3)
        population = export(principal, directory, found)
        if population == 0:
            raise InvalidInput.one(
                "population",
                "empty",
                "登记库中没有人员：请先导入人口数据（quanyi enrollment import）",
                "the registry holds no one: import a population file first",
            )
        if progress:
            progress("export", 1, 3)
        try:
            out = run_engine(directory, as_of)
            counts = dict.fromkeys(COUNT_KEYS, 0)
            counts.update(match.status_counts(out))
        except QuanyiError:
            raise
        except Exception as error:  # the engine's own failure: a JVM that will not start,
            # memory or disk exhausted; the user reads why in one line, nothing is written
            raise EngineFailed(
                f"比对引擎 {engine} 运行失败：{_short(error)}",
                f"the {engine} engine failed: {_short(error)}",
            ) from error
        if progress:
            progress("export", 2, 3)
        # The findings go in batch by batch as they are read back: memory stays flat.
        findings = (
            [
                (rid, status, situation, missing, held, int(status in SURVEYED), division)
                for rid, division, situation, missing, held, status in batch
            ]
            for batch in match.result_batches(out)
        )
        run = services.record_run(
            principal, as_of, engine, counts, sum(counts.values()), found.files, findings
        )
    if progress:
        progress("export", 3, 3)
    needs_survey = sum(n for status, n in counts.items() if status in SURVEYED)
    return Outcome(run, counts, needs_survey)


# --- the standing feed from the insurance records (002 art. 20-22) ---------------------------

FEED_SOURCE = "社保登记"
FEED_COLUMNS = (
    *validation.REQUIRED_COLUMNS,
    "birth_date",
    "not_enrolled_reason",
    "elsewhere_region",
    "exit_reason",
)
MOBILE = re.compile(r"1\d{10}")


@dataclass(frozen=True)
class Proposal:
    """What the insurance records tell the population as of a month: persons registered here
    the population lacks (new residents) and residents the registry records as dead (leaving),
    each a row of a population file."""

    as_of: str
    added: list[list[str]]
    leaving: list[list[str]]

    def __len__(self) -> int:
        return len(self.added) + len(self.leaving)


def _region(code: str) -> str:
    return code if code and validation.division_ok(code) else ""


def _employment(person_id: int, employed: set[int], retired: set[int]) -> str:
    """Only what the records make certain: an employer insuring them that month (11), a
    pension drawn that month (41); both or neither leaves it blank."""
    if (person_id in employed) == (person_id in retired):
        return ""
    return "11" if person_id in employed else "41"


def _new_row(person: Any, employment: str) -> list[str]:
    return [
        person.id_number,
        person.name,
        _region(person.hukou_region),
        _region(person.residence_region),
        employment,
        person.phone if MOBILE.fullmatch(person.phone or "") else "",
        person.birth_date.isoformat(),
        "",
        "",
        "",
    ]


def _leaving_row(resident: Resident) -> list[str]:
    """The resident as the population holds them now, leaving: deceased."""
    return [
        resident.id_number,
        resident.name,
        resident.hukou_region,
        resident.residence_region,
        resident.employment_status,
        resident.phone,
        resident.birth_date.isoformat(),
        resident.not_enrolled_reason,
        resident.elsewhere_region,
        "deceased",
    ]


def propose_refresh(principal: Principal, as_of: str) -> Proposal:
    """Compare the population with the registry's persons of the region (read only, by blind
    index: nothing is decrypted but the rows proposed). A person registered and active here
    whom the population has never held is added; a resident the registry records as dead by
    the end of ``as_of`` leaves; a person matching both ways gives nothing."""
    authorize(principal, "enrollment.refresh")
    check_month(as_of)
    next_month = YearMonth.parse(as_of).add(1).first_day()
    known = queries.known_keys(principal)
    absent: list[int] = []
    dead: list[Any] = []
    for rows in queries.registered_keys(principal):
        for pk, key, status, deceased_date in rows:
            if deceased_date is not None and deceased_date < next_month:
                dead.append(key)
            elif status == "active" and key not in known:
                absent.append(pk)
    added: list[list[str]] = []
    for start in range(0, len(absent), queries.CHUNK):
        chunk = absent[start : start + queries.CHUNK]
        employed = queries.employed_by_unit(principal, chunk, as_of)
        retired = queries.drawing_pension(principal, chunk, as_of)
        added.extend(
            _new_row(person, _employment(person.pk, employed, retired))
            for person in queries.registered_persons(principal, chunk)
        )
    leaving: list[list[str]] = []
    for start in range(0, len(dead), queries.CHUNK):
        chunk = dead[start : start + queries.CHUNK]
        leaving.extend(_leaving_row(r) for r in queries.current_of_keys(principal, chunk))
    return Proposal(as_of, added, leaving)


def feed_file(proposal: Proposal) -> bytes:
    """The proposal as a population file (UTF-8 CSV), the form an import case carries."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\n")
    out.writerow(FEED_COLUMNS)
    out.writerows(proposal.added)
    out.writerows(proposal.leaving)
    return text.getvalue().encode("utf-8")


def refresh(principal: Principal, as_of: str) -> tuple[Proposal, Case | None]:
    """One ``enrollment.import`` case from source 社保登记 carrying what the insurance records
    tell the population, reviewed and applied like any population file — or no case when they
    agree. Refused while the region's previous one is still open or returned."""
    authorize(principal, "enrollment.refresh")
    check_month(as_of)
    waiting = queries.feed_in_flight(principal, FEED_SOURCE)
    if waiting is not None:
        raise InvalidInput.one(
            "case",
            "in_flight",
            f"社保登记更新业务件 {waiting.pk} 尚未审批完毕：请待其审批或撤回后再更新",
            f"the insurance records update case {waiting.pk} is not yet decided: wait for its"
            " approval or withdraw it",
        )
    proposal = propose_refresh(principal, as_of)
    if not proposal:
        return proposal, None
    name = f"insurance-records-{as_of}.csv"
    data = feed_file(proposal)
    sha = workflow.store_content(data)
    try:
        case = workflow.submit(
            principal,
            "enrollment.import",
            {"source": FEED_SOURCE, "file": name, "sha256": sha},
            (workflow.NewAttachment(name, data),),
        )
    except Exception:
        workflow.discard_unreferenced([sha])
        raise
    return proposal, case
