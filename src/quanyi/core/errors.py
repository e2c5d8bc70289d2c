"""Errors carry a message in Chinese and in English; the surface picks the user's language."""

from __future__ import annotations

from dataclasses import dataclass, field


def current_language() -> str:
    """``"en"`` or ``"zh"``; outside a request Django's active language decides (default zh)."""
    from django.utils import translation

    lang = translation.get_language() or "zh-hans"
    return "en" if lang.startswith("en") else "zh"


@dataclass(frozen=True)
class FieldError:
    """One reason a field was refused: the field, a stable code, the message in both languages."""

    field: str
    code: str
    zh: str
    en: str

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return f"{self.field}: {self.en if lang == 'en' else self.zh}"


class QuanyiError(Exception):
    """Base of every refusal the user should read. ``code`` is stable for programs."""

    code = "error"

    def __init__(self, zh: str, en: str, code: str | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        if code:
            self.code = code

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return self.en if lang == "en" else self.zh

    def at(self, field: str, code: str | None = None) -> FieldError:
        """This error as one field's reason, for a report of every reason at once."""
        return FieldError(field, code or self.code, self.message("zh"), self.message("en"))


class InvalidInput(QuanyiError):
    """Bad input: every field error found, not just the first."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__(
            "；".join(e.message("zh") for e in self.errors),
            "; ".join(e.message("en") for e in self.errors),
        )

    @classmethod
    def one(cls, field: str, code: str, zh: str, en: str) -> InvalidInput:
        """A refusal for a single reason."""
        return cls([FieldError(field, code, zh, en)])

    def fields(self) -> list[str]:
        return [e.field for e in self.errors]


class NotFound(QuanyiError):
    code = "not_found"


class KeptFailure(QuanyiError):
    """A failure that is itself an audit event, written after the failed work rolled back (a
    refusal, a case whose approval could not be applied). Every surface — CLI, web, API —
    records it with ``audit.services.record_failure``."""

    def audit_entry(self) -> tuple[str, str, str, str]:
        """``(action, object_type, object_id, result)`` of the event to keep."""
        raise NotImplementedError


class Conflict(QuanyiError):
    """Well-formed, but contradicts what is recorded (e.g. an overlapping relation)."""

    code = "conflict"


@dataclass
class ErrorCollector:
    """Gathers field errors so a payload is refused with every reason at once. With a
    ``limit`` (a file of millions of rows), errors past it are counted, not kept, and the
    refusal ends with how many more there were."""

    errors: list[FieldError] = field(default_factory=list)
    limit: int | None = None
    more: int = 0

    def add(self, field_name: str, code: str, zh: str, en: str) -> None:
        if self.limit is not None:
            # A file's bulk check: with a report open every reason is written there too
            # (core.report), the ones past the limit included. Imported here: core.report
            # builds on this module's errors.
            from quanyi.core.report import active

            report = active()
            if report is not None:
                report.add_named(FieldError(field_name, code, zh, en))
        if self.limit is not None and len(self.errors) >= self.limit:
            self.more += 1
        else:
            self.errors.append(FieldError(field_name, code, zh, en))

    def extend(self, exc: InvalidInput, prefix: str = "") -> None:
        """Every reason of ``exc``, each field named after ``prefix`` (``"file.csv:7 "``)."""
        for error in exc.errors:
            self.add(prefix + error.field, error.code, error.zh, error.en)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        errors = list(self.errors)
        if self.more:
            errors.append(
                FieldError(
                    "…",
                    "more",
                    f"另有 {self.more} 处错误未列出",
                    f"{self.more} more errors not listed",
                )
            )
        raise InvalidInput(errors)
