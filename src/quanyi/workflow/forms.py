"""Turning an intake screen's fields into a case payload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.core.money import yuan_to_fen
from quanyi.workflow.types import CaseType

CORRECTION_FORM = ("object", "key", "field", "value", "reason", "method")


def payload_from_form(case_type: CaseType[Any], form: Mapping[str, str]) -> dict[str, Any]:
    """Blank optional fields are left out, so a change form changes only what was filled in;
    an amount typed in yuan that is not one is an ``InvalidInput`` naming its field.
    A correction is one field per case on screen (the CLI and API take several)."""
    if case_type.name == "record.correct":
        return {
            "object": form.get("object", "").strip(),
            "key": form.get("key", "").strip(),
            "changes": {form.get("field", "").strip(): form.get("value", "").strip()},
            "reason": form.get("reason", "").strip(),
            "method": form.get("method", "").strip(),
        }
    payload: dict[str, Any] = {}
    for f in case_type.fields:
        if f.kind == "choices":  # several ticked from a list: sent as a list of codes
            getlist = getattr(form, "getlist", None)
            ticked = getlist(f.name) if getlist else [form.get(f.name, "")]
            chosen = [code.strip() for code in ticked if code.strip()]
            if chosen:
                payload[f.name] = chosen
            continue
        value = form.get(f.name, "").strip()
        if not value:
            continue
        # Money is typed in yuan on screen; the payload, like every machine contract, is fen.
        payload[f.name] = yuan_to_fen(value, f.name) if f.kind == "yuan" else value
    return case_type.from_form(payload)
