"""``quanyi user add|grant|revoke``: staff accounts and their roles, proposed as ``access.grant``
cases (``staff/cases.py``) the security administrator approves."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from typing import Any

from quanyi.access import services
from quanyi.core.commands import command, group, print_json
from quanyi.staff import cases


def register(sub: Any) -> None:
    user_sub = group(sub, "user", "accounts and roles (sysadmin)")
    add = command(
        user_sub,
        "add",
        _add,
        atomic=True,
        writes=True,
        help="propose a staff account (an access.grant case the security administrator"
        " approves; printed); its password comes from QUANYI_NEW_PASSWORD or is generated",
    )
    add.add_argument("username")
    add.add_argument("--role", action="append", default=[], help="a role to grant (repeatable)")
    add.add_argument("--region", default="", help="agency region (default: yours)")
    add.add_argument(
        "--kind",
        default="staff",
        choices=["staff", "employer", "person", "external"],
        help="staff accounts are proposed as cases; the others are opened at once",
    )
    add.add_argument("--organisation", default="")
    for name, handler, text in (
        ("grant", _grant, "propose granting a role (an access.grant case; printed)"),
        ("revoke", _revoke, "propose revoking a role (an access.grant case; printed)"),
    ):
        parser = command(user_sub, name, handler, atomic=True, writes=True, help=text)
        parser.add_argument("username")
        parser.add_argument("role")


def _new_password() -> tuple[str, bool]:
    given = os.environ.get("QUANYI_NEW_PASSWORD")
    if given:
        return given, False
    return "Qy-" + secrets.token_urlsafe(12), True


def _add(args: argparse.Namespace) -> int:

    password, generated = _new_password()
    if args.kind != "staff":
        user = services.add_user(
            args.principal,
            services.NewAccount(
                username=args.username,
                password=password,
                roles=tuple(args.role),
                kind=args.kind,
                region=args.region,
                organisation=args.organisation,
            ),
        )
        shown: dict[str, Any] = {"username": user.username, "roles": sorted(args.role)}
    else:
        shown = _propose(
            args,
            services.Change.CREATE,
            args.role,
            region=args.region or args.principal.region,
            password=password,
        )
    if isinstance(shown, dict):
        shown["password"] = password if generated else None
        print(json.dumps(shown, ensure_ascii=False, indent=2))
        return 0
    if generated:
        print(f"password: {password}", file=sys.stderr)
    return _show(shown)


def _propose(args: argparse.Namespace, action: str, roles: list[str], **more: str) -> Any:

    change = {"action": action, "username": args.username, "roles": roles, **more}
    return cases.propose(args.principal, change)


def _grant(args: argparse.Namespace) -> int:
    return _show(_propose(args, "grant", [args.role]))


def _revoke(args: argparse.Namespace) -> int:
    return _show(_propose(args, "revoke", [args.role]))


def _show(shown: Any) -> int:
    """A proposed case, printed as every case is (the ``Case`` schema)."""
    print_json(shown, indent=2)
    return 0
