"""``quanyi serve`` on a port of one's choosing, writing nothing outside the data dir."""

from __future__ import annotations

import contextlib
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import Instance
from tests.helpers import QUANYI, free_port, quanyi

pytestmark = [pytest.mark.subprocess]

NUMBER = "110105198506150022"


def test_serve_answers_on_quanyi_port_masks_id_numbers_in_its_log_and_leaves_home_alone(
    instance: Instance, tmp_path: Path
) -> None:
    quanyi(instance, "init")
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [QUANYI, "serve", "--workers", "1"],
            env=instance.env(HOME=str(home), QUANYI_PORT=str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert r.status == 200
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("quanyi serve did not answer on QUANYI_PORT")
        # An old client's address with an id number in it (401: no login).
        with contextlib.suppress(OSError):
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v1/persons/{NUMBER}/record?again={NUMBER}", timeout=5
            )
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert list(home.iterdir()) == []  # no gunicorn control socket under the home directory
    written = log.read_text(encoding="utf-8")
    assert "/api/v1/persons/110105********0022/record" in written
    assert NUMBER not in written, [line for line in written.splitlines() if NUMBER in line]
