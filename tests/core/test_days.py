from datetime import date

import pytest
from django.utils import timezone

from quanyi.core.days import day_or_today
from quanyi.core.errors import InvalidInput


def test_a_day_or_today() -> None:
    assert day_or_today("2025-03-31") == date(2025, 3, 31)
    assert day_or_today(None) == timezone.localdate()


@pytest.mark.parametrize(
    "text", ["2025-13-01", "2025-02-30", "9999-01-01", "0001-01-01", "", "x" * 5000]
)
def test_bad_days_are_refused_with_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        day_or_today(text, "on")
    assert refused.value.fields() == ["on"]
    assert len(str(refused.value)) < 300
