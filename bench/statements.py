"""Benchmark the annual statements run (``quanyi statements generate``) against its floor.

    .venv/bin/python bench/statements.py [--persons 5000] [--workers 1] [--profile FILE]
                                         [--database-url postgres://…/empty_db]

Builds a fresh instance (SQLite unless the URL of an empty database is given) with ``quanyi
demo`` (N persons, its contribution history), then times the statements of last year: each
read through ``records.read_batch`` (logged), drawn on the reused form, signed, recorded. In the
same run it measures the floor: ReportLab drawing the same number of pages of the same form with
no data. Prints a table with statements per second, the ratio to the floor and the peak memory
(the maximum resident size of this process and of its worker processes).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import instance


def demo(persons: int) -> float:
    from quanyi.cli import main

    started = time.perf_counter()
    assert main(["init"]) == 0
    assert main(["demo", "--persons", str(persons), "--employers", str(max(persons // 50, 4))]) == 0
    return time.perf_counter() - started


def floor(pages: int) -> float:
    """ReportLab drawing ``pages`` pages of the statement form with no data."""
    from quanyi.statements.drawing import Book

    book = Book(io.BytesIO(), "floor")
    form = book._form("employee")
    assert form
    started = time.perf_counter()
    for _ in range(pages):
        book.canvas.doForm("form-employee")
        book.canvas.showPage()
    book.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--profile")
    args = parser.parse_args()
    instance.fresh(args.database_url)
    import os

    os.environ.setdefault("QUANYI_PASSWORD", "Quanyi-bench-2026!")
    os.environ.setdefault("QUANYI_DEMO_PASSWORD", "Quanyi-bench-2026!")
    built = demo(args.persons)

    from django.conf import settings
    from django.utils import timezone

    from quanyi.core.principal import Principal
    from quanyi.statements import flows

    year = timezone.localdate().year - 1
    clerk = Principal(
        actor="bench", source="batch", region=settings.QUANYI_REGION, roles=frozenset({"operator"})
    )
    out = Path(tempfile.mkdtemp(prefix="quanyi-statements-"))
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    run = flows.generate(clerk, year, out, workers=args.workers)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
    seconds = time.perf_counter() - started
    blank = floor(run.statements)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in out.glob("*.pdf")) / 1e6
    rows = [
        ("database", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        ("demo persons (setup, s)", f"{args.persons} ({built:.1f})"),
        ("statements of", str(year)),
        ("statements", str(run.statements)),
        ("batch files, MB", f"{len(run.batches)}, {size:.1f}"),
        ("workers", str(args.workers)),
        ("generate, s", f"{seconds:.2f}"),
        ("statements per second", f"{run.statements / seconds:.0f}"),
        ("per second per worker", f"{run.statements / seconds / args.workers:.0f}"),
        ("floor: blank form pages, s", f"{blank:.2f}"),
        ("ratio to the floor", f"{seconds / blank:.1f} ×" if blank else "-"),
        ("peak memory, MB (self / worker)", f"{own:.0f} / {children:.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
