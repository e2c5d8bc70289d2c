"""``quanyi user disable|enable|unlock|otp|list|passwd``, ``quanyi token …``, ``quanyi security
check``; proposing accounts and grants (``user add|grant|revoke``) is ``staff/cli.py``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from quanyi.access import cli_login, queries, services
from quanyi.access.roles import Role
from quanyi.access.schemas import AccountRow, DutyViolation, NewToken, SecondFactor
from quanyi.core import filemodes
from quanyi.core.bounds import argument
from quanyi.core.commands import command, fail, group, print_json
from quanyi.core.errors import current_language
from quanyi.core.permissions import Scope

MAX_TOKEN_DAYS = 3650  # ten years: a token is renewed long before


def register(sub: Any) -> None:
    user_sub = group(sub, "user", "accounts and roles (sysadmin)")
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
