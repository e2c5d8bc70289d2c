"""Benchmark the annual statements run (``quanyi statements generate``) against its floor.

    .venv/bin/python bench/statements.py [--persons 5000] [--workers 1] [--profile FILE]
                                         [--database-url postgres://…/empty_db]
    .venv/bin/python bench/statements.py --data-dir DIR [--workers 2]

Builds a fresh instance (SQLite unless the URL of an empty database is given) with ``quanyi
demo`` (N persons, its contribution history), then times the statements of last year in a
process of its own, as the command runs them: each read through ``records.read_batch``
(logged), drawn on the reused form, signed, recorded. In the same run it measures the floor:
ReportLab drawing the same number of pages of the same form with no data. Prints a table with
statements per second, the ratio to the floor and the peak memory (the maximum resident size of
the run's process and of its largest worker). With ``--profile`` the run is made in this process
instead, under the profiler, and no memory is reported. With ``--data-dir`` the instance is one
built before (``quanyi init`` and ``quanyi demo`` into that data dir, kept: a million persons
take over an hour to build) and no demo is made; its statements of last year must not have been
issued yet.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import subprocess
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


def kept(data_dir: str) -> float:
    """Use the instance in ``data_dir`` as it is; its database is the one its settings name."""
    import django

    os.environ["QUANYI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "quanyi.settings"
    django.setup()
    return 0.0


def floor(pages: int) -> float:
    """ReportLab drawing ``pages`` pages of the statement form with no data, in files of a
    batch's size as the run writes them."""
    from quanyi.statements.drawing import Book
    from quanyi.statements.flows import UNIT

    started = time.perf_counter()
    for first in range(0, pages, UNIT):
        book = Book(io.BytesIO(), "floor")
        assert book._form("employee")
        for _ in range(min(UNIT, pages - first)):
            book.canvas.doForm("form-employee")
            book.canvas.showPage()
        book.close()
    return time.perf_counter() - started


def _high_water_mb() -> float:
    """This process's peak resident size since it began running this program: ``VmHWM``, not
    ``ru_maxrss``, which keeps the peak of the process that started it (here the one that
    built the demo) across the exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_only(out: Path, year: int, workers: int) -> None:
    """In a process of its own: the run alone, then its seconds and peak memory as JSON."""
    import django

    django.setup()
    from django.conf import settings

    from quanyi.core.principal import Principal
    from quanyi.statements import flows

    clerk = Principal(
        actor="bench", source="batch", region=settings.QUANYI_REGION, roles=frozenset({"operator"})
    )
    started = time.perf_counter()
    made = flows.generate(clerk, year, out, workers=workers)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "statements": made.statements,
                "batches": len(made.batches),
                "own_mb": _high_water_mb(),
                "workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-only", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    parser.add_argument("--data-dir", help="a kept instance's data dir: no demo is built")
    parser.add_argument("--profile")
    args = parser.parse_args()
    if args.run_only:
        run_only(Path(args.run_only), args.year, args.workers)
        return
    if args.data_dir:
        built = kept(args.data_dir)
    else:
        instance.fresh(args.database_url)
        os.environ.setdefault("QUANYI_PASSWORD", "Quanyi-bench-2026!")
        os.environ.setdefault("QUANYI_DEMO_PASSWORD", "Quanyi-bench-2026!")
        built = demo(args.persons)

    from django.conf import settings
    from django.utils import timezone

    from quanyi.core.principal import Principal
    from quanyi.statements import flows

    year = timezone.localdate().year - 1
    out = Path(tempfile.mkdtemp(prefix="quanyi-statements-"))
    if args.profile:
        clerk = Principal(
            actor="bench",
            source="batch",
            region=settings.QUANYI_REGION,
            roles=frozenset({"operator"}),
        )
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        made = flows.generate(clerk, year, out, workers=args.workers)
        profiler.disable()
        seconds = time.perf_counter() - started
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
        own = children = 0.0
        statements, batches = made.statements, len(made.batches)
    else:
        # The run in a process of its own, as the command runs it, so its peak memory is its
        # own and its workers', not the demo's built in this one.
        child = subprocess.run(
            [sys.executable, __file__, "--run-only", str(out), "--year", str(year),
             "--workers", str(args.workers)],
            check=True, capture_output=True, text=True, env=dict(os.environ),
        )  # fmt: skip
        measured = json.loads(child.stdout)
        seconds, own, children = measured["seconds"], measured["own_mb"], measured["workers_mb"]
        statements, batches = measured["statements"], measured["batches"]
    blank = floor(statements)
    size = sum(p.stat().st_size for p in out.glob("*.pdf")) / 1e6
    rows = [
        ("database", settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]),
        (
            "demo persons (setup, s)",
            f"kept: {args.data_dir}" if args.data_dir else f"{args.persons} ({built:.1f})",
        ),
        ("statements of", str(year)),
        ("statements", str(statements)),
        ("batch files, MB", f"{batches}, {size:.1f}"),
        ("workers", str(args.workers)),
        ("generate, s", f"{seconds:.2f}"),
        ("statements per second", f"{statements / seconds:.0f}"),
        ("per second per worker", f"{statements / seconds / args.workers:.0f}"),
        ("floor: blank form pages, s", f"{blank:.2f}"),
        ("ratio to the floor", f"{seconds / blank:.1f} ×" if blank else "-"),
        ("peak memory of the run, MB (its process / a worker)", f"{own:.0f} / {children:.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
