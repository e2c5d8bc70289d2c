"""The references of benefit payments: the table has no foreign-key triggers (decision 0019),
so ``audit verify`` names any payment whose grant or person is gone."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from quanyi.audit import checks
from quanyi.benefits.models import Grant, Payment
from quanyi.registry.models import Person


def verify_check() -> Iterator[checks.Finding]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pay.id, pay.grant_id, pay.person_id"
            f" FROM {Payment._meta.db_table} pay"
            f" LEFT JOIN {Grant._meta.db_table} g ON g.id = pay.grant_id"
            f" LEFT JOIN {Person._meta.db_table} p ON p.id = pay.person_id"
            " WHERE g.id IS NULL OR p.id IS NULL ORDER BY pay.id LIMIT 100"
        )
        for pk, grant, person in cursor.fetchall():
            yield checks.Finding(
                f"benefits_payment {pk}: names grant {grant} and person {person},"
                " one of which does not exist",
                f"待遇发放记录 {pk}：所指待遇核定 {grant} 或人员 {person} 不存在",
            )
