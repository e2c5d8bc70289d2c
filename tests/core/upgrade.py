"""An instance upgraded from before identities were sealed (DESIGN.md invariant 9). Run in the
instance's environment on an empty database:

    python -m tests.core.upgrade

migrates to the schema before sealing, writes rows there as that code wrote them (plaintext id
number and phone, a case payload, a maintenance-log entry, an attachment file, each row with its
digest), migrates to the end and prints what is stored and what is read, as JSON.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NUMBER, PHONE = "11010519491231002X", "13800138000"
SCAN = ("户口簿 " + NUMBER).encode() * 5000


def main() -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanyi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from quanyi.audit import tracking
    from quanyi.core import filemodes, keys
    from quanyi.registry.models import Person
    from quanyi.workflow import storage
    from quanyi.workflow.models import Case, MaintenanceEntry

    filemodes.private_dir(Path(settings.QUANYI_DATA_DIR))  # as quanyi init does first
    keys.ensure_master_key()  # and before migrating
    call_command("migrate", "workflow", "0002", verbosity=0)
    call_command("migrate", "registry", "0003", verbosity=0)
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    person = ["110000", NUMBER, "王五", "M", "1949-12-31", PHONE, "110105", "110105", "employee"]
    payload = {"id_number": NUMBER, "phone": PHONE}
    content = [{"field": "phone", "before": PHONE, "after": "13900000000"}]
    digests = {
        "person": tracking.leaf_bytes(
            "person",
            tracking.fields_of(Person),
            1,
            [
                NUMBER,
                "王五",
                "M",
                "1949-12-31",
                PHONE,
                "110105",
                "110105",
                "employee",
                None,
                None,
                "active",
                "110000",
            ],
        ),
        "case": tracking.leaf_bytes(
            "case",
            tracking.fields_of(Case),
            1,
            ["person.change", payload, "approved", "", "110000", "clerk", now, 1, "person 1"],
        ),
        "maintenance": tracking.leaf_bytes(
            "maintenance",
            tracking.fields_of(MaintenanceEntry),
            1,
            [1, "2025-03", now, "person", "1", content, "更正", "依据户口簿", "approver", "clerk"],
        ),
    }
    sha = hashlib.sha256(SCAN).hexdigest()
    storage.path_of(sha).parent.mkdir(parents=True, exist_ok=True)
    storage.path_of(sha).write_bytes(SCAN)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_person (id, agency_region, id_number, name, sex, birth_date,"
            " phone, hukou_region, residence_region, category, status, row_digest)"
            " VALUES (1, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'active', %s)",
            [*person, digests["person"]],
        )
        cursor.execute(
            "INSERT INTO workflow_case (id, type, payload, status, stage, region, submitted_by,"
            " submitted_at, round, result, row_digest) VALUES (1, 'person.change', %s,"
            " 'approved', '', '110000', 'clerk', %s, 1, 'person 1', %s)",
            [json.dumps(payload), now, digests["case"]],
        )
        cursor.execute(
            "INSERT INTO workflow_maintenanceentry (id, case_id, month, maintained_at,"
            " object_type, object_id, content, reason, method, responsible, submitted_by,"
            " row_digest) VALUES (1, 1, '2025-03', %s, 'person', '1', %s, '更正', '依据户口簿',"
            " 'approver', 'clerk', %s)",
            [now, json.dumps(content), digests["maintenance"]],
        )
        cursor.execute(
            "INSERT INTO workflow_attachment (id, case_id, file_name, size, sha256, added_by,"
            " added_at) VALUES (1, 1, 'scan.pdf', %s, %s, 'clerk', %s)",
            [len(SCAN), sha, now],
        )
    from quanyi import initialise

    initialise.initialise()  # migrates, sealing in place, then vacuums

    def stored(sql: str) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        return [bytes(v).hex() if isinstance(v, bytes | memoryview) else v for v in row]

    read = Person.objects.get(pk=1)
    facts = {
        "person_stored": stored(
            "SELECT id_number, phone, id_number_index, row_digest FROM registry_person"
        ),
        "person_read": [read.id_number, read.phone],
        "person_found": Person.objects.filter(id_number=NUMBER).count(),
        "case_stored": stored("SELECT payload, row_digest FROM workflow_case"),
        "case_read": Case.objects.get(pk=1).payload,
        "maintenance_stored": stored("SELECT content, row_digest FROM workflow_maintenanceentry"),
        "maintenance_read": MaintenanceEntry.objects.get(pk=1).content,
        "digests": {kind: value.hex() for kind, value in digests.items()},
        "leaves": {
            kind: next(tracking.stored_leaves(model, pks=[1]))[1]
            for kind, model in (
                ("person", Person),
                ("case", Case),
                ("maintenance", MaintenanceEntry),
            )
        },
        "file_sealed": NUMBER.encode() not in storage.path_of(sha).read_bytes(),
        "file_read": storage.read(sha) == SCAN,
        "database_clear": _in_database_file(NUMBER.encode()),
    }
    print(json.dumps(facts, ensure_ascii=False))
    return facts


def _in_database_file(value: bytes) -> bool | None:
    """Whether the SQLite file (with its WAL) still holds ``value`` anywhere, freed pages
    included; None on PostgreSQL."""
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    name = Path(connection.settings_dict["NAME"])
    parts = [name, name.with_name(name.name + "-wal")]
    return any(value in part.read_bytes() for part in parts if part.exists())


if __name__ == "__main__":
    main()
