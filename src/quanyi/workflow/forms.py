"""Turning an intake screen's fields into a case payload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.workflow.types import CaseType

CORRECTION_FORM = ("object", "key", "field", "value", "reason", "method")


def payload_from_form(case_type: CaseType[Any], form: Mapping[str, str]) -> dict[str, Any]:
    """Blank optional fields are left out, so a change form changes only what was filled in.
    A correction is one field per case on screen (the CLI and API take several)."""
    if case_type.name == "record.correct":
        return {
            "object": form.get("object", "").strip(),
            "key": form.get("key", "").strip(),
            "changes": {form.get("field", "").strip(): form.get("value", "").strip()},
            "reason": form.get("reason", "").strip(),
            "method": form.get("method", "").strip(),
        }
    return {
        f.name: form.get(f.name, "").strip()
        for f in case_type.fields
        if form.get(f.name, "").strip()
    }
