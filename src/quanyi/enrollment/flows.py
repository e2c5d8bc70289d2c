"""The match as one process (002 art. 8-10): export the keys, run the SQL on the chosen engine,
keep the result per person. The export and the engine read; only ``services.record_run``
writes, inside the command's transaction."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quanyi.access.policy import authorize
from quanyi.core import crypto
from quanyi.core.errors import InvalidInput, QuanyiError
from quanyi.core.principal import Principal
from quanyi.enrollment import exchange, match, queries, services
from quanyi.enrollment.codes import COUNT_KEYS, SURVEYED
from quanyi.enrollment.models import Run

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
