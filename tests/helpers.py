"""Running ``quanyi`` as a child process against a fresh instance."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests.conftest import Instance

QUANYI = str(Path(sys.executable).with_name("quanyi"))


def quanyi(
    instance: Instance, *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [QUANYI, *args],
        env=instance.env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"quanyi {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def raw_sql(instance: Instance, *statements: str) -> None:
    """Change the instance's database behind the application's back."""
    if instance.database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(instance.database_url.removeprefix("sqlite:///")) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import psycopg

    with psycopg.connect(instance.database_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]
