"""Outside accounts opened in bulk (the demo's, one per person) beyond what one SQL statement
may bind: the check for taken names goes a chunk at a time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection

from quanyi.access import services
from quanyi.access.models import AccountKind
from quanyi.core.chunks import in_chunks
from tests.access.builders import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_variables() -> Iterator[None]:
    """SQLite as built with its smallest limit (999 variables a statement)."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor != "sqlite":
        yield
        return
    before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    yield
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_more_outside_accounts_than_one_statement_binds(few_variables: None) -> None:
    hashed = make_password("Quanyi-test-2026!")
    new = [
        services.NewAccount(
            username=f"outside-{n}",
            password_hash=hashed,
            roles=("external",),
            kind=AccountKind.EXTERNAL,
            region="110000",
        )
        for n in range(2500)
    ]
    assert services.create_outside_accounts(SYSTEM, new) == 2500
    assert User.objects.filter(username__startswith="outside-").count() == 2500


def test_chunks_keep_order_and_bound() -> None:
    chunks = list(in_chunks(range(2001), 900))
    assert [len(c) for c in chunks] == [900, 900, 201]
    assert [n for c in chunks for n in c] == list(range(2001))
    assert list(in_chunks([])) == []
