import pytest

from quanyi.core import regions
from quanyi.core.errors import InvalidInput


def test_prefix_coverage() -> None:
    assert regions.covers("110000", "110105")
    assert regions.covers("110100", "110105")
    assert regions.covers("110105", "110105")
    assert not regions.covers("110105", "110106")
    assert not regions.covers("110000", "120101")


def test_codes_that_no_longer_exist_are_known() -> None:
    chongwen = regions.lookup("110103")  # 崇文区, merged into 东城区 in 2010
    assert chongwen is not None and chongwen.last_year == 2010
    assert regions.is_known("440106")
    assert regions.lookup("110000").name == "北京市"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "reason"), [("999999", "unknown_region"), ("11010", "bad_region_format")]
)
def test_bad_region_codes(code: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        regions.validate_region(code, "hukou_region")
    assert [(e.field, e.code) for e in refused.value.errors] == [("hukou_region", reason)]
