"""A fresh instance for a benchmark: a temporary data dir, SQLite unless the URL of an empty
database is given, Django set up. Call before importing anything that touches Django."""

from __future__ import annotations

import os
import tempfile


def fresh(database_url: str | None) -> str:
    """Point quanyi at a new data dir (and database), set Django up; return the data dir."""
    data_dir = tempfile.mkdtemp(prefix="quanyi-bench-")
    os.environ["QUANYI_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "quanyi.settings"
    if database_url:
        os.environ["QUANYI_DATABASE_URL"] = database_url
    else:
        os.environ.pop("QUANYI_DATABASE_URL", None)
    import django

    django.setup()
    return data_dir
