"""The enrollment cross-match at scale (issue 17): N population rows × M insured rows on DuckDB,
against DuckDB's own plain hash join of the same two files as the floor, and on Spark.

    .venv/bin/python bench/enrollment_match.py [--persons 10000000] [--insured 10000000]
                                               [--engine duckdb|spark|both]
                                               [--spark-persons 1000000] [--spark-insured 1000000]

The input files are generated first (by DuckDB, outside the timing) as the match reads them:
Parquet of blind-index keys (32 random-looking bytes per person), name digests, birth dates,
employment codes and divisions; insured periods here and in another region's exchange file;
monthly benefit payments (a few paid twice) and pension grants. Each timed step runs in a child
process of its own, so its peak memory (ru_maxrss) is its own and not the generator's. The
match is ``quanyi.enrollment.match.sql`` itself, the very text the ``match`` command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2026-06"


def generate(directory: Path, persons: int, insured: int) -> None:
    """The five tables, in the schemas ``match.schemas`` declares (keys as 32-byte BLOBs)."""
    import duckdb

    con = duckdb.connect(config={"memory_limit": "3GB", "preserve_insertion_order": False})
    con.execute(f"SET temp_directory = '{directory / 'spill'}'")
    key = "unhex(sha256(CAST(i AS VARCHAR)))"
    name = "unhex(sha256('n' || CAST(i AS VARCHAR)))"
    codes = "['11','11','11','12','22','31','32','41','51','90']"
    con.execute(
        f"""COPY (SELECT i AS rid, {key} AS k, {name} AS name_d,
                 CAST(DATE '1940-01-01' + CAST(i % 30000 AS INTEGER) AS DATE) AS birth,
                 {codes}[1 + i % 10] AS emp,
                 '110105' || lpad(CAST(i % 40 AS VARCHAR), 3, '0')
                   || lpad(CAST(i % 25 AS VARCHAR), 3, '0') AS division
               FROM range({persons}) t(i))
           TO '{directory / "pop.parquet"}' (FORMAT PARQUET)"""
    )
    # 80 % registered here; one in a hundred under another name.
    con.execute(
        f"""COPY (SELECT {key} AS k,
                 CASE WHEN i % 100 = 7 THEN unhex(sha256('x' || CAST(i AS VARCHAR)))
                      ELSE {name} END AS name_d,
                 CAST(DATE '1940-01-01' + CAST(i % 30000 AS INTEGER) AS DATE) AS birth
               FROM range({persons}) t(i) WHERE i % 5 <> 0)
           TO '{directory / "reg.parquet"}' (FORMAT PARQUET)"""
    )
    # Insured rows spread over the population: row j is person (j * 7) mod N, one insurance;
    # 90 % ours, 10 % another region's exchange file; a few closed months ago.
    insurances = (
        "['pension','medical','unemployment','injury','maternity',"
        "'resident_pension','resident_medical']"
    )
    person = f"(j * 7) % {persons}"
    con.execute(
        f"""COPY (SELECT unhex(sha256(CAST({person} AS VARCHAR))) AS k,
                 {insurances}[1 + j % 7] AS insurance,
                 CASE WHEN j % 10 = 3 THEN 'x:310101' ELSE 'here' END AS src,
                 CAST(CASE WHEN j % 7 < 5 THEN 1 ELSE 0 END AS TINYINT) AS employer,
                 CAST(2000 + j % 25 AS VARCHAR) || '-' || lpad(CAST(1 + j % 12 AS VARCHAR), 2, '0')
                   AS start_month,
                 CASE WHEN j % 13 = 0 THEN '2025-12' ELSE NULL END AS end_month
               FROM range({insured}) t(j))
           TO '{directory / "ins.parquet"}' (FORMAT PARQUET)"""
    )
    # Payments: 1 % of persons paid monthly for March, one in fifty of them by two grants.
    con.execute(
        f"""COPY (SELECT {key} AS k, 'pension' AS kind, '2026-03' AS month, i AS grant_id
               FROM range({persons}) t(i) WHERE i % 100 = 41
               UNION ALL
               SELECT {key}, 'pension', '2026-03', i + {persons}
               FROM range({persons}) t(i) WHERE i % 5000 = 41)
           TO '{directory / "pay.parquet"}' (FORMAT PARQUET)"""
    )
    con.execute(
        f"""COPY (SELECT {key} AS k, '2015-01' AS start_month, CAST(NULL AS VARCHAR) AS end_month
               FROM range({persons}) t(i) WHERE i % 10 = 7)
           TO '{directory / "pen.parquet"}' (FORMAT PARQUET)"""
    )
    con.close()


def _floor(directory: Path) -> None:
    """DuckDB's plain hash join of the population and the insured rows on the key, written
    out: the least any match of these two files costs on this machine."""
    import duckdb

    con = duckdb.connect(config={"memory_limit": "3GB", "preserve_insertion_order": False})
    con.execute(f"SET temp_directory = '{directory / 'spill'}'")
    con.execute(
        f"""COPY (SELECT p.rid, i.insurance
                  FROM read_parquet('{directory / "pop.parquet"}') p
                  JOIN read_parquet('{directory / "ins.parquet"}') i ON p.k = i.k)
            TO '{directory / "floor.parquet"}' (FORMAT PARQUET)"""
    )
    con.close()


def step(name: str, directory: Path) -> dict[str, float]:
    """One timed step in this (child) process: seconds and peak resident memory."""
    from quanyi.enrollment import match

    started = time.perf_counter()
    extra: dict[str, float] = {}
    if name == "match":
        match.run_duckdb(directory, AS_OF)
    elif name == "floor":
        _floor(directory)
    elif name == "spark":
        session_started = time.perf_counter()
        match.spark_session()
        extra["session_seconds"] = time.perf_counter() - session_started
        sql_started = time.perf_counter()
        match.run_spark(directory, AS_OF)
        extra["sql_seconds"] = time.perf_counter() - sql_started
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if name == "spark":
        # The JVM is a child of this process, still running: its own peak counts too.
        peak_kb += sum(_child_peaks_kb())
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, **extra}


def _child_peaks_kb() -> list[int]:
    """VmHWM (peak resident set) of this process's live children, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != os.getpid():
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found.append(int(line.split()[1]))
        except (OSError, IndexError, ValueError):
            continue
    return found


def run_child(name: str, directory: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, "--dir", str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def counts(directory: Path, result: str) -> dict[str, int]:
    import duckdb

    rows = duckdb.sql(
        f"SELECT status, count(*) FROM read_parquet('{directory / result}/**/*.parquet', "
        "union_by_name=true) GROUP BY status ORDER BY status"
        if (directory / result).is_dir()
        else f"SELECT status, count(*) FROM read_parquet('{directory / result}') "
        "GROUP BY status ORDER BY status"
    ).fetchall()
    return {str(status): int(n) for status, n in rows}


def measure(persons: int, insured: int, engines: list[str]) -> dict[str, object]:
    directory = Path(tempfile.mkdtemp(prefix="quanyi-bench-match-"))
    try:
        started = time.perf_counter()
        generate(directory, persons, insured)
        report: dict[str, object] = {
            "persons": persons,
            "insured": insured,
            "generate_seconds": round(time.perf_counter() - started, 1),
        }
        if "duckdb" in engines:
            floor = run_child("floor", directory)
            found = run_child("match", directory)
            report["duckdb"] = {
                "seconds": round(found["seconds"], 2),
                "peak_mb": round(found["peak_mb"]),
                "floor_seconds": round(floor["seconds"], 2),
                "floor_peak_mb": round(floor["peak_mb"]),
                "ratio": round(found["seconds"] / floor["seconds"], 2),
                "counts": counts(directory, "result.parquet"),
            }
        if "spark" in engines:
            found = run_child("spark", directory)
            report["spark"] = {
                "seconds": round(found["seconds"], 2),
                "session_seconds": round(found["session_seconds"], 2),
                "sql_seconds": round(found["sql_seconds"], 2),
                "peak_mb": round(found["peak_mb"]),
                "counts": counts(directory, "result.spark"),
            }
        return report
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--insured", type=int, default=10_000_000)
    parser.add_argument("--engine", choices=("duckdb", "spark", "both"), default="both")
    parser.add_argument("--spark-persons", type=int, default=1_000_000)
    parser.add_argument("--spark-insured", type=int, default=1_000_000)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    if args.step:
        print(json.dumps(step(args.step, Path(args.dir))))
        return 0
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", file=sys.stderr)
    if args.engine in ("duckdb", "both"):
        print(json.dumps(measure(args.persons, args.insured, ["duckdb"]), indent=1))
    if args.engine in ("spark", "both"):
        print(json.dumps(measure(args.spark_persons, args.spark_insured, ["spark"]), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
