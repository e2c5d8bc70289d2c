"""Identifiers (REFERENCE.md, Identifiers; 002 art. 7 data items; DESIGN.md, Known traps)."""

from datetime import date

import pytest

from quanyi.core.errors import InvalidInput
from quanyi.core.identifiers import mask, parse_id_number, validate_uscc


def test_accepted_id_numbers_derive_sex_and_birth_date() -> None:
    beijing = parse_id_number("11010519491231002X")
    assert (beijing.birth_date, beijing.sex) == (date(1949, 12, 31), "F")
    # Tianhe (440106) was created after 1970: stdnum's own check refuses it, we must not.
    tianhe = parse_id_number("440106197001010014")
    assert (tianhe.birth_date, tianhe.sex) == (date(1970, 1, 1), "M")
    assert parse_id_number(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code", "words"),
    [
        ("110105194912310021", "id_checksum", "check digit"),
        ("110105198502301233", "id_birth_date", "1985-02-30 does not exist"),
        ("99010519491231002X", "id_checksum", "check digit"),
        ("1101051949123100", "id_length", "18 characters"),
        ("11010519491231002Y", "id_format", "digit or X"),
    ],
)
def test_refused_id_numbers_name_field_and_reason(number: str, code: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_id_number(number)
    error = refused.value.errors[0]
    assert (error.field, error.code) == ("id_number", code)
    assert words in error.en
    assert error.zh  # a Chinese message for the screens


def test_unknown_region_in_id_number() -> None:
    from stdnum.cn import ric

    body = "99999919800101001"
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(InvalidInput) as refused:
        parse_id_number(number)
    assert refused.value.errors[0].code == "id_region"


def test_future_birth_date_is_impossible() -> None:
    from stdnum.cn import ric

    body = "11010520990101001"
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(InvalidInput) as refused:
        parse_id_number(number, today=date(2026, 11, 25))
    assert refused.value.errors[0].code == "id_birth_date"


def test_credit_codes() -> None:
    assert validate_uscc("91110000600037341L") == "91110000600037341L"
    with pytest.raises(InvalidInput) as refused:
        validate_uscc("91110000600037341N")
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == (
        "uscc",
        "uscc_checksum",
    )
    with pytest.raises(InvalidInput) as short:
        validate_uscc("9111000060003734")
    assert short.value.errors[0].code == "uscc_length"


def test_mask_keeps_region_and_last_four() -> None:
    assert mask("11010519491231002X") == "110105********002X"
