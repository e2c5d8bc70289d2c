"""Registered data is written only by a case's final approval (001 art. 6; DESIGN.md invariant
1): "applying a case" is proven by the grant the workflow holds while it applies, not by a field
anyone can set on a principal."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from quanyi.access import applying
from quanyi.access.errors import Refused
from quanyi.access.policy import allowed
from quanyi.core.principal import Principal
from quanyi.registry import services
from tests.registry import builders

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "quanyi"

APPROVER = Principal(
    actor="approver-z", source="cli", region="110000", roles=frozenset({"approver"})
)


def test_a_principal_claiming_a_case_is_refused_outside_the_grant() -> None:
    from dataclasses import replace

    forged = replace(APPROVER, case_id=7)
    assert not allowed(forged, "registry.write")
    with transaction.atomic(), pytest.raises(Refused):
        services.register_person(forged, builders.person_payload())


def test_the_grant_holds_only_while_the_apply_runs() -> None:
    with applying.granted(APPROVER, 7) as applier:
        assert allowed(applier, "registry.write")
    assert not allowed(applier, "registry.write")


def test_administrators_never_apply_even_inside_a_grant() -> None:
    from dataclasses import replace

    with applying.granted(replace(APPROVER, roles=frozenset({"sysadmin"})), 7) as applier:
        assert not allowed(applier, "registry.write")


def test_only_the_workflows_final_approval_enters_the_grant() -> None:
    callers = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "applying.granted(" in path.read_text(encoding="utf-8")
    )
    assert callers == ["workflow/services.py"]
