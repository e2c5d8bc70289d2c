"""``quanyi init``: migrate, reference data, keys — safe to run again on every start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from quanyi.audit import checkpoints
from quanyi.audit import services as audit
from quanyi.core.principal import Principal


@dataclass(frozen=True)
class InitOutcome:
    database: str
    data_dir: Path
    created_keys: bool


def initialise() -> InitOutcome:
    data_dir = Path(settings.QUANYI_DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    created = checkpoints.ensure_keys()
    with transaction.atomic():
        if audit.head()[0] == 0:
            audit.record(Principal.system("system:init"), "system.init", "system", "")
    return InitOutcome(connection.vendor, data_dir, created)
