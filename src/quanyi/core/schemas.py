"""Typed contracts at the boundaries: input parsed by a ninja ``Schema`` is refused as an
``InvalidInput`` naming every field in Chinese and English, like every other refusal.

``checked`` turns a rule that raises ``InvalidInput`` (``YearMonth.parse``,
``regions.validate_region``, …) into a field type, so a schema reuses the project's own checks
and their messages instead of pydantic's English ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from quanyi.core import regions
from quanyi.core.bounds import MAX_ID, parse_int
from quanyi.core.errors import FieldError, InvalidInput, QuanyiError, current_language
from quanyi.core.money import parse_fen
from quanyi.core.yearmonth import YearMonth

S = TypeVar("S", bound=Schema)

# The rule's own reason travels through pydantic under this error type.
_RULE = "quanyi_rule"

# pydantic's error types, as the field reasons users read (code, zh, en).
_REASONS: dict[str, tuple[str, str, str]] = {
    "missing": ("required", "必填", "required"),
    "extra_forbidden": ("unknown_field", "未知字段", "unknown field"),
    "string_too_long": ("too_long", "最多 {max_length} 个字符", "at most {max_length} characters"),
    "string_too_short": ("required", "必填", "required"),
    "too_short": ("required", "至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("too_many", "最多 {max_length} 项", "at most {max_length} items"),
    "int_parsing": ("not_integer", "须为整数", "a whole number"),
    "int_type": ("not_integer", "须为整数", "a whole number"),
    "int_from_float": ("not_integer", "须为整数", "a whole number"),
    "greater_than": ("too_small", "须大于 {gt}", "greater than {gt}"),
    "greater_than_equal": ("too_small", "须不小于 {ge}", "at least {ge}"),
    "less_than": ("too_large", "须小于 {lt}", "less than {lt}"),
    "less_than_equal": ("too_large", "须不大于 {le}", "at most {le}"),
    "string_type": ("not_text", "须为文本", "text"),
    "dict_type": ("not_object", "须为 JSON 对象", "a JSON object"),
    "model_type": ("not_object", "须为 JSON 对象", "a JSON object"),
    "list_type": ("not_list", "须为列表", "a list"),
    "bool_parsing": ("not_boolean", "须为 true 或 false", "true or false"),
    "bool_type": ("not_boolean", "须为 true 或 false", "true or false"),
    "date_from_datetime_parsing": ("bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
    "date_parsing": ("bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
    "date_type": ("bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"),
    "enum": ("bad_choice", "可选：{expected_zh}", "one of {expected}"),
    "literal_error": ("bad_choice", "可选：{expected_zh}", "one of {expected}"),
}


class Payload(Schema):
    """Input that refuses fields it does not know (a typo is never silently dropped)."""

    model_config = ConfigDict(extra="forbid")


def field_name(loc: tuple[int | str, ...]) -> str:
    """pydantic's location as the project names fields: ``rows[1].id_number`` (rows count
    from 1, as a user counts them)."""
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part + 1}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "data"


class FieldErrorOut(Schema):
    field: str
    code: str
    detail: str


class ErrorOut(Schema):
    """Every refusal the API answers (403, 404, 409, 422): a stable ``code``, the reason in
    the user's language, and for bad input each field's reason."""

    code: str
    detail: str
    errors: list[FieldErrorOut] | None = None


def error_out(error: QuanyiError) -> ErrorOut:
    body = ErrorOut(code=error.code, detail=error.message(current_language()))
    if isinstance(error, InvalidInput):
        body.errors = [
            FieldErrorOut(field=e.field, code=e.code, detail=e.message()) for e in error.errors
        ]
    return body


def field_errors(error: ValidationError) -> list[FieldError]:
    return reasons(error.errors())


def reasons(details: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """pydantic's error details as field reasons in both languages."""
    found = []
    for detail in details:
        context = detail.get("ctx") or {}
        field = field_name(tuple(detail["loc"]))
        if detail["type"] == _RULE:
            found.append(FieldError(field, context["code"], context["zh"], context["en"]))
            continue
        code, zh, en = _REASONS.get(detail["type"], ("bad_value", "取值无效", "not a valid value"))
        if "expected" in context:  # "'a', 'b' or 'c'"
            context = {**context, "expected_zh": str(context["expected"]).replace(" or ", ", ")}
        try:
            found.append(FieldError(field, code, zh.format(**context), en.format(**context)))
        except (KeyError, IndexError):
            found.append(FieldError(field, code, zh, en))
    return found


def parse(schema: type[S], data: Any) -> S:
    """``data`` as ``schema``, or an ``InvalidInput`` with every field's reason."""
    if not isinstance(data, Mapping):
        raise InvalidInput.one(
            "data", "not_object", "业务数据须为 JSON 对象", "data is a JSON object"
        )
    try:
        return schema.model_validate(dict(data))
    except ValidationError as error:
        raise InvalidInput(field_errors(error)) from None


def checked(rule: Callable[[Any], Any]) -> BeforeValidator:
    """A field validator from a rule that raises ``InvalidInput``: its code and messages are
    kept (the field is named by where the value sits, whatever name the rule used)."""

    def validate(value: Any) -> Any:
        try:
            return rule(value)
        except InvalidInput as refused:
            first = refused.errors[0]
            raise PydanticCustomError(
                _RULE, "{en}", {"code": first.code, "zh": first.zh, "en": first.en}
            ) from None

    return BeforeValidator(validate)


def dump(value: Schema | list[Any]) -> Any:
    """JSON-ready data of a schema (or a list of them); a field never set is absent, not null
    (a part of the record the user may not see is left out)."""
    if isinstance(value, list):
        return [dump(item) for item in value]
    return value.model_dump(mode="json", exclude_unset=True)


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.one(
            "date", "bad_date", "日期格式应为 YYYY-MM-DD", "a date is YYYY-MM-DD"
        ) from None


# Field types that check with the project's rules (and speak its messages).
Month = Annotated[str, checked(lambda value: str(YearMonth.parse(str(value))))]
IsoDate = Annotated[date, checked(_iso_date)]
RegionCode = Annotated[str, checked(lambda value: regions.validate_region(value, "region"))]
# An amount in fen within ``money.MAX_FEN`` and a row's id (DESIGN.md invariant 8).
Fen = Annotated[int, checked(parse_fen)]
RowId = Annotated[int, checked(lambda value: parse_int(value, "id", 1, MAX_ID))]
