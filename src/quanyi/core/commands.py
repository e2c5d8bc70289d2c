"""How an app declares its ``quanyi`` subcommands (the dispatcher in ``quanyi.cli`` runs them):
``command(sub, name, handler, ...)`` adds one; ``fail`` prints a refusal on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ninja import Schema

Handler = Callable[[argparse.Namespace], int | None]


def command(
    sub: Any,
    name: str,
    handler: Handler,
    *,
    help: str,
    atomic: bool = False,
    writes: bool = False,
    anonymous: bool = False,
    batch: bool = False,
    allow_expired: bool = False,
    guarded: bool | Callable[[argparse.Namespace], bool] | None = None,
    permission: str | None = None,
    needs_init: bool | Callable[[argparse.Namespace], bool] = True,
    streams: bool = False,
) -> argparse.ArgumentParser:
    """Add a subcommand. ``atomic`` wraps it in one transaction; ``writes`` signs a checkpoint
    afterwards; unless ``anonymous`` it acts as the user named by ``--as`` (audited with source
    ``cli``, or ``batch`` for batch jobs); ``allow_expired`` lets an expired password in.
    ``guarded`` (the default for every command that writes or logs in) refuses to run when the
    audit chain no longer passes through its last signed head; only the auditor's tools that
    look at a broken chain opt out. It may be a predicate of the parsed arguments.
    ``permission``, if given, is checked by the dispatcher right after login. ``needs_init``
    (a flag or a predicate of the parsed arguments) refuses to run on a data dir that ``quanyi
    init`` has not made. What a handler prints on stdout is written once its work is committed
    and its checkpoint signed, and not at all if it fails; only a command that ``streams`` (the
    server) writes as it goes."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help)
    if not anonymous:
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USER",
            required=True,
            help="act as this user (password from QUANYI_PASSWORD, one-time code from"
            " QUANYI_OTP, or prompts)",
        )
    parser.set_defaults(
        handler=handler,
        atomic=atomic,
        writes=writes,
        anonymous=anonymous,
        batch=batch,
        allow_expired=allow_expired,
        guarded=(writes or not anonymous) if guarded is None else guarded,
        command_name=parser.prog.removeprefix("quanyi "),
        principal=None,
        permission=permission,
        needs_init=needs_init,
        streams=streams,
    )
    return parser


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def print_json(value: Schema | list[Any], *, indent: int | None = None) -> None:
    """Output meant for programs (DESIGN.md, CLI): the schema's JSON on stdout, so the CLI
    prints what the API answers."""
    # Apps' cli modules import this one while the CLI starts; ninja is loaded only to print.
    from quanyi.core.schemas import dump

    print(json.dumps(dump(value), ensure_ascii=False, indent=indent))


def group(sub: Any, name: str, help: str) -> Any:
    """The subcommands of ``quanyi NAME`` (e.g. ``record``), created by the first app that asks
    and shared with the others, so each app adds its own (``record show`` from records,
    ``record explain`` from personal_accounts)."""
    groups: dict[str, Any] = sub.__dict__.setdefault("_quanyi_groups", {})
    if name not in groups:
        parser = sub.add_parser(name, help=help, description=help)
        groups[name] = parser.add_subparsers(
            dest=f"{name}_command", required=True, metavar="COMMAND"
        )
    return groups[name]
