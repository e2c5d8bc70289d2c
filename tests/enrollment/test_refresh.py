"""The standing feed from the insurance records (002 art. 20-22): the registry is kept up to date
from this agency's own registrations — a person registered here but absent from the population
is added, a death the registry records makes the resident leave — through one reviewed
``enrollment.import`` case from source 社保登记, applied only by its final approval; a second
refresh waits while the first is undecided; the command prints the case and refuses bad input
in one line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.enrollment import flows, queries
from quanyi.enrollment.models import Resident
from quanyi.registry import services as registry
from quanyi.workflow import queries as case_queries
from quanyi.workflow.models import Case
from tests.access import builders as accounts
from tests.conftest import applying_as
from tests.enrollment import builders
from tests.registry import builders as reg
from tests.workflow.builders import Office


def _feed_cases() -> list[Case]:
    return [
        c
        for c in Case.objects.filter(type="enrollment.import").order_by("pk")
        if c.payload.get("source") == flows.FEED_SOURCE
    ]


def _changes_in_the_registry() -> dict[str, str]:
    """Registered here since the population was imported: an employee insured by an employer
    in all five insurances, a resident insured in nothing; and ``partly0`` died in May."""
    made: dict[str, str] = {}
    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            employer = reg.employer(applier)
            worker = reg.person(applier, id_number=reg.id_number(date(1990, 2, 3)), name="新职工")
            for insurance in builders.EMPLOYEE_FIVE:
                reg.relation(applier, worker, employer, insurance, "2025-01")
            idle = reg.person(
                applier,
                id_number=reg.id_number(date(1988, 8, 8), male=False),
                name="新居民",
                category="resident",
                phone="",
            )
            made = {"worker": worker.id_number, "idle": idle.id_number}
    return made


def _die(number: str, on: date) -> None:
    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            registry.cancel_person(applier, number, deceased_date=on)


def _counts(clerk: Principal, built: builders.Population) -> tuple[int, dict[str, int]]:
    with transaction.atomic():
        outcome = flows.run_match(clerk, builders.AS_OF, "duckdb", built.exchange)
    return outcome.run.population, outcome.counts


def test_registered_persons_join_and_the_dead_leave_only_at_final_approval(
    office: Office, clerk: Principal, built: builders.Population
) -> None:
    """002 art. 20-22: the registry follows the insurance records, through county review."""
    assert _counts(clerk, built) == (26, builders.EXPECTED)
    new = _changes_in_the_registry()
    dead = built.by_label["partly0"]
    _die(dead, date(2026, 5, 10))
    # The match reads the registry each run: the death ended partly0's insurances, but the
    # population is still what was imported (the new persons are not counted at all).
    before = dict(builders.EXPECTED, partly_enrolled=2, not_enrolled=7)
    assert _counts(clerk, built) == (26, before)

    with transaction.atomic():
        proposal, case = flows.refresh(clerk, builders.AS_OF)
    assert case is not None and (case.status, case.stage) == ("open", "review")
    assert case.payload["source"] == "社保登记"
    assert sorted(row[0] for row in proposal.added) == sorted(new.values())
    assert [row[0] for row in proposal.leaving] == [dead]
    shown = case_queries.case(office.reviewer, case.pk).changes or []
    assert {(c.field, c.after) for c in shown} == {("rows", 3), ("leaving", 1)}
    # Nothing changes before the final approval.
    assert queries.resident_by_number(clerk, new["worker"]) is None
    assert queries.resident_by_number(clerk, dead) is not None
    assert _counts(clerk, built) == (26, before)

    office.approve_all(case)
    worker = queries.resident_by_number(clerk, new["worker"])
    idle = queries.resident_by_number(clerk, new["idle"])
    assert worker is not None and idle is not None
    assert (worker.name, worker.source, worker.employment_status) == ("新职工", "社保登记", "11")
    assert (worker.hukou_region, worker.phone) == ("110105", "13800138000")
    assert (idle.employment_status, idle.phone) == ("", "")  # not certain: left blank
    assert queries.resident_by_number(clerk, dead) is None
    latest = next(r for r in Resident.objects.order_by("-id") if r.id_number == dead)
    assert (latest.exit_reason, latest.source) == ("deceased", "社保登记")
    assert latest.residence_region == builders.COMMUNITY_B  # carried over, not blanked

    expected = dict(before)
    expected["enrolled"] += 1  # the new employee, insured in all five
    expected["not_enrolled"] += 1  # the new resident, insured in nothing
    expected["not_enrolled"] -= 1  # partly0 has left the population
    assert _counts(clerk, built) == (27, expected)

    # Everything now agrees: a further refresh proposes nothing.
    with transaction.atomic():
        again, none = flows.refresh(clerk, builders.AS_OF)
    assert none is None and len(again) == 0
    assert len(_feed_cases()) == 1


def test_a_death_after_the_month_and_persons_who_match_propose_nothing(
    office: Office, clerk: Principal, built: builders.Population, tmp_path: Path
) -> None:
    """As of April, a death in May has not happened yet; persons already in the population give
    no row, and neither does one another department reported gone (their report stands)."""
    _die(built.by_label["partly0"], date(2026, 5, 10))
    gone = built.by_label["employee2"]
    emigrated = tmp_path / "emigrated.csv"
    builders._write(
        emigrated,
        [*builders.HEADER[:6], "exit_reason"],
        [[gone, "职工2", "110105", builders.COMMUNITY_A, "11", "", "emigrated"]],
    )
    builders.import_file(office, emigrated, source="公安出入境")
    assert queries.resident_by_number(clerk, gone) is None
    with transaction.atomic():
        proposal, case = flows.refresh(clerk, "2026-04")
    assert case is None and len(proposal) == 0
    with transaction.atomic():
        proposal, case = flows.refresh(clerk, "2026-05")
    assert case is not None and [r[0] for r in proposal.leaving] == [built.by_label["partly0"]]


def test_a_second_refresh_waits_while_the_first_is_undecided(
    office: Office, clerk: Principal, built: builders.Population
) -> None:
    """The same rows are never proposed twice: a second refresh is refused, naming the case."""
    new = _changes_in_the_registry()
    with transaction.atomic():
        _, first = flows.refresh(clerk, builders.AS_OF)
    assert first is not None
    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            reg.person(applier, id_number=reg.id_number(date(1991, 1, 1)), name="又一人")
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        flows.refresh(clerk, builders.AS_OF)
    assert f"社保登记更新业务件 {first.pk} 尚未审批完毕" in refused.value.zh
    assert len(_feed_cases()) == 1

    office.approve_all(first)
    with transaction.atomic():
        proposal, second = flows.refresh(clerk, builders.AS_OF)
    assert second is not None and second.pk != first.pk
    # Only the one registered since: the first case's rows are not proposed again.
    assert [row[1] for row in proposal.added] == ["又一人"]
    assert not set(new.values()) & {row[0] for row in proposal.added}


def test_the_refresh_command_prints_the_case_and_refuses_bad_input_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    built: builders.Population,
) -> None:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "zh")
    accounts.account("feedclerk", "operator")
    accounts.account("feedquerier", "querier")
    as_op = ["--as", "feedclerk"]

    assert main(["enrollment", "refresh", "--as-of", "2026-06", *as_op]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "proposed": 0,
        "as_of": "2026-06",
        "message": "全民参保登记库与社保登记一致，无需更新",
    }
    assert not _feed_cases()

    _changes_in_the_registry()
    assert main(["enrollment", "refresh", "--as-of", "2026-06", *as_op]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["type"], printed["status"], printed["stage"]) == (
        "enrollment.import",
        "open",
        "review",
    )
    assert [d["decision"] for d in printed["decisions"]] == ["submit"]

    for args in (
        ["enrollment", "refresh", *as_op],  # the first is still open
        ["enrollment", "refresh", "--as", "feedquerier"],  # not an operator
        ["enrollment", "refresh", "--as", "nobody"],  # no such user
    ):
        assert main(args) == 1
        err = capsys.readouterr().err.strip()
        assert err and "\n" not in err and "Traceback" not in err
        assert any("\u4e00" <= ch <= "\u9fff" for ch in err)
    assert main(["enrollment", "refresh", *as_op]) == 1
    assert f"业务件 {printed['id']}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as month:
        main(["enrollment", "refresh", "--as-of", "2026-13", *as_op])
    assert month.value.code == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert len(_feed_cases()) == 1
