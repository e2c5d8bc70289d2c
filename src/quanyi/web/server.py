"""``quanyi serve``: gunicorn (a production WSGI server) running the Django app.

The gunicorn master also signs an audit checkpoint once a minute while the chain grows
(DESIGN.md, invariant 5), so web writes are covered without waiting for a command — unless the
chain no longer passes through the last signed head, when it refuses and raises an alert.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connection, transaction
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from quanyi.audit import checkpoints
from quanyi.core import plugins
from quanyi.core.identifiers import mask_text

CHECKPOINT_INTERVAL_SECONDS = 60


def _run_periodic(checkpoints: Any) -> None:
    """The apps' periodic work (sealing the query log), only over a sound chain: nothing is
    written onto one that no longer passes through its last signed head."""

    if checkpoints.guard() is not None:
        return
    for _, plugin in plugins.installed():
        for hook in plugin.periodic:
            with transaction.atomic():
                plugins.resolve(hook)()


def _checkpoint_loop(stop: threading.Event) -> None:

    while not stop.wait(CHECKPOINT_INTERVAL_SECONDS):
        try:
            _run_periodic(checkpoints)
            # Refuses over a chain that no longer passes through the last signed head: the
            # refusal is logged at ERROR and kept as one alert in the log and its witnesses.
            checkpoints.write(source="server timer", dedupe=True)
        except checkpoints.ChainBroken:
            pass
        except DatabaseError:
            pass  # the database is away for a moment; the next minute tries again
        finally:
            connection.close()


def _sign_once_more() -> None:
    """At a clean stop the last minute's web writes are signed now, not left unsigned until the
    grace runs out (after which only the auditor may accept them)."""

    try:
        _run_periodic(checkpoints)
        checkpoints.write(source="server stop", dedupe=True)
    except (checkpoints.ChainBroken, DatabaseError):
        pass
    finally:
        connection.close()


class MaskingLogger(Logger):
    """The access log with every id number in a request line, path, query or referer masked:
    an old client's ``GET /api/v1/persons/{id}/record`` must not leave it in a log file."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        found: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(found.get(key), str):
                found[key] = mask_text(found[key])
        return found


class _Application(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # a setting an older gunicorn lacks is not needed
                self.cfg.set(key, value)

    def load(self) -> Any:
        # What quanyi.wsgi builds, without importing the site's top layer from here.

        return get_wsgi_application()


def serve(host: str, port: int, workers: int) -> int:

    connection.close()  # never hand an open connection to forked workers
    stop = threading.Event()

    def when_ready(server: Any) -> None:
        threading.Thread(
            target=_checkpoint_loop, args=(stop,), daemon=True, name="quanyi-checkpoints"
        ).start()

    def on_exit(server: Any) -> None:
        stop.set()
        _sign_once_more()

    print(f"quanyi: serving on http://{host}:{port}", flush=True)
    _Application(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "accesslog": "-",
            "logger_class": MaskingLogger,
            # gunicorn's control socket would be written under the home directory; nothing
            # here uses it.
            "control_socket_disable": True,
            "timeout": 60,
            "graceful_timeout": 10,
            "when_ready": when_ready,
            "on_exit": on_exit,
        }
    ).run()
    return 0
