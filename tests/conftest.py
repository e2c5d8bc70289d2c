"""Shared fixtures. Database tests use pytest-django's transactional rollback (``TestCase``
semantics): append-only triggers would refuse the DELETE a ``TransactionTestCase`` cleans up
with. Subprocess tests get a fresh instance (data dir + database) of their own."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from quanyi.access import applying
from quanyi.core.principal import Principal


@pytest.fixture(autouse=True)
def _data_dir(settings: object, tmp_path: Path) -> Path:
    settings.QUANYI_DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]
    settings.QUANYI_CHECKPOINT_DIR = tmp_path / "checkpoints"  # type: ignore[attr-defined]
    return tmp_path


@pytest.fixture
def principal() -> Iterator[Principal]:
    """Staff applying an approved case: the only principal the registry services accept.
    Registry tests exercise that apply step directly (inside the grant the workflow's final
    approval holds); workflow tests go through whole cases."""
    yield from applying_as("approver-a", "110000")


def applying_as(actor: str, region: str) -> Iterator[Principal]:
    staff = Principal(actor=actor, source="cli", region=region, roles=frozenset({"approver"}))
    with applying.granted(staff, 0) as applier:
        yield applier


def on_postgresql() -> bool:
    return bool(os.environ.get("QUANYI_TEST_DATABASE_URL", "").startswith("postgres"))


DEMO_PASSWORD = "Demo-pass-2026!"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Instance:
    """A data dir and an empty database for running ``quanyi`` as a child process."""

    data_dir: Path
    database_url: str

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("QUANYI_TEST_DATABASE_URL", None)
        env.update(
            QUANYI_DATA_DIR=str(self.data_dir),
            QUANYI_DATABASE_URL=self.database_url,
            QUANYI_LANG="en",
            QUANYI_DEMO_PASSWORD=DEMO_PASSWORD,
            # The product's settings with argon2 at its lowest cost (tests/instance_settings.py).
            DJANGO_SETTINGS_MODULE="tests.instance_settings",
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        )
        env.update(extra)
        return env


@contextlib.contextmanager
def new_instance(data_dir: Path) -> Iterator[Instance]:
    """A data dir (not created) and an empty database of its own, dropped afterwards."""
    if not on_postgresql():
        yield Instance(data_dir, f"sqlite:///{data_dir / 'quanyi.sqlite3'}")
        return
    import psycopg

    admin_url = os.environ["QUANYI_TEST_DATABASE_URL"]
    name = f"quanyi_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin_url.rpartition("/")
    try:
        yield Instance(data_dir, f"{base}/{name}")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Instance]:
    with new_instance(tmp_path / "instance") as made:
        yield made
