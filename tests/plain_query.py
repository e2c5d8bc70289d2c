"""Read an instance's database as its owner would: a query's sealed values (id numbers, phones:
``core.crypto``) come back opened. Run in the instance's environment:

    python -m tests.plain_query "SELECT id, id_number FROM registry_person LIMIT 1"

prints the rows as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def main(sql: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanyi.settings")
    import django

    django.setup()
    from django.db import connection

    from quanyi.core import crypto

    def opened(value: Any) -> Any:
        if isinstance(value, bytes | memoryview):
            value = bytes(value)
            return crypto.open_value(value).decode() if crypto.key_id_of(value) else value.hex()
        return value if value is None or isinstance(value, int | str) else str(value)

    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = [[opened(value) for value in row] for row in cursor.fetchall()]
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
