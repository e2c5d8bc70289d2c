"""Upgrading an instance whose identities were stored in clear (DESIGN.md invariant 9; GB/T
22239-2019 8.1.4.8): the migrations seal the registry and the case payloads in place, the
attachment files on disk, and leave append-only rows as they were; no digest changes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import Instance
from tests.core.upgrade import NUMBER, PHONE
from tests.helpers import ROOT

pytestmark = pytest.mark.subprocess


def test_the_migrations_seal_existing_rows_in_place(instance: Instance) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.upgrade"],
        env=instance.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    number, phone, index, person_digest = facts["person_stored"]
    assert NUMBER.encode().hex() not in number and PHONE.encode().hex() not in phone
    assert len(bytes.fromhex(index)) == 32
    assert facts["person_read"] == [NUMBER, PHONE] and facts["person_found"] == 1
    payload, case_digest = facts["case_stored"]
    assert NUMBER not in str(payload) and "$sealed" in str(payload)
    assert facts["case_read"] == {"id_number": NUMBER, "phone": PHONE}
    # Append-only: the maintenance entry keeps its bytes, still read as it was.
    content, maintenance_digest = facts["maintenance_stored"]
    assert PHONE in str(content)
    assert facts["maintenance_read"][0]["before"] == PHONE
    # No digest changed: each stored digest is the one written before, and still the content's.
    assert [person_digest, case_digest, maintenance_digest] == list(facts["digests"].values())
    assert facts["leaves"] == facts["digests"]
    assert facts["file_sealed"] and facts["file_read"]
    # Vacuumed: no freed page of the SQLite file keeps the id number it held in clear.
    assert facts["database_clear"] in (False, None)
