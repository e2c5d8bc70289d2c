"""Every code a screen shows has a label in both languages (DESIGN.md "Screens speak the
user's language")."""

from __future__ import annotations

from quanyi.core import labels
from quanyi.core.attempt import shown
from quanyi.core.errors import FieldError
from quanyi.registry.models import Category, Insurance


def test_every_insurance_and_category_has_a_label_in_both_languages() -> None:
    for code in Insurance.values:
        assert labels.label("insurance", code, "zh") != code
        assert labels.label("insurance", code, "en") != code
    for code in Category.values:
        assert labels.label("category", code, "zh") != code


def test_an_unknown_code_shows_as_itself_and_none_as_a_dash() -> None:
    assert labels.label("insurance", "nonsense", "zh") == "nonsense"
    assert labels.label("insurance", None, "zh") == "—"


def test_a_row_field_is_named_in_words() -> None:
    assert labels.field_name("rows[1].id_number", "zh") == "第 1 行 公民身份号码"
    assert labels.field_name("rows[1].id_number", "en") == "row 1: id number"


def test_a_screen_names_the_field_not_its_code() -> None:
    error = FieldError("phone", "bad_phone", "须为11位手机号码", "must be 11 digits")
    assert shown(error, "zh") == "联系电话：须为11位手机号码"
    assert "phone:" not in shown(error, "zh")


def test_choices_list_codes_with_labels_in_order() -> None:
    pairs = labels.choices("role", "zh")
    assert ("operator", "业务经办") in pairs


def test_a_diffs_object_and_a_qualified_field_read_in_words() -> None:
    assert labels.object_name("backpay 2024-11 injury", "zh") == "补缴 2024-11 工伤保险"
    assert labels.field_name("base_fen (lower)", "zh") == "缴费基数（按下限）"
