"""Test settings: SQLite in memory, or PostgreSQL when QUANYI_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os

from quanyi.settings import *  # noqa: F403
from quanyi.settings import _database

_url = os.environ.get("QUANYI_TEST_DATABASE_URL") or "sqlite:///:memory:"
DATABASES = {"default": _database(_url)}
if _url.startswith("sqlite"):
    DATABASES["default"]["OPTIONS"].pop("init_command", None)
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA foreign_keys=ON;"
# Argon2 at its lowest cost: hashing at the production cost was most of the suite's time.
PASSWORD_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# Near the look-up limit a reader waits; tests that walk many numbers would wait with them.
QUANYI_LOOKUP_DELAY = 0.0
# Static files come from the apps' folders (whitenoise's finders); no collected root to create.
STATIC_ROOT = None  # type: ignore[assignment]

# A domain that exists only in the tests: its folder declares a router, a command, a permission,
# a screen and a record part, and nothing else in the code names it (tests/fakedomain).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.fakedomain"]  # noqa: F405

# Each test process has its own test database and its own master key, which wraps the data keys
# its migrations create (core.crypto).
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from quanyi.core import crypto  # noqa: E402

_keys = Path(tempfile.mkdtemp(prefix="quanyi-test-keys-"))
atexit.register(shutil.rmtree, _keys, ignore_errors=True)
QUANYI_DATA_KEY_FILE = _keys / "data.key"
crypto.write_master(QUANYI_DATA_KEY_FILE, crypto.new_key())
