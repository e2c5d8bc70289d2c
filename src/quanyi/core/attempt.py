"""Running a service from a view that shows its error on the same page.

The service runs in a savepoint of the request's transaction, so a failure leaves none of its
writes behind although the view goes on to render. Refusals and failed applies propagate to the
refusal middleware, which keeps them as audit events after the request rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

from quanyi.core import labels
from quanyi.core.errors import (
    FieldError,
    InvalidInput,
    KeptFailure,
    QuanyiError,
    current_language,
)

T = TypeVar("T")


def attempt(work: Callable[[], T]) -> tuple[T | None, str, list[str]]:
    """``(result, error message, [one line per field error])``; result is None on error."""
    result, error, problems, _ = attempt_form(work)
    return result, error, problems


def attempt_form(
    work: Callable[[], T],
) -> tuple[T | None, str, list[str], dict[str, str]]:
    """``attempt`` for a form: also each refused field's reason in words, by field name, to show
    next to the field (``problems`` keeps every reason, named, for a summary)."""
    try:
        with transaction.atomic():
            return work(), "", [], {}
    except KeptFailure:
        raise
    except InvalidInput as error:
        lang = current_language()
        summary = "请更正以下内容：" if lang == "zh" else "Please correct the following:"
        by_field: dict[str, str] = {}
        for each in error.errors:
            text = each.en if lang == "en" else each.zh
            by_field[each.field] = (
                f"{by_field[each.field]}；{text}" if each.field in by_field else text
            )
        return None, summary, [shown(e, lang) for e in error.errors], by_field
    except QuanyiError as error:
        return None, error.message(current_language()), [], {}


def in_words(error: QuanyiError, lang: str | None = None) -> str:
    """A refusal as a screen shows it: each refused field named by its label."""
    lang = lang or current_language()
    if isinstance(error, InvalidInput):
        return ("; " if lang == "en" else "；").join(shown(e, lang) for e in error.errors)
    return error.message(lang)


def shown(error: FieldError, lang: str | None = None) -> str:
    """A field's reason as a screen shows it: the field by its label, not its code."""
    lang = lang or current_language()
    text = error.en if lang == "en" else error.zh
    separator = ": " if lang == "en" else "："
    return f"{labels.field_name(error.field, lang)}{separator}{text}"
