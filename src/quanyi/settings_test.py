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
# Static files come from the apps' folders (whitenoise's finders); no collected root to create.
STATIC_ROOT = None  # type: ignore[assignment]

# A domain that exists only in the tests: its folder declares a router, a command, a permission,
# a screen and a record part, and nothing else in the code names it (tests/fakedomain).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.fakedomain"]  # noqa: F405
