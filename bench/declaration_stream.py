"""Benchmark a very large declaration file given to the command line (DESIGN.md invariant 8).

    .venv/bin/python bench/declaration_stream.py [--rows 2000000] [--database-url postgres://…]

Builds a fresh instance with one operator, writes a CSV declaration of ``--rows`` distinct, well-
formed id numbers in a temporary directory, and runs ``quanyi contributions declare`` on it in a
child process twice: once as written (every row good, refused as one for holding more than
``MAX_ROWS`` rows) and once with every wage 10³⁰ (every row bad: each one goes to the report file),
then ``quanyi import legacy`` on a folder whose contributions.csv holds as many rows (counted one
at a time and refused past one import's ``MAX_ROWS``). For each run it prints the exit status, the
seconds, the child's peak resident memory (``wait4``'s ``ru_maxrss``), the report's rows and
stderr's lines.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import instance

PASSWORD = "Quanyi-bench-2026!"


def write_file(path: Path, rows: int, wage: str) -> None:
    from stdnum.cn import ric

    day, sequence = date(1960, 1, 1), 0
    with path.open("w", encoding="utf-8") as out:
        out.write("id_number,wage_fen\n")
        for _ in range(rows):
            sequence += 1
            if sequence == 1000:
                day, sequence = day + timedelta(days=1), 1
            body = f"110105{day:%Y%m%d}{sequence:03d}"
            out.write(f"{body}{ric.calc_check_digit(body + '0')},{wage}\n")


def write_legacy(folder: Path, rows: int, uscc: str) -> None:
    """A legacy folder whose contributions.csv holds ``rows`` rows (one person's months)."""
    folder.mkdir()
    with (folder / "contributions.csv").open("w", encoding="utf-8") as out:
        out.write("id_number,uscc,insurance,month,base_fen,paid_month\n")
        for n in range(rows):
            month = f"{1990 + n // 12 % 35}-{n % 12 + 1:02d}"
            out.write(f"11010519491231002X,{uscc},pension,{month},600000,{month}\n")


def run(target: Path, uscc: str) -> tuple[int, float, int, int, int]:
    """Exit status, seconds, peak RSS in MB, report rows, stderr lines."""
    report = target.with_name(target.name + ".errors.csv")
    quanyi = str(Path(sys.executable).with_name("quanyi"))
    if target.is_dir():
        argv = [quanyi, "import", "legacy", str(target), "--as", "bench"]
    else:
        argv = [quanyi, "contributions", "declare", str(target), "--uscc", uscc]
        argv += ["--from", "2025-01", "--as", "bench"]
    env = {**os.environ, "QUANYI_PASSWORD": PASSWORD, "QUANYI_LANG": "en"}
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        lines = len(err.read().splitlines())
    rows = sum(1 for _ in report.open(encoding="utf-8")) - 1 if report.exists() else 0
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss // 1024, rows, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    instance.fresh(args.database_url)
    from django.db import transaction

    from quanyi import initialise as setup
    from quanyi.access import services
    from quanyi.core.principal import Principal

    setup.initialise()
    system = Principal(actor="system:bench", source="cli", region="110000")
    with transaction.atomic():
        services.create_account(
            system,
            services.NewAccount(
                username="bench", password=PASSWORD, roles=("operator",), region="110000"
            ),
        )
    from stdnum.cn import uscc as credit_codes

    body = "91110105MA0123456"
    uscc = body + credit_codes.calc_check_digit(body)  # not registered: only a large file gets past
    folder = Path(tempfile.mkdtemp(prefix="quanyi-bench-declare-"))
    print(
        f"{'file':<28} {'rows':>9} {'MB':>6} {'exit':>4} {'seconds':>8} {'peak RSS MB':>11}"
        f" {'report rows':>11} {'stderr lines':>12}"
    )
    runs = (("good", "every row good", "800000"), ("bad", "every wage 10^30", str(10**30)))
    for name, label, wage in runs:
        file = folder / f"{name}.csv"
        write_file(file, args.rows, wage)
        size = file.stat().st_size / 1024 / 1024
        status, seconds, peak, rows, lines = run(file, uscc)
        print(
            f"{label:<28} {args.rows:>9} {size:>6.0f} {status:>4} {seconds:>8.1f} {peak:>11}"
            f" {rows:>11} {lines:>12}"
        )
        file.unlink()
    legacy = folder / "legacy"
    write_legacy(legacy, args.rows, uscc)
    size = (legacy / "contributions.csv").stat().st_size / 1024 / 1024
    status, seconds, peak, rows, lines = run(legacy, uscc)
    print(
        f"{'legacy folder':<28} {args.rows:>9} {size:>6.0f} {status:>4} {seconds:>8.1f}"
        f" {peak:>11} {rows:>11} {lines:>12}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
