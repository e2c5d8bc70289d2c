"""``quanyi init``, ``quanyi demo``, ``quanyi serve``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from quanyi.cli import command


def register(sub: Any) -> None:
    command(
        sub,
        "init",
        _init,
        writes=True,
        help="create or upgrade the database, load reference data, create keys",
    )
    demo = command(
        sub,
        "demo",
        _demo,
        writes=True,
        help="build a realistic demo region (refused on non-demo data)",
    )
    demo.add_argument("--persons", type=int, default=1000)
    demo.add_argument("--employers", type=int, default=50)
    demo.add_argument("--years", type=int, default=5)
    demo.add_argument("--seed", type=int, default=None, help="random seed (repeatable demo)")
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing if the database already holds persons"
    )
    serve = command(sub, "serve", _serve, help="serve the web UI and API with gunicorn")
    serve.add_argument("--port", type=int, default=int(os.environ.get("QUANYI_PORT", "8000")))
    serve.add_argument("--host", default=os.environ.get("QUANYI_HOST", "127.0.0.1"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("QUANYI_WORKERS", "2")))


def _init(args: argparse.Namespace) -> int:
    from quanyi.core import setup

    outcome = setup.initialise()
    print(
        f"quanyi init: database ready ({outcome.database}), data dir {outcome.data_dir}"
        + (", signing key created" if outcome.created_keys else "")
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from quanyi.demo import generate

    if args.if_empty and generate.has_persons():
        print("quanyi demo: the database already holds persons; nothing done")
        return 0
    summary = generate.build(
        persons=args.persons,
        employers=args.employers,
        years=args.years,
        seed=args.seed,
        progress=sys.stderr.isatty(),
    )
    print(
        f"quanyi demo: {summary.persons} persons, {summary.employers} employers,"
        f" {summary.relations} relations in {summary.seconds:.1f} s"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from quanyi.web import server

    return server.serve(host=args.host, port=args.port, workers=args.workers)
