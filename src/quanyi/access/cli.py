"""``quanyi user …``, ``quanyi token …``, ``quanyi security check``."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import secrets
import sys
from typing import Any

from quanyi.access import cases, cli_login, queries, services
from quanyi.access.roles import Role
from quanyi.access.schemas import AccountRow, DutyViolation, NewToken, SecondFactor
from quanyi.core import filemodes
from quanyi.core.bounds import argument
from quanyi.core.commands import command, fail, print_json
from quanyi.core.errors import current_language
from quanyi.core.permissions import Scope

MAX_TOKEN_DAYS = 3650  # ten years: a token is renewed long before


def register(sub: Any) -> None:
    user = sub.add_parser("user", help="accounts and roles (sysadmin)")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
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
    for name, handler, text in (
        ("disable", _disable, "disable an account and end its sessions"),
        ("enable", _enable, "enable an account again"),
        ("unlock", _unlock, "lift a lockout after failed logins"),
        ("otp", _otp, "set up a new TOTP second factor and print it"),
    ):
        parser = command(user_sub, name, handler, atomic=True, writes=True, help=text)
        parser.add_argument("username")
    command(user_sub, "list", _list, help="list accounts as JSON")
    command(
        user_sub,
        "passwd",
        _passwd,
        atomic=True,
        writes=True,
        allow_expired=True,
        help="change your own password: the current one is the login's (QUANYI_PASSWORD or a"
        " prompt), the new one from QUANYI_NEW_PASSWORD or a prompt",
    )

    token = sub.add_parser("token", help="API tokens (sysadmin)")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    create = command(
        token_sub,
        "create",
        _token_create,
        atomic=True,
        writes=True,
        help="create a token for a user; printed once",
    )
    create.add_argument("--user", required=True)
    create.add_argument("--name", default="api")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        required=True,
        choices=[str(scope) for scope in Scope],
        help="what the token may be used for, on top of the user's roles (repeatable)",
    )
    create.add_argument("--days", type=argument(1, MAX_TOKEN_DAYS), default=90)
    revoke = command(
        token_sub,
        "revoke",
        _token_revoke,
        atomic=True,
        writes=True,
        help="revoke a token by its prefix",
    )
    revoke.add_argument("prefix")

    security = sub.add_parser("security", help="security checks")
    security_sub = security.add_subparsers(
        dest="security_command", required=True, metavar="COMMAND"
    )
    check = command(
        security_sub,
        "check",
        _security_check,
        help="report every separation-of-duties violation and every data file others may read"
        " (exit 1 if any)",
    )
    check.add_argument("--json", action="store_true", help="print the violations as JSON")


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


def _disable(args: argparse.Namespace) -> int:

    services.set_disabled(args.principal, args.username, True)
    print(f"disabled {args.username}; its sessions and tokens ended")
    return 0


def _enable(args: argparse.Namespace) -> int:

    services.set_disabled(args.principal, args.username, False)
    print(f"enabled {args.username}")
    return 0


def _unlock(args: argparse.Namespace) -> int:

    services.unlock(args.principal, args.username)
    print(f"unlocked {args.username}")
    return 0


def _otp(args: argparse.Namespace) -> int:

    device = services.setup_second_factor(args.principal, args.username)
    print_json(
        SecondFactor(
            username=args.username, secret=services.otp_secret(device), uri=device.config_url
        )
    )
    return 0


def _list(args: argparse.Namespace) -> int:

    rows = queries.users(args.principal)
    print_json([AccountRow.model_validate(row, from_attributes=True) for row in rows], indent=1)
    return 0


def _passwd(args: argparse.Namespace) -> int:

    new = os.environ.get("QUANYI_NEW_PASSWORD")
    if new is None and sys.stdin.isatty():
        new = getpass.getpass("新密码 (new password): ")
    if not new:
        return fail("QUANYI_NEW_PASSWORD is not set")
    # The current password is the one this command has just logged in with (a wrong one was a
    # failed login, counted and kept); the service checks it again as every surface's does.
    current = cli_login.login_password(args.as_user)
    services.change_password(args.principal, current, new, cli_login.cli_request())
    print("password changed")
    return 0


def _token_create(args: argparse.Namespace) -> int:

    token, secret = services.create_token(
        args.principal, args.user, args.name, args.scope, args.days
    )
    print_json(
        NewToken.model_validate(
            {
                "prefix": token.prefix,
                "token": secret,
                "expires_at": token.expires_at,
                "scopes": token.scopes.split(),
            }
        )
    )
    return 0


def _token_revoke(args: argparse.Namespace) -> int:

    services.revoke_token(args.principal, args.prefix)
    print(f"revoked token {args.prefix}")
    return 0


def _security_check(args: argparse.Namespace) -> int:

    found = queries.duty_violations(args.principal)
    loose = filemodes.loose()  # data dir 700, database and key files 600 (DESIGN.md inv. 9)
    if args.json:
        print_json(
            [
                DutyViolation(
                    username=username,
                    rule=violation.rule.code,
                    held=Role(violation.held),
                    conflicting=Role(violation.conflicting),
                    rule_zh=violation.rule.zh,
                    rule_en=violation.rule.en,
                )
                for username, violation in found
            ],
            indent=1,
        )
        for problem in loose:
            print(problem.message(current_language()), file=sys.stderr)
        return 1 if found or loose else 0
    lang = current_language()
    if not found and not loose:
        print(
            "security check: OK — no separation-of-duties violation, files readable by the"
            " service account only"
            if lang == "en"
            else "安全检查：通过，未发现违反职责分离的授权，数据文件仅服务账户可访问"
        )
        return 0
    for username, violation in found:
        print(f"{username}: {violation.message(lang)}", file=sys.stderr)
    for problem in loose:
        print(problem.message(lang), file=sys.stderr)
    return 1
