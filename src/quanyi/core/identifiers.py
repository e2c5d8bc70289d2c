"""Resident id numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

python-stdnum does the checksum work. ``stdnum.cn.ric`` also refuses a region code that did not
exist in the birth year, which would refuse real people (Tianhe 440106, born 1970): we accept a
code that existed at any time (DESIGN.md, Known traps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric, uscc

from quanyi.core import regions
from quanyi.core.errors import InvalidInput


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F": odd sequence digit is male

    @property
    def region(self) -> str:
        return self.number[:6]


def parse_id_number(raw: object, field: str = "id_number", today: date | None = None) -> IdNumber:
    text = raw.strip().upper() if isinstance(raw, str) else ""
    if len(text) != 18:
        raise InvalidInput.one(
            field, "id_length", "公民身份号码应为18位", "an id number has 18 characters"
        )
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise InvalidInput.one(
            field,
            "id_format",
            "公民身份号码前17位应为数字，末位为数字或X",
            "an id number is 17 digits and a digit or X",
        )
    try:
        check = ric.calc_check_digit(text)
    except Exception:  # stdnum raises several kinds; any of them means unusable
        raise InvalidInput.one(
            field, "id_checksum", "公民身份号码校验位错误", "the check digit is wrong"
        ) from None
    if check != text[-1]:
        raise InvalidInput.one(
            field,
            "id_checksum",
            f"公民身份号码校验位错误（应为 {check}）",
            f"the check digit is wrong (expected {check})",
        )
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidInput.one(
            field,
            "id_birth_date",
            f"公民身份号码中的出生日期 {text[6:10]}-{text[10:12]}-{text[12:14]} 不存在",
            f"the birth date {text[6:10]}-{text[10:12]}-{text[12:14]} does not exist",
        ) from None
    if birth > (today or date.today()) or birth.year < 1880:
        raise InvalidInput.one(
            field,
            "id_birth_date",
            f"出生日期 {birth} 不可能",
            f"the birth date {birth} is impossible",
        )
    if not regions.is_known(text[:6]):
        raise InvalidInput.one(
            field,
            "id_region",
            f"公民身份号码中的行政区划代码 {text[:6]} 不存在",
            f"the region code {text[:6]} does not exist",
        )
    return IdNumber(text, birth, "M" if int(text[16]) % 2 else "F")


def validate_uscc(raw: object, field: str = "uscc") -> str:
    text = raw.strip().upper() if isinstance(raw, str) else ""
    try:
        return str(uscc.validate(text))
    except Exception as exc:
        kind = type(exc).__name__
        if kind == "InvalidLength":
            raise InvalidInput.one(
                field, "uscc_length", "统一社会信用代码应为18位", "a credit code has 18 characters"
            ) from None
        if kind == "InvalidChecksum":
            raise InvalidInput.one(
                field,
                "uscc_checksum",
                "统一社会信用代码校验位错误",
                "the credit code's check character is wrong",
            ) from None
        raise InvalidInput.one(
            field, "uscc_format", "统一社会信用代码格式错误", "the credit code's format is wrong"
        ) from None


def mask(number: str) -> str:
    """``110105********123X``: region kept, birth date and sequence hidden except the last four."""
    return number[:6] + "*" * 8 + number[14:] if len(number) == 18 else "*" * len(number)


def mask_name(name: str) -> str:
    """``王**``: the surname kept, the given name hidden (lists and search results, 001 art.
    22); a one-character name is shown as it is, a compound surname as its first character."""
    text = name.strip()
    return text[:1] + "*" * (len(text) - 1) if len(text) > 1 else text


# An id number standing alone in a text (not part of a longer run of digits or letters).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_text(text: str) -> str:
    """``text`` with every id number in it masked (free text an auditor reads: reasons,
    methods, user names typed at a login)."""
    return _ID_IN_TEXT.sub(lambda found: mask(found.group(0).upper()), text)


def mask_phone(phone: str) -> str:
    """``138****1234``: the first three and last four digits of a phone number."""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) >= 8 else "*" * len(phone)


PHONE_FIELDS = frozenset({"phone"})


def mask_value(field: str, value: object) -> object:
    """A value as a screen shows it: a phone field masked, a birth date to its year, every id
    number in a text masked,
    other values as they are (nested lists and mappings too)."""
    if isinstance(value, str):
        if field == "birth_date" and value:
            return value[:4] + "-**-**"  # never beside a masked id number in full
        return mask_phone(value) if field in PHONE_FIELDS and value else mask_text(value)
    if isinstance(value, list):
        return [mask_value(field, item) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(str(key), item) for key, item in value.items()}
    return value
