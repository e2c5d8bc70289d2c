"""``quanyi serve`` on a port of one's choosing, writing nothing outside the data dir."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import Instance
from tests.helpers import QUANYI, free_port, quanyi

pytestmark = [pytest.mark.subprocess]


def test_serve_answers_on_quanyi_port_and_leaves_the_home_directory_alone(
    instance: Instance, tmp_path: Path
) -> None:
    quanyi(instance, "init")
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [QUANYI, "serve", "--workers", "1"],
        env=instance.env(HOME=str(home), QUANYI_PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert list(home.iterdir()) == []  # no gunicorn control socket under the home directory
