"""The persons of account entries: the ledger has no foreign-key trigger (decision 0019), so
``audit verify`` names any entry whose person is gone."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from quanyi.audit import checks
from quanyi.personal_accounts.models import Entry
from quanyi.registry.models import Person


def verify_check() -> Iterator[checks.Finding]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT entry.id, entry.person_id FROM {Entry._meta.db_table} entry"
            f" LEFT JOIN {Person._meta.db_table} p ON p.id = entry.person_id"
            " WHERE p.id IS NULL ORDER BY entry.id LIMIT 100"
        )
        for pk, person in cursor.fetchall():
            yield checks.Finding(
                f"personal_accounts_entry {pk}: names person {person}, who does not exist",
                f"个人账户记账 {pk}：所指人员 {person} 不存在",
            )
