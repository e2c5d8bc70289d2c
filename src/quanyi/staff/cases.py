"""``access.grant``: staff accounts and role grants as cases (DESIGN.md invariant 4; 001 art.
26; GB/T 22239-2019 three administrators). The sysadmin proposes (intake), the security
administrator approves, and the approval applies the change; nobody acts on their own account,
and one person never takes both stages (the workflow's four eyes).

A case type, like ``registry/cases.py``, over the access services; it lives in ``staff``, above
both ``access`` and the workflow, so that neither imports the other upwards.

Payload: ``action`` (create | grant | revoke), ``username``, ``roles``; to create, also
``region`` (default: the proposer's) and ``password`` — kept only as its argon2 hash
(``password_hash``), never in clear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quanyi.access import services
from quanyi.access.permissions import AccessPermission
from quanyi.access.services import AccountChange, Change
from quanyi.core.errors import InvalidInput
from quanyi.core.principal import Principal
from quanyi.core.schemas import Payload
from quanyi.workflow import queries, types
from quanyi.workflow import services as workflow
from quanyi.workflow.schemas import Case
from quanyi.workflow.stages import Stage

TYPE = "access.grant"
FIELDS = ("action", "username", "roles", "region", "password", "password_hash")


def _change(principal: Principal, payload: Mapping[str, Any]) -> AccountChange:
    unknown = sorted(set(payload) - set(FIELDS))
    if unknown:
        raise InvalidInput(
            [
                error
                for name in unknown
                for error in InvalidInput.one(
                    name, "unknown_field", "未知字段", "unknown field"
                ).errors
            ]
        )
    try:
        action = Change(str(payload.get("action", "")))
    except ValueError:
        raise InvalidInput.one(
            "action",
            "bad_action",
            "action 须为 create、grant 或 revoke",
            "the action is create, grant or revoke",
        ) from None
    roles = payload.get("roles")
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InvalidInput.one(
            "roles", "not_list", "roles 须为角色列表", "roles is a list of roles"
        )
    username = str(payload.get("username") or "")
    password_hash = str(payload.get("password_hash") or "")
    if action is Change.CREATE and payload.get("password"):
        password_hash = services.initial_password_hash(username, str(payload["password"]))
    return AccountChange(
        action,
        username,
        tuple(dict.fromkeys(roles)),
        str(payload.get("region") or principal.region) if action is Change.CREATE else "",
        password_hash if action is Change.CREATE else "",
    )


def _check(principal: Principal, payload: Mapping[str, Any]) -> dict[str, Any]:
    change = _change(principal, payload)
    services.check_account_change(principal, change)
    return change.as_payload()


def _diff(principal: Principal, payload: Mapping[str, Any]) -> list[types.Change]:
    change = _change(principal, payload)
    user = services.check_account_change(principal, change)
    before = sorted(services.live_roles(user.pk)) if user is not None else None
    after = set(before or ())
    if change.action is Change.REVOKE:
        after -= set(change.roles)
    else:
        after |= set(change.roles)
    label = f"account {change.username}"
    diff = [types.Change(label, "roles", before, sorted(after))]
    if user is None:
        diff.append(types.Change(label, "region", None, change.region))
    return diff


def _apply(principal: Principal, payload: Mapping[str, Any]) -> str:
    return services.apply_account_change(principal, _change(principal, payload))


class GrantPayload(Payload):
    """What an ``access.grant`` case keeps: never a password, only its hash."""

    action: str
    username: str
    roles: list[str]
    region: str = ""
    password_hash: str = ""


@types.register
class AccessGrant(types.CaseType[GrantPayload]):
    name = TYPE
    zh = "工作人员账户及角色授权"
    en = "staff account and role grant"
    stages = (Stage.INTAKE, Stage.APPROVAL)
    payload = GrantPayload
    fields = types.fields(
        ("action", "办理事项（create/grant/revoke）", "action", True),
        ("username", "用户名", "user name", True),
        ("roles", "角色", "roles", True),
        ("region", "经办统筹区", "agency region", False),
    )
    permissions = {
        Stage.INTAKE: AccessPermission.ACCOUNT_PROPOSE,
        Stage.APPROVAL: AccessPermission.ACCOUNT_APPROVE,
        "read": AccessPermission.ACCOUNT_CASE_READ,
    }

    def check(self, principal: Principal, data: Mapping[str, Any]) -> GrantPayload:
        return self.parse(_check(principal, data))

    def changes(self, principal: Principal, payload: GrantPayload) -> list[types.Change]:
        return _diff(principal, self.dump(payload))

    def apply(self, principal: Principal, payload: GrantPayload) -> str:
        return _apply(principal, self.dump(payload))


def propose(principal: Principal, change: Mapping[str, Any]) -> Case:
    """Submit an ``access.grant`` case (the sysadmin's intake); returns the case as printed."""
    case = workflow.submit(principal, TYPE, dict(change))
    return queries.as_schema(principal, case)
