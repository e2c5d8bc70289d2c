"""``quanyi stats`` on a small population (001 art. 17): exact figures, the principal's
regions only, suppression in JSON and CSV, no identity in the output, refusals."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date
from typing import Any

import pytest

from quanyi.access.errors import Refused
from quanyi.cli import main
from quanyi.reports import queries
from quanyi.reports.calc import Dimension, Figures
from tests.access import builders as accounts
from tests.reports.builders import Population, months
from tests.reports.recovery import problems

pytestmark = pytest.mark.django_db

GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


@pytest.fixture
def population() -> Population:
    """26 persons insured through 110000 in 2025 (and one through 120000):

    - 110105: 12 men born 1985-06-15, pension 2025-01..06 (1000 + 400 fen a line), one of them
      with a second line in 2025-03 from another employer (500 + 200) and lines in 2024-12
      and 2026-01; a man born 1955-12-31 (70 on 31 Dec 2025) and a woman born 1956-01-01
      (69), pension 2025-01;
    - 110108: 11 women born 1995-12-31 (30), pension and medical (300 + 100) all of 2025; a
      woman born 1996-01-01 (29), pension 2025-01;
    - 120000: a man born 1985, pension all of 2025 — another agency's.
    """
    made = Population()
    names = iter(f"{surname}{given}" for surname in "赵钱孙李周" for given in GIVEN)
    for i in range(12):
        man = made.person("110105", date(1985, 6, 15), True, next(names))
        made.lines(man, months(2025, 1, 6))
        if i == 0:
            made.lines(man, ["2025-03"], employer_fen=500, employee_fen=200, employer=1)
            made.lines(man, ["2024-12", "2026-01"])
    for birth, male in ((date(1955, 12, 31), True), (date(1956, 1, 1), False)):
        made.lines(made.person("110105", birth, male, next(names)), ["2025-01"])
    for _ in range(11):
        woman = made.person("110108", date(1995, 12, 31), False, next(names))
        made.lines(woman, months(2025))
        made.lines(woman, months(2025), "medical", employer_fen=300, employee_fen=100)
    made.lines(made.person("110108", date(1996, 1, 1), False, next(names)), ["2025-01"])
    made.lines(made.person("120000", date(1985, 2, 1), True, next(names)), months(2025))
    return made


@pytest.fixture
def querier(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "en")
    return accounts.principal(accounts.account("querier", "querier"))


def stats(capsys: pytest.CaptureFixture[str], *args: str, user: str = "querier") -> str:
    assert main(["stats", "--year", "2025", *args, "--as", user]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            [Dimension.REGION],
            {("110105",): Figures(14, 74, 104300), ("110108",): Figures(12, 133, 239000)},
        ),
        (
            [Dimension.INSURANCE],
            {("pension",): Figures(26, 207, 290500), ("medical",): Figures(11, 132, 52800)},
        ),
        (
            [Dimension.SEX],
            {("M",): Figures(13, 73, 102900), ("F",): Figures(13, 134, 240400)},
        ),
        (
            [Dimension.AGE_BAND],
            {
                ("20-29",): Figures(1, 1, 1400),
                ("30-39",): Figures(11, 132, 237600),
                ("40-49",): Figures(12, 72, 101500),
                ("60-69",): Figures(1, 1, 1400),
                ("70+",): Figures(1, 1, 1400),
            },
        ),
        (
            [Dimension.REGION, Dimension.SEX],
            {
                ("110105", "M"): Figures(13, 73, 102900),
                ("110105", "F"): Figures(1, 1, 1400),
                ("110108", "F"): Figures(12, 133, 239000),
            },
        ),
    ],
)
def test_the_figures_are_exact(
    population: Population, querier: Any, by: list[Dimension], expected: dict[Any, Figures]
) -> None:
    """001 art. 17: distinct persons, distinct person-months (two lines in a month count
    once), both shares summed; only 2025's months; only the persons of the regions the
    querier's agency covers (120000's man is not counted); the age on 31 December."""
    values, found = queries.observed(querier, 2025, by)
    assert found == expected
    assert values[0] == list(dict.fromkeys(key[0] for key in expected))


def test_stats_prints_the_published_table(
    population: Population, querier: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 17: the JSON shape, with totals and margins, nothing to hide by region."""
    out = json.loads(stats(capsys, "--by", "region"))
    assert out == {
        "year": 2025,
        "by": ["region"],
        "threshold": 10,
        "cells": [
            {"region": "110105", "persons": 14, "months": 74, "contributions_fen": 104300,
             "suppressed": False},
            {"region": "110108", "persons": 12, "months": 133, "contributions_fen": 239000,
             "suppressed": False},
        ],
        "totals": {"persons": 26, "months": 207, "contributions_fen": 343300, "suppressed": False},
        "margins": {
            "region": [
                {"value": "110105", "persons": 14, "months": 74, "contributions_fen": 104300,
                 "suppressed": False},
                {"value": "110108", "persons": 12, "months": 133, "contributions_fen": 239000,
                 "suppressed": False},
            ]
        },
    }  # fmt: skip
    assert problems(out) == []


def test_no_cell_under_ten_is_shown_and_none_can_be_recovered(
    population: Population, querier: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 17: cells under 10 persons are null and marked; a lone suppressed cell of a
    slice takes another with it; every combination of dimensions passes the recovery check."""
    ages = json.loads(stats(capsys, "--by", "age_band"))
    assert [(c["age_band"], c["persons"]) for c in ages["cells"]] == [
        ("20-29", None), ("30-39", 11), ("40-49", 12), ("60-69", None), ("70+", None),
    ]  # fmt: skip
    hidden = ages["cells"][0]
    assert hidden == {
        "age_band": "20-29", "persons": None, "months": None, "contributions_fen": None,
        "suppressed": True,
    }  # fmt: skip
    both = json.loads(stats(capsys, "--by", "region,sex"))
    assert all(c["suppressed"] for c in both["cells"])  # one small cell of a 2 × 2 hides all
    assert [m["persons"] for m in both["margins"]["sex"]] == [13, 13]
    dims = [d.value for d in Dimension]
    for size in range(1, len(dims) + 1):
        for chosen in itertools.combinations(dims, size):
            out = json.loads(stats(capsys, "--by", ",".join(chosen)))
            assert problems(out) == [], (chosen, problems(out))


def test_csv_is_the_cells_table_with_stars(
    population: Population, querier: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 17: CSV with a header row; a suppressed figure is ``*``."""
    text = stats(capsys, "--by", "age_band", "--format", "csv")
    assert list(csv.reader(io.StringIO(text))) == [
        ["age_band", "persons", "months", "contributions_fen"],
        ["20-29", "*", "*", "*"],
        ["30-39", "11", "132", "237600"],
        ["40-49", "12", "72", "101500"],
        ["60-69", "*", "*", "*"],
        ["70+", "*", "*", "*"],
    ]


def test_no_identity_in_the_output(
    population: Population, querier: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 17: no id number, name or birth date in any output."""
    printed = "".join(
        stats(capsys, "--by", "region,insurance,sex,age_band", "--format", fmt)
        for fmt in ("json", "csv")
    )
    for secret in (
        *population.names,
        *population.id_numbers,
        *(n[6:14] for n in population.id_numbers),
        *(str(b) for b in population.birth_dates),
    ):
        assert secret not in printed


def test_an_external_body_gets_them_and_the_sysadmin_is_refused(
    population: Population,
    querier: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """001 art. 17, 26: government bodies (external) receive de-identified figures; the
    system administrator reads none, from the command or the query."""
    accounts.account("gov", "external")
    assert json.loads(stats(capsys, "--by", "sex", user="gov"))["totals"]["persons"] == 26
    root = accounts.account("root", "sysadmin", otp=True)
    monkeypatch.setenv("QUANYI_OTP", accounts.code(root))
    assert main(["stats", "--year", "2025", "--by", "sex", "--as", "root"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "de-identified statistics" in captured.err
    with pytest.raises(Refused):
        queries.stats(accounts.principal(root), 2025, [Dimension.SEX])


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--by", "sex,sex"], "each at most once"),
        (["--by", "name"], "one or more of region,insurance,sex,age_band"),
        (["--by", ""], "one or more of region,insurance,sex,age_band"),
        (["--year", "1800", "--by", "sex"], "a whole number from 1900 to 2200"),
        (["--by", "sex", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_bad_usage_exits_2(
    querier: Any, args: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """001 art. 17: only the four dimensions, each once, within the year bounds."""
    year = [] if "--year" in args else ["--year", "2025"]
    with pytest.raises(SystemExit) as exited:
        main(["stats", *year, *args, "--as", "querier"])
    assert exited.value.code == 2
    assert reason in capsys.readouterr().err
