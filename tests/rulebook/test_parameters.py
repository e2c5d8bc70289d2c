"""The parameter table: seeded from the data file, looked up by region and day, changed only by
an approved ``parameter.change`` case through all five stages (REFERENCE.md; 001 art. 6 ¶4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from quanyi.audit.verify import verify
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.rulebook import services
from quanyi.rulebook.models import Parameter
from quanyi.rulebook.queries import Rulebook
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db

SYSTEM = Principal.system("system:init")


@pytest.fixture
def seeded() -> Rulebook:
    with transaction.atomic():
        services.seed(SYSTEM)
    return Rulebook.load()


def test_seeding_loads_every_row_once() -> None:
    with transaction.atomic():
        first = services.seed(SYSTEM)
        again = services.seed(SYSTEM)
    assert first == len(services.seed_rows()) and again == 0
    assert verify().ok


@pytest.mark.parametrize(
    ("key", "region", "on", "expected"),
    [
        ("rate.employer.pension", "110105", date(2019, 4, 30), "0.20"),
        ("rate.employer.pension", "110105", date(2019, 5, 1), "0.16"),
        ("rate.employer.medical", "110105", date(2024, 1, 1), "0.098"),  # Beijing overrides
        ("rate.employer.medical", "440106", date(2024, 1, 1), "0.06"),  # national default
        ("account.share", "110000", date(2005, 12, 1), "0.11"),
        ("account.share", "110000", date(2006, 1, 1), "0.08"),
        ("base.lower", "110105", date(2025, 6, 30), "682100"),
        ("base.lower", "110105", date(2025, 7, 1), "716200"),
        ("base.lower", "540100", date(2025, 3, 1), "706620"),  # Tibet keeps 7066.2
        ("interest.rate", "110000", date(2024, 12, 31), "0.0262"),
        ("benefit.base", "110000", date(2025, 1, 1), "1204900"),
    ],
)
def test_values_by_region_and_day(
    seeded: Rulebook, key: str, region: str, on: date, expected: str
) -> None:
    assert seeded.text(key, region, on) == expected


def test_a_missing_value_is_an_error_not_a_zero(seeded: Rulebook) -> None:
    with pytest.raises(Exception, match="no value"):
        seeded.fen("base.lower", "440100", date(2025, 1, 1))


def test_the_unsure_2025_rate_is_flagged(seeded: Rulebook) -> None:
    row = Parameter.objects.get(key="interest.rate", valid_from=date(2025, 1, 1))
    assert row.note.startswith("UNSURE")


def test_parameter_rows_are_append_only(seeded: Rulebook) -> None:
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE rulebook_parameter SET value = '0.5'")


def test_a_parameter_change_passes_five_stages_and_adds_a_row(seeded: Rulebook) -> None:
    office = Office()
    payload = {
        "key": "base.lower",
        "region": "110000",
        "valid_from": "2027-07-01",
        "value": "740000",
        "source": "北京市 2027 公布",
    }
    case = office.submit("parameter.change", payload)
    assert case.stage == "check"
    case = office.approve_all(case)
    assert [d.stage for d in case.decisions.all()] == [
        "intake",
        "check",
        "review",
        "recheck",
        "approval",
    ]
    book = Rulebook.load()
    assert book.fen("base.lower", "110105", date(2027, 7, 1)) == 740000
    assert book.fen("base.lower", "110105", date(2027, 6, 30)) == 727000  # the old row stands
    added = Parameter.objects.get(key="base.lower", valid_from=date(2027, 7, 1))
    assert added.case_id == case.pk
    assert verify().ok


def test_a_bad_parameter_change_is_refused_with_every_reason(seeded: Rulebook) -> None:
    office = Office()
    with pytest.raises(InvalidInput) as refused:
        office.submit(
            "parameter.change",
            {
                "key": "rate.employer.pension",
                "region": "110000",
                "valid_from": "2019-05-01x",
                "value": "16%",
                "source": "",
            },
        )
    assert set(refused.value.fields()) == {"value", "valid_from", "source"}
    with pytest.raises(InvalidInput, match="never edited"):
        office.submit(
            "parameter.change",
            {
                "key": "rate.employer.pension",
                "region": "000000",
                "valid_from": "2019-05-01",
                "value": "0.15",
                "source": "x",
            },
        )


def test_fractions_and_fen_are_typed(seeded: Rulebook) -> None:
    assert seeded.fraction("rate.injury.class8", "110000", date(2024, 1, 1)) == Decimal("0.019")
    assert seeded.fen("wage.average", "110000", date(2026, 7, 1)) == 1211600
