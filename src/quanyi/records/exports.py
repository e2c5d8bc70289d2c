"""``quanyi record export CASE --out FILE``: the one run of an approved bulk provision
(``disclosure.export``): each listed person's record, the approved items only, read under the
case as basis (logged per person and per batch), written as JSON lines to a file only the
service account may read, its SHA-256 kept with the run."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from quanyi.core.errors import Conflict
from quanyi.core.principal import Principal
from quanyi.disclosure import exports
from quanyi.disclosure.batches import export_basis
from quanyi.records.queries import read_batch


def run_export(principal: Principal, case_id: int, out: Path) -> tuple[int, str]:
    """``(persons written, SHA-256 of the file)``."""
    request = exports.approved_export(principal, case_id)
    if out.exists():
        raise Conflict(f"{out} 已存在，不会覆盖", f"{out} exists: it is not overwritten")
    temporary = out.with_name(out.name + ".part")
    digest = hashlib.sha256()
    count = 0
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for number, record in read_batch(
                principal, request.id_numbers, export_basis(case_id), request.items
            ):
                line = json.dumps({"id_number": number, **record}, ensure_ascii=False) + "\n"
                handle.write(line)
                digest.update(line.encode())
                count += 1
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    exports.record_run(principal, case_id, count, digest.hexdigest())
    return count, digest.hexdigest()
