"""The cross-match (002 art. 8-10, 29): a generated population with a known number of persons
in each status — unenrolled, partly enrolled, duplicated across two regions' exchange files,
in two schemes that exclude each other, paid a benefit twice, with a wrong name or birth date —
is counted exactly, on DuckDB and on Spark alike, and each person's result is kept."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from quanyi.core.principal import Principal
from quanyi.enrollment import flows, queries
from quanyi.enrollment.models import Finding, Resident, Run
from tests.enrollment import builders


def _match(clerk: Principal, made: builders.Population, engine: str) -> flows.Outcome:
    with transaction.atomic():
        return flows.run_match(clerk, builders.AS_OF, engine, made.exchange)


def _results(run: Run) -> dict[str, tuple[str, str, str, str]]:
    """Each person's finding by id number (not by row id: both runs read the same rows)."""
    residents = {r.pk: r.id_number for r in Resident.objects.all()}
    return {
        residents[f.resident_id]: (f.status, f.situation, f.missing, f.held)
        for f in Finding.objects.filter(run_id=run.pk)
    }


def test_duckdb_finds_each_count_exactly_and_spark_the_very_same(
    clerk: Principal, built: builders.Population
) -> None:
    """002 art. 10: the unenrolled, partly enrolled and inaccurate flagged "needs survey",
    duplicates flagged; art. 29: a benefit paid twice is a duplicate."""
    outcome = _match(clerk, built, "duckdb")
    assert outcome.counts == builders.EXPECTED
    assert outcome.needs_survey == 3 + 6 + 5 + 2
    found = _results(outcome.run)
    ids = built.by_label
    assert found[ids["dup_schemes"]][0] == "duplicate"
    assert found[ids["paid_twice"]][0] == "duplicate"
    assert found[ids["dup_a_b"]][0] == "duplicate"
    assert found[ids["employee3"]][0] == "enrolled"  # elsewhere only before ours began
    assert found[ids["ended"]][0] == "not_enrolled"  # elsewhere, but ended before the month
    assert found[ids["minor"]][:2] == ("enrolled", "minor_or_student")
    assert found[ids["pensioner"]][:2] == ("enrolled", "pensioner")
    assert found[ids["partly0"]][2] == "unemployment,injury,maternity"
    assert json.loads(outcome.run.counts) == builders.EXPECTED

    spark = _match(clerk, built, "spark")
    assert spark.counts == builders.EXPECTED
    assert _results(spark.run) == found


def test_as_of_an_earlier_month_counts_what_was_then(
    clerk: Principal, built: builders.Population
) -> None:
    """One status per person as of the chosen month: in 2019-06 nobody had our relations yet
    (they start 2020-01), and region A's file then held 'ended' (2019-01..2023-12)."""
    with transaction.atomic():
        outcome = flows.run_match(clerk, "2019-06", "duckdb", built.exchange)
    assert outcome.counts["enrolled"] == 0
    found = _results(outcome.run)
    assert found[built.by_label["ended"]][0] == "enrolled_elsewhere"
    # employee3 was in A's file in 2019 and is registered here with no relation yet
    assert found[built.by_label["employee3"]][0] == "enrolled_elsewhere"


def test_survey_lists_go_by_division(clerk: Principal, built: builders.Population) -> None:
    """002 art. 17: lists by division; a community's list holds only its flagged persons."""
    run = _match(clerk, built, "duckdb").run
    everyone = queries.survey_list(clerk, run)
    community_b = queries.survey_list(clerk, run, builders.COMMUNITY_B)
    assert len(everyone) == 16
    # partly0-2 and the unenrolled minor live in community B
    assert len(community_b) == 4
    assert {item.finding.division for item in community_b} == {builders.COMMUNITY_B}


@pytest.mark.parametrize("engine", ["duckdb"])
def test_a_bad_month_or_no_population_is_refused(clerk: Principal, engine: str) -> None:
    from quanyi.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        flows.run_match(clerk, "2026-13", engine, [])
    assert "YYYY-MM" in bad.value.zh
    with transaction.atomic(), pytest.raises(InvalidInput) as empty:
        flows.run_match(clerk, "2026-06", engine, [])
    assert "请先导入" in empty.value.zh
    assert not Run.objects.exists()


def test_spark_without_java_is_refused_in_one_chinese_line(
    clerk: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    with pytest.raises(flows.EngineMissing) as refused:
        flows.run_match(clerk, builders.AS_OF, "spark", [])
    assert "Java" in refused.value.zh and "\n" not in refused.value.zh
