"""The cross-match (002 art. 8-10), written once in SQL that DuckDB and Spark both run.

The inputs are Parquet files in one directory, every person named only by the blind index of
their id number (``k``, 32 bytes of HMAC-SHA256 computed when the row was written) and every
name only by its keyed digest, so nothing is decrypted while matching:

- ``pop``: the population (``rid`` the registry row, ``k``, ``name_d``, ``birth``, ``emp`` the
  LD/T 92 employment code or '', ``division``); a code that implies no situation (unemployed,
  farming, another department's own, none) leaves it to age and the relations held here;
- ``reg``: our registry's persons (``k``, ``name_d``, ``birth``);
- ``ins``: insured periods, ours (``src`` 'here') and other regions' exchange files (``src``
  'x:' + region): ``k``, ``insurance``, ``src``, ``employer`` (1 with an employer),
  ``start_month``, ``end_month`` (null if open);
- ``pay``: monthly benefit payments (``k``, ``kind``, ``month``, ``grant_id``);
- ``pen``: pension grants (``k``, ``start_month``, ``end_month`` null if open).

The result, one row per person: ``rid``, ``division``, ``situation``, ``missing`` (the
insurances the situation calls for that are not held here, comma-separated), ``held`` (the
insurances held here in the month) and ``status`` by
the contract's precedence: inaccurate, duplicate, enrolled, partly_enrolled,
enrolled_elsewhere, not_enrolled.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

TABLES = ("pop", "reg", "ins", "pay", "pen")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# {as_of} is a checked YYYY-MM, {adult_cut} a date: both put in as literals, so the one text
# runs unchanged on both engines (no parameter syntax they share).
SQL = """
WITH
keys AS (SELECT DISTINCT k FROM pop),
i AS (
  SELECT x.k, x.insurance, x.src, x.employer, x.start_month, x.end_month,
         CASE WHEN x.end_month IS NULL OR x.end_month > '{as_of}' THEN '{as_of}'
              ELSE x.end_month END AS last_month
  FROM ins x JOIN keys ON keys.k = x.k
  WHERE x.start_month <= '{as_of}'
),
cover AS (
  SELECT k,
    MAX(CASE WHEN src = 'here' AND insurance = 'pension' THEN 1 ELSE 0 END) AS pension,
    MAX(CASE WHEN src = 'here' AND insurance = 'medical' THEN 1 ELSE 0 END) AS medical,
    MAX(CASE WHEN src = 'here' AND insurance = 'unemployment' THEN 1 ELSE 0 END) AS unemployment,
    MAX(CASE WHEN src = 'here' AND insurance = 'injury' THEN 1 ELSE 0 END) AS injury,
    MAX(CASE WHEN src = 'here' AND insurance = 'maternity' THEN 1 ELSE 0 END) AS maternity,
    MAX(CASE WHEN src = 'here' AND insurance = 'resident_pension' THEN 1 ELSE 0 END)
      AS resident_pension,
    MAX(CASE WHEN src = 'here' AND insurance = 'resident_medical' THEN 1 ELSE 0 END)
      AS resident_medical,
    MAX(CASE WHEN src = 'here' AND employer = 1 THEN 1 ELSE 0 END) AS employed_here,
    MAX(CASE WHEN src = 'here' AND employer = 0
             AND insurance IN ('pension', 'medical') THEN 1 ELSE 0 END) AS flexible_here,
    MAX(CASE WHEN src = 'here' THEN 1 ELSE 0 END) AS any_here,
    MAX(CASE WHEN src <> 'here' THEN 1 ELSE 0 END) AS any_elsewhere
  FROM i
  WHERE end_month IS NULL OR end_month >= '{as_of}'
  GROUP BY k
),
-- An overlap needs two periods: the pairwise join runs only on persons who have more.
cand AS (SELECT k FROM i GROUP BY k HAVING COUNT(*) > 1),
ic AS (SELECT i.* FROM i JOIN cand ON cand.k = i.k),
dup_ins AS (
  SELECT DISTINCT a.k
  FROM ic a JOIN ic b ON a.k = b.k
  WHERE a.start_month <= b.last_month AND b.start_month <= a.last_month
    AND ((a.insurance = b.insurance AND a.src < b.src)
      OR (a.insurance = 'pension' AND b.insurance = 'resident_pension')
      OR (a.insurance = 'medical' AND b.insurance = 'resident_medical'))
),
dup_pay AS (
  SELECT DISTINCT t.k FROM (
    SELECT y.k, y.kind, y.month
    FROM pay y JOIN keys ON keys.k = y.k
    WHERE y.month <= '{as_of}'
    GROUP BY y.k, y.kind, y.month
    HAVING COUNT(DISTINCT y.grant_id) > 1
  ) t
),
drawing AS (
  SELECT DISTINCT k FROM pen
  WHERE start_month <= '{as_of}' AND (end_month IS NULL OR end_month >= '{as_of}')
),
judged AS (
  SELECT p.rid, p.division,
    CASE WHEN r.k IS NOT NULL AND (r.name_d <> p.name_d OR r.birth <> p.birth)
         THEN 1 ELSE 0 END AS inaccurate,
    CASE WHEN d1.k IS NOT NULL OR d2.k IS NOT NULL THEN 1 ELSE 0 END AS duplicate,
    CASE WHEN dr.k IS NOT NULL THEN 1 ELSE 0 END AS drawing,
    COALESCE(c.pension, 0) AS pension,
    COALESCE(c.medical, 0) AS medical,
    COALESCE(c.unemployment, 0) AS unemployment,
    COALESCE(c.injury, 0) AS injury,
    COALESCE(c.maternity, 0) AS maternity,
    COALESCE(c.resident_pension, 0) AS resident_pension,
    COALESCE(c.resident_medical, 0) AS resident_medical,
    COALESCE(c.any_here, 0) AS any_here,
    COALESCE(c.any_elsewhere, 0) AS any_elsewhere,
    CASE
      WHEN dr.k IS NOT NULL OR p.emp = '41' THEN 'pensioner'
      WHEN p.emp = '11' THEN 'employee'
      WHEN p.emp IN ('12', '13') THEN 'flexible'
      WHEN p.emp IN ('31', '32') OR p.birth > DATE '{adult_cut}' THEN 'minor_or_student'
      WHEN COALESCE(c.employed_here, 0) = 1 THEN 'employee'
      WHEN COALESCE(c.flexible_here, 0) = 1 THEN 'flexible'
      ELSE 'resident'
    END AS situation
  FROM pop p
  LEFT JOIN reg r ON r.k = p.k
  LEFT JOIN cover c ON c.k = p.k
  LEFT JOIN dup_ins d1 ON d1.k = p.k
  LEFT JOIN dup_pay d2 ON d2.k = p.k
  LEFT JOIN drawing dr ON dr.k = p.k
),
needs AS (
  SELECT j.*,
    concat_ws(',',
      CASE WHEN situation IN ('employee', 'flexible') AND pension = 0 THEN 'pension' END,
      CASE WHEN situation IN ('employee', 'flexible') AND medical = 0 THEN 'medical' END,
      CASE WHEN situation = 'employee' AND unemployment = 0 THEN 'unemployment' END,
      CASE WHEN situation = 'employee' AND injury = 0 THEN 'injury' END,
      CASE WHEN situation = 'employee' AND maternity = 0 THEN 'maternity' END,
      CASE WHEN situation = 'resident' AND resident_pension = 0 THEN 'resident_pension' END,
      CASE WHEN situation IN ('resident', 'minor_or_student') AND resident_medical = 0
           THEN 'resident_medical' END,
      CASE WHEN situation = 'pensioner' AND drawing = 0 THEN 'pension_drawn' END,
      CASE WHEN situation = 'pensioner' AND medical = 0 AND resident_medical = 0
           THEN 'medical' END
    ) AS missing
  FROM judged j
)
SELECT rid, division, situation, missing,
  concat_ws(',',
    CASE WHEN pension = 1 THEN 'pension' END,
    CASE WHEN medical = 1 THEN 'medical' END,
    CASE WHEN unemployment = 1 THEN 'unemployment' END,
    CASE WHEN injury = 1 THEN 'injury' END,
    CASE WHEN maternity = 1 THEN 'maternity' END,
    CASE WHEN resident_pension = 1 THEN 'resident_pension' END,
    CASE WHEN resident_medical = 1 THEN 'resident_medical' END
  ) AS held,
  CASE
    WHEN inaccurate = 1 THEN 'inaccurate'
    WHEN duplicate = 1 THEN 'duplicate'
    WHEN missing = '' THEN 'enrolled'
    WHEN any_here = 1 OR drawing = 1 THEN 'partly_enrolled'
    WHEN any_elsewhere = 1 THEN 'enrolled_elsewhere'
    ELSE 'not_enrolled'
  END AS status
FROM needs
"""

# A person's result: (rid, division, situation, missing, held, status).
Result = tuple[int, str, str, str, str, str]


def schemas() -> dict[str, Any]:
    import pyarrow as pa

    key = pa.binary(32)
    return {
        "pop": pa.schema(
            [
                ("rid", pa.int64()),
                ("k", key),
                ("name_d", key),
                ("birth", pa.date32()),
                ("emp", pa.string()),
                ("division", pa.string()),
            ]
        ),
        "reg": pa.schema([("k", key), ("name_d", key), ("birth", pa.date32())]),
        "ins": pa.schema(
            [
                ("k", key),
                ("insurance", pa.string()),
                ("src", pa.string()),
                ("employer", pa.int8()),
                ("start_month", pa.string()),
                ("end_month", pa.string()),
            ]
        ),
        "pay": pa.schema(
            [("k", key), ("kind", pa.string()), ("month", pa.string()), ("grant_id", pa.int64())]
        ),
        "pen": pa.schema([("k", key), ("start_month", pa.string()), ("end_month", pa.string())]),
    }


def adult_cut(as_of: str) -> date:
    """Born after this day: under 16 on the first day of the month ``as_of``."""
    year, month = int(as_of[:4]), int(as_of[5:7])
    return date(year - 16, month, 1)


def sql(as_of: str) -> str:
    if not MONTH.fullmatch(as_of):
        raise ValueError(as_of)
    return SQL.format(as_of=as_of, adult_cut=adult_cut(as_of).isoformat())


class Writer:
    """Parquet files of the match's tables, written in batches so memory stays flat."""

    def __init__(self, directory: Path) -> None:
        import pyarrow.parquet as pq

        self.directory = directory
        self.schemas = schemas()
        self._writers = {
            name: pq.ParquetWriter(directory / f"{name}.parquet", schema)
            for name, schema in self.schemas.items()
        }

    def write(self, table: str, columns: dict[str, Sequence[Any]]) -> None:
        import pyarrow as pa

        batch = pa.table(columns, schema=self.schemas[table])
        self._writers[table].write_table(batch)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()


@contextmanager
def workspace() -> Iterator[Path]:
    """A private temporary directory for one run's files (they hold keys, not identities, but
    stay only as long as the run)."""
    directory = Path(tempfile.mkdtemp(prefix="quanyi-match-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def run_duckdb(directory: Path, as_of: str, *, threads: int | None = None) -> Path:
    """The match on DuckDB; the results as ``result.parquet`` in ``directory``."""
    import duckdb

    out = directory / "result.parquet"
    con = duckdb.connect(config={"memory_limit": "3GB", "preserve_insertion_order": False})
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute(f"SET temp_directory = '{directory / 'spill'}'")
        for name in TABLES:
            con.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{directory / name}.parquet')"
            )
        con.execute(f"COPY ({sql(as_of)}) TO '{out}' (FORMAT PARQUET)")
    finally:
        con.close()
    return out


_spark: Any = None


def spark_session() -> Any:
    """One local Spark session per process (the JVM takes seconds to start)."""
    global _spark
    if _spark is None:
        from pyspark.sql import SparkSession

        _spark = (
            SparkSession.builder.master("local[2]")
            .appName("quanyi-enrollment-match")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        _spark.sparkContext.setLogLevel("ERROR")
    return _spark


def run_spark(directory: Path, as_of: str) -> Path:
    """The same SQL on Spark (local mode here; a cluster reads the same Parquet)."""
    spark = spark_session()
    for name in TABLES:
        spark.read.parquet(str(directory / f"{name}.parquet")).createOrReplaceTempView(name)
    out = directory / "result.spark"
    spark.sql(sql(as_of)).write.mode("overwrite").parquet(str(out))
    return out


ENGINES: dict[str, Callable[[Path, str], Path]] = {"duckdb": run_duckdb, "spark": run_spark}


RESULT_COLUMNS = ["rid", "division", "situation", "missing", "held", "status"]


def status_counts(path: Path) -> dict[str, int]:
    """How many persons the run gave each status (a file, or Spark's directory of parts)."""
    import pyarrow.dataset as ds

    table = ds.dataset(path, format="parquet").to_table(columns=["status"])
    found = table.column("status").value_counts().to_pylist()
    return {str(item["values"]): int(item["counts"]) for item in found}


def result_batches(path: Path, size: int = 50_000) -> Iterator[list[Result]]:
    """The results, a batch at a time."""
    import pyarrow.dataset as ds

    for batch in ds.dataset(path, format="parquet").to_batches(
        columns=RESULT_COLUMNS, batch_size=size
    ):
        columns = [batch.column(name).to_pylist() for name in RESULT_COLUMNS]
        if columns[0]:
            yield list(zip(*columns, strict=True))


def results(path: Path) -> list[Result]:
    """The results a run wrote, by registry row."""
    import pyarrow.parquet as pq

    table = pq.read_table(
        path, columns=["rid", "division", "situation", "missing", "held", "status"]
    )
    columns = [table.column(name).to_pylist() for name in table.column_names]
    return sorted(zip(*columns, strict=True))
