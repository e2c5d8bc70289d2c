"""``audit verify`` checks that every append-only trigger is present, enabled and unaltered, not
only that one of its name exists; ``arm`` puts back what an attacker changed (001 art. 12, 28 (3);
DESIGN.md invariant 5). Runs on SQLite and PostgreSQL; each attack runs on the database it
applies to.

Each attack is done as someone with SQL access to the database would do it, then proven: an
UPDATE of an audit event goes through. The UPDATE writes the value back unchanged, so the chain
and the rows still verify and the trigger is the only thing left for verify to find.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction

from quanyi.audit import appendonly, checkpoints
from quanyi.audit import services as audit
from quanyi.audit.verify import verify
from quanyi.core.principal import Principal
from tests.conftest import on_postgresql

pytestmark = pytest.mark.django_db

TABLE = "audit_auditevent"
NO_UPDATE = f"{TABLE}_no_update"
ALLOW = "CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"


@dataclass(frozen=True)
class Attack:
    id: str
    vendor: str
    statements: tuple[str, ...]
    finding: str
    # The trigger function is shared: replacing it opens every append-only table.
    every_table: bool = False


ATTACKS = [
    Attack(
        "dropped",
        "any",
        (),  # appendonly.disarm, as test_verify does
        f"append-only triggers missing on {TABLE}: {NO_UPDATE}",
    ),
    Attack(
        "pg-disable-trigger",
        "postgresql",
        (f"ALTER TABLE {TABLE} DISABLE TRIGGER {NO_UPDATE}",),
        f"append-only triggers on {TABLE} are disabled, so updates and deletes get through:"
        f" {NO_UPDATE}",
    ),
    Attack(
        "pg-disable-trigger-all",
        "postgresql",
        (f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL",),
        f"append-only triggers on {TABLE} are disabled, so updates and deletes get through:"
        f" {NO_UPDATE}, {TABLE}_no_delete, {TABLE}_no_truncate",
    ),
    Attack(
        "pg-disable-trigger-user",
        "postgresql",
        (f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",),
        f"append-only triggers on {TABLE} are disabled",
    ),
    Attack(
        "pg-enable-replica",
        "postgresql",
        # Fires only in replica sessions: ordinary sessions skip it.
        (f"ALTER TABLE {TABLE} ENABLE REPLICA TRIGGER {NO_UPDATE}",),
        f"append-only triggers on {TABLE} are enabled for replication sessions only",
    ),
    Attack(
        "pg-plain-enable-then-replica-session",
        "postgresql",
        (
            f"ALTER TABLE {TABLE} ENABLE TRIGGER {NO_UPDATE}",
            "SET LOCAL session_replication_role = replica",
        ),
        f"append-only triggers on {TABLE} are no longer ENABLE ALWAYS",
    ),
    Attack(
        "pg-function-returns-new",
        "postgresql",
        (
            "CREATE OR REPLACE FUNCTION quanyi_refuse_change() RETURNS trigger AS $$"
            " BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
        ),
        f"the function quanyi_refuse_change that the append-only triggers on {TABLE} call was"
        f" replaced: {NO_UPDATE}",
        every_table=True,
    ),
    Attack(
        "pg-trigger-calls-another-function",
        "postgresql",
        (
            ALLOW.format(name="mallory_allow"),
            f"CREATE OR REPLACE TRIGGER {NO_UPDATE} BEFORE UPDATE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION mallory_allow()",
        ),
        f"append-only triggers on {TABLE} were altered",
    ),
    Attack(
        "pg-same-name-function-in-another-schema",
        "postgresql",
        (
            "CREATE SCHEMA mallory",
            ALLOW.format(name="mallory.quanyi_refuse_change"),
            f"CREATE OR REPLACE TRIGGER {NO_UPDATE} BEFORE UPDATE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION mallory.quanyi_refuse_change()",
        ),
        f"append-only triggers on {TABLE} were altered",
    ),
    Attack(
        "pg-when-never-true",
        "postgresql",
        (
            f"CREATE OR REPLACE TRIGGER {NO_UPDATE} BEFORE UPDATE ON {TABLE}"
            " FOR EACH ROW WHEN (OLD.seq < 0) EXECUTE FUNCTION quanyi_refuse_change()",
        ),
        f"append-only triggers on {TABLE} were altered, their definitions are not the shipped"
        f" ones (another function, a WHEN clause or another body): {NO_UPDATE}",
    ),
    Attack(
        "sqlite-when-0",
        "sqlite",
        (
            f"DROP TRIGGER {NO_UPDATE}",
            f"CREATE TRIGGER {NO_UPDATE} BEFORE UPDATE ON {TABLE} WHEN 0"
            f" BEGIN SELECT RAISE(ABORT, 'quanyi: UPDATE on append-only table {TABLE} is"
            " refused'); END",
        ),
        f"append-only triggers on {TABLE} were altered, their definitions are not the shipped"
        f" ones (another function, a WHEN clause or another body): {NO_UPDATE}",
    ),
    Attack(
        "sqlite-other-body",
        "sqlite",
        (
            f"DROP TRIGGER {NO_UPDATE}",
            f"CREATE TRIGGER {NO_UPDATE} BEFORE UPDATE ON {TABLE} BEGIN SELECT 1; END",
        ),
        f"append-only triggers on {TABLE} were altered",
    ),
]


@pytest.fixture
def signed(principal: Principal) -> None:
    """A short chain under a checkpoint: verify passes it, so only the triggers can fail."""
    for n in range(3):
        audit.record(principal, "system.test", "system", str(n))
    checkpoints.write()


def sql(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement)
        return int(cursor.rowcount)


def update_event() -> int:
    """The attacker's probe: rows an UPDATE of an audit event changed (it writes the same value)."""
    return sql(f"UPDATE {TABLE} SET actor = actor WHERE seq = 2")


def assert_update_refused() -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        update_event()


def attack(case: Attack) -> None:
    vendor = connection.vendor
    if case.vendor not in ("any", vendor):
        pytest.skip(f"{case.vendor} attack; this run is on {vendor}")
    if not case.statements:
        appendonly.disarm(TABLE)
    for statement in case.statements:
        sql(statement)


@pytest.mark.parametrize("case", ATTACKS, ids=[case.id for case in ATTACKS])
def test_attack_lets_updates_through_and_verify_names_the_trigger(
    signed: None, case: Attack
) -> None:
    attack(case)
    assert update_event() == 1, "the attack did not open the table"
    report = verify()
    assert not report.ok, "verify passed a table whose trigger no longer refuses"
    assert case.finding in (report.problem or ""), report.problem
    assert TABLE in (report.problem_zh or "") and "触发器" in (report.problem_zh or "")
    tables = {problem.table for problem in appendonly.trigger_problems()}
    assert tables == (set(appendonly.registered_tables()) if case.every_table else {TABLE})


@pytest.mark.parametrize("case", ATTACKS, ids=[case.id for case in ATTACKS])
def test_rearm_after_migrate_repairs_the_attack(signed: None, case: Attack) -> None:
    attack(case)
    appendonly.rearm_after_migrate(using="default")
    assert appendonly.trigger_problems() == []
    assert_update_refused()
    report = verify()
    assert report.ok, report.problem


def test_untouched_triggers_verify(signed: None) -> None:
    assert appendonly.trigger_problems() == []
    assert_update_refused()
    report = verify()
    assert report.ok, report.problem


def test_every_shipped_trigger_is_intact_after_migrate() -> None:
    """The expected texts match what the database prints back for every registered table, so a
    fresh install never fails verify (and the check is not vacuous: tables are registered)."""
    tables = appendonly.registered_tables()
    assert len(tables) > 1
    assert appendonly.trigger_problems() == []


@pytest.mark.skipif(not on_postgresql(), reason="session_replication_role is PostgreSQL's")
def test_a_replica_session_does_not_skip_armed_triggers(signed: None) -> None:
    """Armed triggers are ENABLE ALWAYS: ``SET session_replication_role = replica`` leaves no
    trace in the catalogue, so it must not open the table either."""
    sql("SET LOCAL session_replication_role = replica")
    try:
        assert_update_refused()
    finally:
        sql("SET LOCAL session_replication_role = origin")


def test_problems_name_every_altered_trigger_on_every_table(signed: None) -> None:
    """One finding per trigger, across tables: the report counts the rest and names their
    tables."""
    other = next(table for table in appendonly.registered_tables() if table != TABLE)
    appendonly.disarm(TABLE)
    appendonly.disarm(other)
    problems = appendonly.trigger_problems()
    per_table = len(appendonly.trigger_names(TABLE))
    assert sorted((p.table, p.kind) for p in problems) == sorted(
        [(TABLE, "missing")] * per_table + [(other, "missing")] * per_table
    )
    problem = verify().problem or ""
    assert f"(and {per_table} more, on " in problem, problem
    assert TABLE in problem and other in problem, problem
