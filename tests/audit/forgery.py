"""What an attacker with write access to the database does, with the project's own functions:
drop the append-only triggers, change a row, recompute its digest, its event's digest and every
event hash up to the head, put the triggers back. Run in the instance's environment:

    python -m tests.audit.forgery rewrite person 5 name 李鬼
    python -m tests.audit.forgery truncate 40
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any

from django.db import connection, transaction


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanyi.settings")
    import django

    django.setup()


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def rewrite(object_type: str, pk: int, column: str, value: str) -> None:
    from quanyi.audit import appendonly, tracking
    from quanyi.audit.models import AuditEvent
    from quanyi.core.canonical import merkle_root

    model = tracking.tracked_models()[object_type]
    table = model._meta.db_table
    tables = appendonly.registered_tables()
    with transaction.atomic():
        for name in tables:
            appendonly.disarm(name)
        _sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
        row = model._default_manager.get(pk=pk)
        seq = int(row.audit_seq)  # type: ignore[attr-defined]
        [(_, leaf)] = list(tracking.stored_leaves(model, pks=[pk]))
        if any(field.name == "row_digest" for field in model._meta.get_fields()):
            _sql(f"UPDATE {table} SET row_digest = %s WHERE id = %s", [bytes.fromhex(leaf), pk])
        event = AuditEvent.objects.get(seq=seq)
        if event.rows == 1:
            digest = leaf
        else:
            leaves = list(tracking.stored_leaves(model, audit_seq=seq))
            leaves += [
                (int(object_id), prior)
                for object_id, prior in AuditEvent.objects.filter(prior_seq=seq).values_list(
                    "object_id", "prior_digest"
                )
            ]
            digest = merkle_root([item for _, item in sorted(leaves)])
        _sql("UPDATE audit_auditevent SET digest = %s WHERE seq = %s", [digest, seq])
        relink_from(seq)
        for name in tables:
            appendonly.arm(name)


def relink_from(seq: int) -> None:
    """Recompute the hash and link of event ``seq`` and of every event after it (the audit
    table's triggers must be down)."""
    from quanyi.audit import services as audit
    from quanyi.audit.models import AuditEvent

    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
    for values in (
        AuditEvent.objects.filter(seq__gte=seq).order_by("seq").values(*audit.HASHED_FIELDS)
    ):
        values["prev_hash"] = previous
        previous = audit.event_hash(values)
        _sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
            [values["prev_hash"], previous, values["seq"]],
        )


def append_event(seq: int, prev_hash: str, when: datetime) -> None:
    """A well-formed event inserted at ``seq``, linked to ``prev_hash``, dated as the insider
    likes."""
    from quanyi.audit import services as audit
    from quanyi.audit.models import AuditEvent

    values: dict[str, Any] = {
        "seq": seq,
        "time": when,
        "actor": "mallory",
        "source": "cli",
        "request_id": "x",
        "action": "person.register",
        "object_type": "system",
        "object_id": "",
        "rows": 0,
        "result": "ok",
        "digest": "",
        "prior_seq": None,
        "prior_digest": "",
        "prev_hash": prev_hash,
    }
    values["hash"] = audit.event_hash(values)
    AuditEvent.objects.bulk_create([AuditEvent(**values)])


def truncate(keep: int) -> None:
    from quanyi.audit import appendonly

    with transaction.atomic():
        appendonly.disarm("audit_auditevent")
        _sql("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
        appendonly.arm("audit_auditevent")


def main(argv: list[str]) -> None:
    _setup()
    if argv[0] == "rewrite":
        rewrite(argv[1], int(argv[2]), argv[3], argv[4])
    elif argv[0] == "truncate":
        truncate(int(argv[1]))
    else:
        raise SystemExit(f"unknown forgery {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
