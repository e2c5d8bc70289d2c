"""The ``quanyi`` command: parses arguments and dispatches to each app's ``cli.py``.

Exit status: 0 success, 1 refused or failed (one line on stderr), 2 bad usage. Each app's
``register(subparsers)`` adds its commands; a command's handler gets the parsed arguments. The
dispatcher refuses to run on a data dir that is not initialised, owns the transaction of
commands marked ``atomic``, signs an audit checkpoint after every command marked ``writes``
(DESIGN.md, invariant 5), and only then writes what the handler printed: output never claims
what a rollback undid.

This is the one module whose imports of Django and of the apps sit inside its functions: it is
loaded before ``setup_django`` configures the settings and fills the app registry, and nothing
that touches a model may be imported before then. Each app's ``cli.py`` is imported after it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from quanyi.core.commands import fail
from quanyi.core.usage import Parser, english


def _parser() -> argparse.ArgumentParser:
    """``init`` and every installed app's subcommands (``Plugin.cli``)."""
    from quanyi import initialise
    from quanyi.core import plugins

    parser = Parser(
        prog="quanyi", description="社会保险个人权益记录 · social insurance personal rights records"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    initialise.register(sub)
    for _, plugin in plugins.installed():
        if plugin.cli:
            plugins.resolve(plugin.cli)(sub)
    return parser


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanyi.settings")
    import django
    from django.apps import apps
    from django.utils import translation

    if not apps.ready:  # set up once per process: a second setup would reconfigure logging
        django.setup()
    translation.activate("en" if english() else "zh-hans")


def main(argv: Sequence[str] | None = None) -> int:
    setup_django()
    from quanyi.core import logs

    with logs.command_line():
        return _dispatch(_parser().parse_args(argv))


def _dispatch(args: argparse.Namespace) -> int:
    # Events this command writes may be older than the signing grace when it ends (a long
    # batch); events older than its start may not.
    args.started = datetime.now(UTC)
    if callable(args.guarded):
        args.guarded = args.guarded(args)
    if callable(args.needs_init):
        args.needs_init = args.needs_init(args)
    from django.db import transaction

    from quanyi.audit import checkpoints
    from quanyi.core import kept
    from quanyi.core.errors import KeptFailure, QuanyiError

    lang = "en" if english() else "zh"
    prefix = "error" if lang == "en" else "错误"
    if args.needs_init:
        refusal = _uninitialised()
        if refusal is not None:
            return fail(f"{prefix}: {refusal.message(lang)}")
    if args.guarded:
        refusal = _guard(checkpoints, args)
        if refusal is not None:
            return fail(f"{prefix}: {refusal.message(lang)}")
    signed_ok = True
    if not args.guarded and not args.anonymous:
        args.head_before_login = _head_now()
    output = io.StringIO()
    kept.discard()
    try:
        if not args.anonymous:
            from quanyi.access import cli_login

            args.principal = cli_login.login(
                args.as_user, batch=args.batch, allow_expired=args.allow_expired
            )
            if args.permission:
                from quanyi.access.policy import authorize

                authorize(args.principal, args.permission)
            if args.guarded and args.atomic:
                # A run killed from here on leaves its login signed, not an unsigned event that
                # would stop every later command once the grace has passed (decision 0002).
                _sign_checkpoint(checkpoints, args, lang)
        with contextlib.nullcontext() if args.streams else contextlib.redirect_stdout(output):
            if args.atomic:
                with transaction.atomic():
                    status = args.handler(args)
            else:
                status = args.handler(args)
        if args.guarded:
            _run_periodic()
    except KeptFailure as failure:
        # The command's transaction has rolled back; the refusal or failure itself is kept.
        from quanyi.access.middleware import record_refusal

        record_refusal(args.principal, failure)
        return fail(f"{prefix}: {failure.message()}")
    except QuanyiError as error:
        return fail(f"{prefix}: {error.message()}")
    finally:
        kept.settle()
        if args.guarded:
            signed_ok = _sign_checkpoint(checkpoints, args, lang)
        elif not args.anonymous:
            _sign_if_sound(checkpoints, args)
    if not _write(output.getvalue()):
        return fail(
            f"{prefix}: "
            + (
                "done and committed, but its output could not be written (stdout closed)"
                if lang == "en"
                else "已办结并提交，但输出未能写出（标准输出已关闭）"
            )
        )
    return int(status or 0) if signed_ok else 1


def _uninitialised() -> Any:
    """The refusal to run on a data dir or database that ``quanyi init`` has not made."""
    from django.db import DatabaseError

    from quanyi import initialise
    from quanyi.core.errors import QuanyiError

    try:
        return None if initialise.initialised() else initialise.not_initialised()
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return QuanyiError(f"无法连接数据库：{reason}", f"cannot reach the database: {reason}")


def _write(text: str) -> bool:
    """Write a command's output after its work is committed: all of it, or — when stdout is
    closed — none, said on stderr (the work stays done)."""
    if not text:
        return True
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python would flush the same buffer again at exit and complain about it.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    return True


def _run_periodic() -> None:
    """The apps' periodic work (sealing the query log into the chain) after each command, so a
    command's own reads are sealed before its checkpoint is signed."""
    from django.db import transaction

    from quanyi.core import plugins

    for _, plugin in plugins.installed():
        for hook in plugin.periodic:
            with transaction.atomic():
                plugins.resolve(hook)()


def _head_now() -> tuple[int, str]:
    from django.db import DatabaseError

    from quanyi.audit import services

    try:
        return services.head()
    except DatabaseError:
        return 0, services.GENESIS


def _guard(checkpoints: Any, args: argparse.Namespace) -> Any:
    """Fail closed: nothing is written, not even the login, over a chain that no longer passes
    through its last signed head; the refusal is an alert the auditor sees."""
    refusal = checkpoints.guard(args.started)
    if refusal is not None:
        checkpoints.alert(
            refusal,
            source=f"cli {args.command_name}",
            actor=getattr(args, "as_user", "") or "",
            logged=False,
        )
    return refusal


def _sign_if_sound(checkpoints: Any, args: argparse.Namespace) -> None:
    """The auditor's tools run over a broken chain; they sign their own login only over a sound
    one, and quietly: a verify that has just named an unsigned event must not be the one that
    signs it, nor add an alert each time the auditor looks."""
    from django.db import DatabaseError

    try:
        if checkpoints.guard(args.started) is None:
            checkpoints.write(source=f"cli {args.command_name}", started=args.started, logged=False)
    except (checkpoints.ChainBroken, DatabaseError):
        pass


def _sign_checkpoint(checkpoints: Any, args: argparse.Namespace, lang: str) -> bool:
    from django.db import DatabaseError

    try:
        # No chain yet (e.g. init failed before migrating): nothing to sign.
        with contextlib.suppress(DatabaseError):
            checkpoints.write(source=f"cli {args.command_name}", started=args.started, logged=False)
    except checkpoints.ChainBroken as broken:
        print(
            ("checkpoint refused: " if lang == "en" else "拒绝签署检查点：")
            + broken.refusal.message(lang),
            file=sys.stderr,
        )
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
