"""Where log records go. The server's console is its log (gunicorn's stderr): everything,
tracebacks included. On the command line stderr is the user's screen, which shows one line per
refusal (DESIGN.md, CLI contract): there a traceback goes to ``$QUANYI_DATA_DIR/logs/cli.log``
instead, and django-axes' login lines go nowhere — the ``auth.login`` audit event is the record,
and a user name it would print may be an id number."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from quanyi.core import filemodes
from quanyi.core.identifiers import mask_text

_in_cli = False


@contextlib.contextmanager
def command_line() -> Iterator[None]:
    """Log as the command line does while a ``quanyi`` command runs."""
    global _in_cli
    before, _in_cli = _in_cli, True
    try:
        yield
    finally:
        _in_cli = before


def _login_noise(record: logging.LogRecord) -> bool:
    return record.name == "axes" or record.name.startswith("axes.")


class ConsoleFilter(logging.Filter):
    """On the command line, the console keeps the one-line records only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _in_cli or (record.exc_info is None and not _login_noise(record))


class MaskingFilter(logging.Filter):
    """No log line carries a full id number (DESIGN.md invariant 9): Django's request warnings
    name the path (``Unauthorized: /api/v1/persons/…/record``), an error may quote input."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class CommandLineFile(logging.Handler):
    """On the command line, what the console leaves out for the operator: records with a
    traceback, appended to the data dir's ``logs/cli.log`` (created on the first such record,
    readable by the service account only)."""

    def emit(self, record: logging.LogRecord) -> None:
        if not _in_cli or record.exc_info is None or _login_noise(record):
            return
        from django.conf import settings

        try:
            folder = Path(settings.QUANYI_DATA_DIR) / "logs"
            filemodes.private_dir(folder)
            descriptor = os.open(folder / "cli.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)
