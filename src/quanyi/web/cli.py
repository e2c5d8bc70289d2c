"""``quanyi serve``."""

from __future__ import annotations

import argparse
import os
from typing import Any

from quanyi.core.bounds import argument
from quanyi.core.commands import command
from quanyi.web import server


def register(sub: Any) -> None:
    serve = command(
        sub,
        "serve",
        _serve,
        anonymous=True,
        streams=True,
        help="serve the web UI and API with gunicorn",
    )
    serve.add_argument(
        "--port", type=argument(1, 65535), default=int(os.environ.get("QUANYI_PORT", "8000"))
    )
    serve.add_argument("--host", default=os.environ.get("QUANYI_HOST", "127.0.0.1"))
    serve.add_argument(
        "--workers", type=argument(1, 64), default=int(os.environ.get("QUANYI_WORKERS", "2"))
    )


def _serve(args: argparse.Namespace) -> int:

    return server.serve(host=args.host, port=args.port, workers=args.workers)
