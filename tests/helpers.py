"""Running ``quanyi`` as a child process against a fresh instance."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import Instance

QUANYI = str(Path(sys.executable).with_name("quanyi"))
ROOT = Path(__file__).resolve().parent.parent


def quanyi(
    instance: Instance,
    *args: str,
    check: bool = True,
    timeout: float = 300,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``quanyi ARGS``; a trailing ``--as USER`` for a demo account logs in as it."""
    extra = dict(env or {})
    if len(args) >= 2 and args[-2] == "--as" and "QUANYI_PASSWORD" not in extra:
        extra.update(demo_login(instance, args[-1]))
    done = subprocess.run(
        [QUANYI, *args],
        env=instance.env(**extra),
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


def query(instance: Instance, sql: str) -> list[tuple[Any, ...]]:
    """Read the instance's database directly."""
    if instance.database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(instance.database_url.removeprefix("sqlite:///")) as conn:
            return list(conn.execute(sql).fetchall())
    import psycopg

    with psycopg.connect(instance.database_url) as conn:
        return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]


def plain_query(instance: Instance, sql: str) -> list[tuple[Any, ...]]:
    """``query``, with sealed values (id numbers, phones) opened by the instance's own keys."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.plain_query", sql],
        env=instance.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"plain_query {sql!r}: {done.stderr}")
    return [tuple(row) for row in json.loads(done.stdout)]


def demo_login(instance: Instance, username: str) -> dict[str, str]:
    """``QUANYI_PASSWORD`` and, for accounts with TOTP, an unused ``QUANYI_OTP``."""
    accounts = json.loads((instance.data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    entry = accounts[username]
    env = {"QUANYI_PASSWORD": entry["password"]}
    if "totp_secret" in entry:
        env["QUANYI_OTP"] = totp_code(instance, username, entry["totp_secret"])
    return env


def totp_code(instance: Instance, username: str, secret: str) -> str:
    from django_otp.oath import hotp

    rows = query(
        instance,
        "SELECT d.last_t FROM otp_totp_totpdevice d JOIN auth_user u ON u.id = d.user_id"
        f" WHERE u.username = '{username}' AND d.confirmed",
    )
    last_t = int(rows[0][0]) if rows else -1
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    now = int(time.time()) // 30
    if last_t >= now + 1:
        # This step's codes are spent (replays are refused): instead of waiting out the step,
        # the device forgets which step it saw last, as if that much time had passed (``last_t``
        # is its memory, outside the audited state).
        raw_sql(
            instance,
            f"UPDATE otp_totp_totpdevice SET last_t = {now - 1} WHERE user_id ="
            f" (SELECT id FROM auth_user WHERE username = '{username}')",
        )
        last_t = now - 1
    step = now if now > last_t else now + 1  # the device accepts one step of drift
    return f"{hotp(key, step, digits=6):06d}"
