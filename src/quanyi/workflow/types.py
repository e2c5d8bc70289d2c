"""Case types (业务类型), each declared once as a class: its labels, stages and intake form as
data, its payload schema, ``check`` (intake), ``changes`` (the reviewers' diff) and ``apply``
(the final approval).

The payload is checked once, at intake and again only when a returned case is resubmitted, and
the case keeps it as the schema dumps it. Later stages and the approval get it back typed, never
run through the intake checks again; a type still looks at the data as it is then where a rule
needs it (an id number registered meanwhile, a sealed row). Apps register their types from their
``AppConfig.ready``; the workflow knows none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload, parse
from quanyi.workflow.permissions import CasePermission
from quanyi.workflow.schemas import CaseTypeOut, ChangeOut, FormFieldOut
from quanyi.workflow.stages import Stage

P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class Change:
    """One line of a case's diff: what a field holds now and what it will hold."""

    object: str  # e.g. "person 12": its type and key (the maintenance log splits it)
    field: str
    before: Any
    after: Any
    name: str = ""  # how a user knows the object: 王平, 某某有限公司

    def out(self) -> ChangeOut:
        return ChangeOut(
            object=self.object,
            field=self.field,
            before=self.before,
            after=self.after,
            name=self.name,
        )

    def stored(self) -> dict[str, Any]:
        return {
            "object": self.object,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "name": self.name,
        }


@dataclass(frozen=True)
class FormField:
    """A payload field as the intake screen asks for it. ``kind`` says how: ``text``;
    ``choice`` — a list of the labels of code set ``choices`` (core.labels), never a typed code;
    ``choices`` — several of them ticked, sent on as a list of codes;
    ``yuan`` — typed in yuan with two decimals, sent on as fen (the payload field ends in
    ``_fen``); ``month`` (YYYY-MM); ``date``; ``region`` — a division code, offered by name;
    ``id_number``; ``textarea``."""

    name: str
    zh: str
    en: str
    required: bool = False
    kind: str = "text"
    choices: str | None = None


class CaseType(Generic[P]):
    """Subclass it with the class attributes set and ``changes`` and ``apply`` written; the
    default ``check`` is the payload schema alone. Register the class with ``@register``."""

    name: ClassVar[str]
    zh: ClassVar[str]
    en: ClassVar[str]
    stages: ClassVar[tuple[Stage, ...]]
    payload: ClassVar[type[Payload]]
    fields: ClassVar[tuple[FormField, ...]] = ()
    # Writes a maintenance-log entry for each change (corrections of sealed data).
    maintenance: ClassVar[bool] = False
    # Permissions in place of the workflow's defaults, by stage ("intake": submitting,
    # resubmitting and withdrawing) or "read" — for cases that are not business cases, such as
    # account grants (sysadmin proposes, security administrator approves).
    permissions: ClassVar[Mapping[str, str]] = {}
    # Whether intake computes the diff (kept with the case, and refused when empty). Off for
    # types whose diff is a second pass over a large file (a declaration, a legacy import):
    # their check has read every row already, and an empty file is refused there.
    diff_at_intake: ClassVar[bool] = True
    # For a correction type: the fields each kind of object may have corrected, offered as a
    # list on its screen (the rules still decide at intake).
    correctable: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # The URL name of a screen of its own (an upload with a preview), offered in place of the
    # generic intake form.
    screen: ClassVar[str | None] = None
    # Payload keys naming whom or what a case is about, for case search (the first given).
    subject_keys: ClassVar[tuple[str, ...]] = ("id_number", "uscc")

    def check(self, principal: Principal, data: Mapping[str, Any]) -> P:
        """Intake: the payload as the acting principal may submit it against the data now —
        typed and cleaned — or ``InvalidInput`` with every reason. Writes nothing."""
        return self.parse(data)

    def attached(
        self, data: Mapping[str, Any], files: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        """Intake, before ``check``: the payload with what it takes from the files the case
        carries (file name, SHA-256 of the content) — a type whose payload names a document
        refuses one the case does not carry. Default: the payload as given."""
        return data

    def changes(self, principal: Principal, payload: P) -> list[Change]:
        """The diff the reviewers see."""
        raise NotImplementedError

    def apply(self, principal: Principal, payload: P) -> str:
        """Write the change (inside the approval's transaction); returns what was written."""
        raise NotImplementedError

    def parse(self, data: Mapping[str, Any]) -> P:
        found: P = parse(self.payload, data)  # type: ignore[assignment]
        return found

    def load(self, stored: Mapping[str, Any]) -> P:
        """The payload a case keeps, typed again (it was checked at intake)."""
        return self.parse(stored)

    @staticmethod
    def dump(payload: Payload) -> dict[str, Any]:
        """What the case keeps: only the fields given, as JSON."""
        return payload.model_dump(mode="json", exclude_unset=True)

    def from_form(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload an intake screen's fields make, as the type takes it (a type whose
        screen asks in other units than its payload converts here)."""
        return payload

    def subject(self, payload: Mapping[str, Any]) -> str | None:
        """The id number or credit code the case is about, if its payload names one."""
        found = next((str(payload[k]) for k in self.subject_keys if payload.get(k)), None)
        return found if found and len(found) <= 18 else None

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def out(self) -> CaseTypeOut:
        return CaseTypeOut(
            type=self.name,
            zh=self.zh,
            en=self.en,
            stages=list(self.stages),
            maintenance=self.maintenance,
            fields=[
                FormFieldOut(name=f.name, zh=f.zh, en=f.en, required=f.required)
                for f in self.fields
            ],
            payload=self.payload.model_json_schema(),
        )

    def permission(self, step: str) -> str:
        """The permission acting at ``step`` (a stage, or "read") needs."""
        return self.permissions.get(step) or _DEFAULT_PERMISSIONS.get(step, f"case.{step}")


_DEFAULT_PERMISSIONS: dict[str, str] = {
    Stage.INTAKE: CasePermission.SUBMIT,
    "read": CasePermission.READ,
}


_KINDS_BY_NAME = {
    "id_number": "id_number",
    "guardian_id_number": "id_number",
    "insurance": "choice",
    "category": "choice",
    "start_month": "month",
    "end_month": "month",
    "month": "month",
    "region": "region",
    "hukou_region": "region",
    "residence_region": "region",
    "cancelled_on": "date",
    "deceased_date": "date",
    "date": "date",
}


def fields(*specs: tuple[str, str, str, bool]) -> tuple[FormField, ...]:
    """Form fields from ``(name, zh, en, required)`` rows; a field named for a code set
    (``insurance``, ``category``) is a list of its labels, a month a month, an amount in fen
    (``*_fen``) is typed in yuan."""
    made = []
    for name, zh, en, required in specs:
        kind = "yuan" if name.endswith("_fen") else _KINDS_BY_NAME.get(name, "text")
        made.append(FormField(name, zh, en, required, kind, name if kind == "choice" else None))
    return tuple(made)


_TYPES: dict[str, CaseType[Any]] = {}

T = TypeVar("T", bound=type[CaseType[Any]])


def register(case_type: T) -> T:
    """Class decorator: one instance of the type serves every case of it."""
    if case_type.stages[0] is not Stage.INTAKE or case_type.stages[-1] is not Stage.APPROVAL:
        raise ValueError(f"{case_type.name}: stages run from intake to approval")
    _TYPES[case_type.name] = case_type()
    return case_type


def get(name: str) -> CaseType[Any]:
    found = _TYPES.get(name)
    if found is None:
        known = ", ".join(sorted(_TYPES))
        raise InvalidInput.one(
            "type",
            "unknown_type",
            f"未知的业务类型（可选：{known}）",
            f"unknown case type ({known})",
        )
    return found


def all_types() -> list[CaseType[Any]]:
    return [_TYPES[name] for name in sorted(_TYPES)]
