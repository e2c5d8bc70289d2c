import pytest

from quanyi.core.errors import InvalidInput
from quanyi.core.yearmonth import YearMonth, month_range, months_between


def test_parse_and_arithmetic() -> None:
    month = YearMonth.parse("2024-12")
    assert str(month.add(1)) == "2025-01"
    assert str(month.add(-12)) == "2023-12"
    assert months_between(YearMonth(2016, 1), YearMonth(2024, 12)) == 108
    assert [str(m) for m in month_range(YearMonth(2024, 11), YearMonth(2025, 2))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert YearMonth(2024, 1) < YearMonth(2024, 2)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "24-01", "2024/01", "", "abcd-ef"])
def test_bad_months_are_refused_with_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        YearMonth.parse(text, "start_month")
    assert refused.value.fields() == ["start_month"]
