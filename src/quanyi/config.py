"""Configuration from the environment (DESIGN.md, Contracts): read once, used by settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from quanyi.core import filemodes


def data_dir() -> Path:
    return Path(os.environ.get("QUANYI_DATA_DIR", "./var")).resolve()


def database_url(data: Path) -> str:
    return os.environ.get("QUANYI_DATABASE_URL") or f"sqlite:///{data / 'quanyi.sqlite3'}"


def secret_key(data: Path) -> str:
    """Django's secret key, kept in the data dir by ``quanyi init``. Reading the settings
    creates nothing: before init a process gets a key of its own, which signs nothing that
    lasts (a command on an uninitialised data dir is refused)."""
    path = data / "secret_key"
    if path.exists():
        return path.read_text().strip()
    return secrets.token_urlsafe(50)


def ensure_secret_key(data: Path) -> str:
    """Create the data dir's secret key (0600) if absent; return the key it holds."""
    path = data / "secret_key"
    if path.exists():
        return path.read_text().strip()
    filemodes.private_dir(data)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
