"""Benchmark ``GET /api/v1/persons/{id_number}/record`` for a person with 40 years of history.

    .venv/bin/python bench/record_api.py [--years 40] [--requests 200]
                                         [--database-url postgres://…/empty_db]

Builds a fresh instance, imports one person paying every month for ``--years`` years (all five
employee insurances) through a legacy import case approved by five staff, then times the API
answer server-side (Django's test client: URL routing, token authentication, authorization,
queries and JSON — no network), and, as the machine's own floor, the plain SELECT of the same
contribution lines.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date

import instance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=40)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    data_dir = instance.fresh(args.database_url)
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from quanyi import initialise as setup
    from quanyi.access import services as access
    from quanyi.core.principal import Principal
    from quanyi.demo import identities
    from quanyi.workflow import services as workflow

    settings.ALLOWED_HOSTS = ["*"]
    setup.initialise()
    # The rulebook's data start in the 1990s; forty years back needs earlier values. These rows
    # are for the benchmark only (the earliest known value, carried back).
    from quanyi.rulebook import services as rulebook
    from quanyi.rulebook.models import Parameter

    early = ["key,region,valid_from,value,source,note"]
    for key in sorted(set(Parameter.objects.values_list("key", flat=True))):
        if key.startswith(("rate.", "account.", "interest.")):
            value = (
                Parameter.objects.filter(key=key, region="000000")
                .order_by("valid_from")
                .values_list("value", flat=True)
                .first()
            )
            if value is not None:
                early.append(f"{key},000000,1980-01-01,{value},bench,carried back for the bench")
    carried = os.path.join(data_dir, "early.csv")
    with open(carried, "w", encoding="utf-8") as handle:
        handle.write("\n".join(early) + "\n")
    system = Principal.system("system:bench")
    from pathlib import Path

    with transaction.atomic():
        rulebook.seed(system, Path(carried))
    staff = {}
    with transaction.atomic():
        for role in ("operator", "checker", "reviewer", "rechecker", "approver", "querier"):
            user = access.create_account(
                system,
                access.NewAccount(
                    username=role, password="Bench-pass-2026!", roles=(role,), region="110000"
                ),
            )
            staff[role] = access.principal_for(user, "cli")
        admin = access.create_account(
            system,
            access.NewAccount(
                username="root", password="Bench-pass-2026!", roles=("sysadmin",), region="110000"
            ),
        )
        _, token = access.create_token(
            access.principal_for(admin, "cli"), "querier", "bench", ["records:read"], 30
        )

    import random

    rng = random.Random(7)
    number = identities.id_number(rng, "110105", date(1960, 3, 3), True, set())
    uscc = identities.credit_code(rng, "110105", set())
    last = date.today().year - 1
    first = last - args.years + 1
    insurances = ("pension", "medical", "unemployment", "injury", "maternity")
    texts = {
        "employers.csv": f"uscc,name,region,injury_class\n{uscc},基准单位,110105,2\n",
        "persons.csv": "id_number,name,phone,hukou_region,residence_region,category\n"
        f"{number},基准人员,13800138000,110105,110105,employee\n",
        "relations.csv": "id_number,uscc,insurance,start_month,end_month\n"
        + "".join(f"{number},{uscc},{i},{first}-01,{last}-12\n" for i in insurances),
        "contributions.csv": "id_number,uscc,insurance,month,base_fen,paid_month\n"
        + "".join(
            f"{number},{uscc},{i},{y}-{m:02d},{300000 + 20000 * (y - first)},{y}-{m:02d}\n"
            for y in range(first, last + 1)
            for m in range(1, 13)
            for i in insurances
        ),
    }
    started = time.perf_counter()
    files = {name: workflow.store_content(text.encode()) for name, text in texts.items()}
    with transaction.atomic():
        case = workflow.submit(staff["operator"], "import.legacy", {"files": files})
    for role in ("checker", "reviewer", "rechecker", "approver"):
        with transaction.atomic():
            case = workflow.act(staff[role], case.pk, "approve")
    import_seconds = time.perf_counter() - started
    assert case.status == "approved", case.result

    client = Client()
    path = f"/api/v1/persons/{number}/record"
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.content[:300]
    body = answer.json()
    timings = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
    from quanyi.core import crypto

    # The person is found by the blind index of the id number (DESIGN.md invariant 9).
    index = crypto.keyring().index("id_number", number)
    floor = []
    for _ in range(args.requests):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT insurance, month, base_fen, employer_fen, employee_fen FROM"
                " contributions_line WHERE person_id = (SELECT id FROM registry_person"
                " WHERE id_number_index = %s) ORDER BY month",
                [index],
            )
            cursor.fetchall()
        floor.append((time.perf_counter() - started) * 1000)
    timings.sort()
    floor.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"\n{connection.vendor}: one person, {args.years} years, "
        f"{len(body['contributions']):,} contribution rows, "
        f"{len(body['account']['by_year'])} account years (import {import_seconds:.1f} s)\n"
    )
    print("| step | median ms | p95 ms |")
    print("|---|---|---|")
    print(f"| GET {path.replace(number, '{id}')} | {statistics.median(timings):.1f} | {p95:.1f} |")
    print(
        f"| baseline: SELECT of the same lines | {statistics.median(floor):.1f} |"
        f" {floor[int(len(floor) * 0.95) - 1]:.1f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
