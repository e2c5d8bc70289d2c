"""The yearly pension adjustment (调待) for a whole region as one reviewed case, its rule as
data — a percentage, a fixed amount, an amount per contribution year and tilts by age — applied
to every pension set-based (004 part 4: pension adjustment files)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from quanyi.benefits.models import GrantChange, Payment
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.records import queries
from tests.benefits import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def test_an_adjustment_raises_every_pension_of_the_region_by_its_rule(
    office: Office, tmp_path: Path
) -> None:
    builders.add_history()
    number = builders.pensioner(office, tmp_path / "p")
    before = queries.read(office.reviewer, number)["benefits"][0]
    rule = {
        "region": "110000",
        "from_month": "2026-02",
        "percent": "0.02",
        "fixed_fen": 5000,
        "per_year_fen": 100,
        "age_tilts": [[60, 3000], [80, 9000]],
        "source": "京人社发〔2026〕1号（测试）",
    }
    builders.approved(office, "benefit.adjust", rule)
    expected = (
        int((Decimal(before["monthly_fen"]) * Decimal("0.02")).quantize(Decimal(1), ROUND_HALF_UP))
        + 5000
        + 100 * 15  # 180 months: 15 whole years
        + 3000  # 61 in 2026: the 60 band, not the 80
    )
    (change,) = GrantChange.objects.filter(kind="adjust")
    assert change.amount_fen == expected
    after = queries.read(office.reviewer, number)["benefits"][0]
    assert after["monthly_fen"] == before["monthly_fen"] + expected

    assert main(["benefits", "pay", "--month", "2026-02", "--as", "clerk"]) == 0
    amounts = dict(Payment.objects.filter(grant_id=before["id"]).values_list("month", "amount_fen"))
    assert amounts["2026-01"] == before["monthly_fen"]
    assert amounts["2026-02"] == before["monthly_fen"] + expected
    builders.verified()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"percent": "0.5"}, "percent"),
        ({"percent": "abc"}, "percent"),
        ({"percent": "0", "fixed_fen": 0}, "percent"),
        ({"source": " "}, "source"),
        ({"age_tilts": [[60, 100], [60, 200]]}, "age_tilts"),
        ({"region": "440000"}, "region"),
    ],
)
def test_a_bad_adjustment_is_refused_at_intake_naming_the_field(
    office: Office, change: dict[str, object], field: str
) -> None:
    rule = {"region": "110000", "from_month": "2026-01", "percent": "0.02", "source": "文件"}
    with pytest.raises(InvalidInput) as refused:
        office.submit("benefit.adjust", {**rule, **change})
    assert field in refused.value.fields()
