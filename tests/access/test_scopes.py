"""Token scopes (001 art. 23, 26; DESIGN.md invariant 4): every API route and every case action
tried with a token of each scope — exactly the allowed ones pass, and a refused write leaves
nothing behind. The routes come from the OpenAPI document: a route added later fails
``test_every_route_is_in_the_matrix`` until it is given the scope it needs.

Staff acting alongside the token's user (the clerk who submitted a case, the reviewer who
returned it) are principals built in place; only the token's user is an account.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client

from quanyi.access import services
from quanyi.access.policy import declared
from quanyi.audit.verify import verify
from quanyi.cli import main
from quanyi.core.errors import InvalidInput
from quanyi.core.permissions import Scope
from quanyi.core.principal import Principal
from quanyi.workflow import services as workflow
from quanyi.workflow import types
from quanyi.workflow.models import Case, CaseDecision
from quanyi.workflow.stages import Stage
from tests.access import builders
from tests.conftest import applying_as
from tests.registry import builders as registry
from tests.test_api_auth import routes

pytestmark = pytest.mark.django_db

ROOT = Principal(actor="root", source="cli", region="110000", roles=frozenset({"sysadmin"}))
ANY = None  # a route any valid token may call (who am I, the case types)


def staff(name: str, *roles: str) -> Principal:
    return Principal(actor=name, source="cli", region="110000", roles=frozenset(roles))


def case(submitter: str, *then: tuple[Principal, str]) -> Case:
    """A person.register case the operator ``submitter`` took in, then decided on."""
    with transaction.atomic():
        found = workflow.submit(staff(submitter, "operator"), "person.register", person())
    for who, decision in then:
        with transaction.atomic():
            found = workflow.act(who, found.pk, decision, "退回补正")
    return found


def person() -> dict[str, Any]:
    return registry.person_payload(name="李雷")


def registered() -> Iterator[Principal]:
    yield from applying_as("approver-x", "110000")


@dataclass(frozen=True)
class Call:
    """One route (as the OpenAPI document names it) tried as one act: the scope it needs, the
    roles the token's user holds, and ``prepare(username) -> (path, body)``."""

    name: str
    method: str
    route: str
    scope: Scope | None
    roles: tuple[str, ...]
    prepare: Callable[[str], tuple[str, dict[str, Any] | None]]


def _record(user: str) -> tuple[str, None]:
    for applier in registered():
        found = registry.person(applier, name="韩梅梅")
    return f"/api/v1/persons/{found.id_number}/record", None


def _enrollment_stats(user: str) -> tuple[str, None]:
    """A cross-match on record (of nobody) for the statistics to read."""
    import json

    from django.utils import timezone

    from quanyi.enrollment.models import Run

    statuses = ("enrolled", "partly_enrolled", "not_enrolled", "enrolled_elsewhere")
    counts = dict.fromkeys((*statuses, "duplicate", "inaccurate"), 0)
    Run.objects.create(
        as_of="2026-11",
        engine="duckdb",
        population=0,
        counts=json.dumps(counts, sort_keys=True),
        actor="matrix",
        ran_at=timezone.now(),
    )
    return "/api/v1/enrollment/stats", None


def _lookup(user: str) -> tuple[str, dict[str, Any]]:
    for applier in registered():
        found = registry.person(applier, name="李雷")
    return "/api/v1/records/lookup", {"id_number": found.id_number}


def _accesses(user: str) -> tuple[str, dict[str, Any]]:
    return "/api/v1/records/accesses", _lookup(user)[1]


def _bills(user: str) -> tuple[str, None]:
    for applier in registered():
        employer = registry.employer(applier)
    return f"/api/v1/employers/{employer.uscc}/bills", None


def _decisions(decision: str, opinion: str = "") -> Callable[[str], tuple[str, dict[str, Any]]]:
    def prepare(user: str) -> tuple[str, dict[str, Any]]:
        found = case(user) if decision == "withdraw" else case("clerk")
        return f"/api/v1/cases/{found.pk}/decisions", {"decision": decision, "opinion": opinion}

    return prepare


def _resubmit(user: str) -> tuple[str, dict[str, Any]]:
    found = case(user, (staff("reviewer-x", "reviewer"), "reject"))
    return f"/api/v1/cases/{found.pk}/resubmit", {}


def _grant(user: str) -> tuple[str, dict[str, Any]]:
    builders.account("clerk2", "operator")
    change = {"action": "grant", "username": "clerk2", "roles": ["querier"]}
    return "/api/v1/cases", {"type": "access.grant", "data": change}


def _approve_grant(user: str) -> tuple[str, dict[str, Any]]:
    _, body = _grant(user)
    with transaction.atomic():
        found = workflow.submit(ROOT, "access.grant", body["data"])
    return f"/api/v1/cases/{found.pk}/decisions", {"decision": "approve"}


CASES = "/api/v1/cases"
DECISIONS = "/api/v1/cases/{case_id}/decisions"
FAKE = "/api/v1/fake/ping"  # the test settings' fake domain: its route is checked the same way

CALLS = (
    Call("me", "get", "/api/v1/me", ANY, ("querier",), lambda u: ("/api/v1/me", None)),
    Call("fake", "get", FAKE, Scope.RECORDS_READ, ("reviewer",), lambda u: (FAKE, None)),
    Call(
        "case types",
        "get",
        "/api/v1/case-types",
        ANY,
        ("querier",),
        lambda u: ("/api/v1/case-types", None),
    ),
    Call("queue", "get", CASES, Scope.RECORDS_READ, ("operator",), lambda u: (CASES, None)),
    Call(
        "show a case",
        "get",
        "/api/v1/cases/{case_id}",
        Scope.RECORDS_READ,
        ("querier",),
        lambda u: (f"{CASES}/{case('clerk').pk}", None),
    ),
    Call(
        "submit",
        "post",
        CASES,
        Scope.CASES_SUBMIT,
        ("operator",),
        lambda u: (CASES, {"type": "person.register", "data": person()}),
    ),
    Call("approve", "post", DECISIONS, Scope.CASES_DECIDE, ("reviewer",), _decisions("approve")),
    Call(
        "reject",
        "post",
        DECISIONS,
        Scope.CASES_DECIDE,
        ("reviewer",),
        _decisions("reject", "材料不全"),
    ),
    Call("withdraw", "post", DECISIONS, Scope.CASES_SUBMIT, ("operator",), _decisions("withdraw")),
    Call(
        "resubmit",
        "post",
        "/api/v1/cases/{case_id}/resubmit",
        Scope.CASES_SUBMIT,
        ("operator",),
        _resubmit,
    ),
    Call(
        "bills",
        "get",
        "/api/v1/employers/{uscc}/bills",
        Scope.RECORDS_READ,
        ("querier",),
        _bills,
    ),
    Call(
        "record",
        "get",
        "/api/v1/persons/{id_number}/record",
        Scope.RECORDS_READ,
        ("querier",),
        _record,
    ),
    Call(
        "record lookup",
        "post",
        "/api/v1/records/lookup",
        Scope.RECORDS_READ,
        ("querier",),
        _lookup,
    ),
    Call(
        "who read a record",
        "post",
        "/api/v1/records/accesses",
        Scope.RECORDS_READ,
        ("querier",),
        _accesses,
    ),
    Call(
        "enrollment statistics",
        "get",
        "/api/v1/enrollment/stats",
        Scope.RECORDS_READ,
        ("querier",),
        _enrollment_stats,
    ),
    Call("propose a grant", "post", CASES, Scope.CASES_SUBMIT, ("sysadmin",), _grant),
    Call("approve a grant", "post", DECISIONS, Scope.CASES_DECIDE, ("secadmin",), _approve_grant),
)


def attempt(call: Call, scopes: list[str], roles: tuple[str, ...] | None = None) -> int:
    """The call's status with a fresh token of ``scopes`` for a user holding ``roles`` (the
    call's own by default); a refusal must leave no case and no decision behind."""
    builders.account("tokenuser", *(roles or call.roles))
    _, secret = services.create_token(ROOT, "tokenuser", "matrix", scopes, 1)
    path, body = call.prepare("tokenuser")
    kept = (Case.objects.count(), CaseDecision.objects.count())
    answer = Client().generic(
        call.method.upper(),
        path,
        data="" if body is None else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    if answer.status_code == 403:
        assert (Case.objects.count(), CaseDecision.objects.count()) == kept, "refused but kept"
    return answer.status_code


def test_every_route_is_in_the_matrix() -> None:
    assert {(call.method, call.route) for call in CALLS} == {
        (method, template) for method, template in routes(templates=True)
    }


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("call", CALLS, ids=lambda call: call.name)
def test_a_token_passes_exactly_where_its_scope_allows(call: Call, scope: Scope) -> None:
    """The reported bug: reviewer and approver tokens of ``records:read`` approved a case."""
    status = attempt(call, [scope])
    if call.scope is ANY or scope == call.scope:
        assert status in (200, 201), f"{call.name} with {scope}: {status}"
    else:
        assert status == 403, f"{call.name} with {scope}: {status}"


# A role next to the call's own that may not make it: the DBA reads no record (001 art. 26).
WRONG_ROLE = {"operator": "querier", "reviewer": "approver", "sysadmin": "secadmin"}


@pytest.mark.parametrize(
    "call", [c for c in CALLS if c.scope is not ANY], ids=lambda call: call.name
)
def test_a_token_never_grants_more_than_its_users_roles(call: Call) -> None:
    wrong = "dba" if call.scope is Scope.RECORDS_READ else WRONG_ROLE.get(call.roles[0], "sysadmin")
    assert attempt(call, list(Scope), (wrong,)) == 403


def test_every_permission_names_the_scope_a_token_needs() -> None:
    missing = [name for name, (rule, _) in declared().items() if rule.scope is None]
    assert missing == []


@pytest.mark.parametrize("case_type", types.all_types(), ids=lambda t: t.name)
def test_each_case_action_needs_the_scope_of_the_act(case_type: types.CaseType) -> None:
    """Submitting, resubmitting and withdrawing need ``cases:submit``; acting on a later stage
    ``cases:decide``; reading ``records:read`` — for every case type, whoever its roles are."""
    rules = declared()
    assert rules[case_type.permission(Stage.INTAKE)][0].scope is Scope.CASES_SUBMIT
    for stage in case_type.stages[1:]:
        assert rules[case_type.permission(stage)][0].scope is Scope.CASES_DECIDE
    assert rules[case_type.permission("read")][0].scope is Scope.RECORDS_READ


def test_token_create_accepts_only_the_scopes_there_are(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = builders.account("admin", "sysadmin", otp=True)
    builders.account("robot", "querier")
    monkeypatch.setenv("QUANYI_LANG", "en")
    with pytest.raises(SystemExit) as usage:
        main(["token", "create", "--user", "robot", "--scope", "records:write", "--as", "admin"])
    assert usage.value.code == 2
    assert "invalid choice: 'records:write'" in capsys.readouterr().err
    with pytest.raises(InvalidInput) as refused:
        services.create_token(builders.principal(admin), "robot", "etl", ["write"], 1)
    assert "cases:decide" in refused.value.en and "records:read" in refused.value.en


def test_stored_records_write_becomes_cases_submit(monkeypatch: pytest.MonkeyPatch) -> None:
    builders.account("robot", "operator")
    monkeypatch.setattr(services, "TOKEN_SCOPES", frozenset({"records:read", "records:write"}))
    legacy, _ = services.create_token(ROOT, "robot", "old", ["records:read", "records:write"], 9)
    migration = importlib.import_module("quanyi.access.migrations.0003_token_scopes_by_case_action")
    with transaction.atomic():
        migration.forwards(apps, None)
    legacy.refresh_from_db()
    assert legacy.scopes == "cases:submit records:read"
    report = verify()  # the scopes are part of the credentials digest: the change is an event
    assert report.ok, report.problem
