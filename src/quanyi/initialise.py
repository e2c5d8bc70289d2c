"""``quanyi init``: migrate, reference data, keys — safe to run again on every start. Each app
adds its own reference data through its ``Plugin.init``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from quanyi import config
from quanyi.access import services as access
from quanyi.access.models import RoleGrant
from quanyi.audit import checkpoints
from quanyi.audit import services as audit
from quanyi.core import crypto, filemodes, keys, plugins
from quanyi.core.commands import command
from quanyi.core.errors import QuanyiError
from quanyi.core.principal import Principal


@dataclass(frozen=True)
class InitOutcome:
    database: str
    data_dir: Path
    created_keys: bool
    parameters: int = 0
    created_master: bool = False


def initialise() -> InitOutcome:
    data_dir = Path(settings.QUANYI_DATA_DIR)
    filemodes.private_dir(data_dir)
    # This process started before the key existed; sign with the kept one from here on.
    settings.SECRET_KEY = config.ensure_secret_key(data_dir)
    if (database := _sqlite_file()) is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    if settings.STATIC_ROOT:
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # Before migrating: the migrations create the data keys it wraps (and seal existing rows).
    created_master = keys.ensure_master_key()
    sealing_existing_rows = _seals_existing_rows()
    call_command("migrate", interactive=False, verbosity=0)
    if sealing_existing_rows:
        _vacuum(SEALED_TABLES)
    crypto.keyring()  # a key file that does not open the data keys is refused here, clearly
    created = checkpoints.ensure_keys()
    filemodes.tighten()
    with transaction.atomic():
        if audit.head()[0] == 0:
            audit.record(Principal.system("system:init"), "system.init", "system", "")
        parameters = 0
        for _, plugin in plugins.installed():
            if plugin.init:
                parameters += plugins.resolve(plugin.init)(Principal.system("system:init")) or 0
    return InitOutcome(connection.vendor, data_dir, created, parameters, created_master)


# The migration that seals identities stored in clear, and the tables whose old row versions
# still hold them afterwards.
SEALING = ("registry", "0004_identities_sealed")
SEALED_TABLES = ("registry_person", "workflow_case")


def _seals_existing_rows() -> bool:
    """Whether this migrate will seal rows written in clear (an upgrade, not a new database)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return (
        any((migration.app_label, migration.name) == SEALING for migration, _ in plan)
        and "registry_person" in connection.introspection.table_names()
    )


def _vacuum(tables: tuple[str, ...]) -> None:
    """Rewrite the database so no freed page (SQLite) or dead row version (PostgreSQL) keeps a
    value that was sealed in place (DESIGN.md invariant 9)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM FULL {', '.join(tables)}")
        else:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def initialised() -> bool:
    """Whether ``quanyi init`` has made this database (its tables exist). Asking creates
    nothing: an SQLite file that is not there is not opened, since opening would create it.
    A database that cannot be reached is an error of its own, not an uninitialised one."""
    database = _sqlite_file()
    if database is not None and not database.is_file():
        return False
    return "audit_auditevent" in connection.introspection.table_names()


def _sqlite_file() -> Path | None:
    """The SQLite database's file; None for an in-memory one or another database."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    return None if name == ":memory:" or "mode=memory" in name else Path(name)


def not_initialised() -> QuanyiError:
    return QuanyiError(
        "尚未初始化：请先运行 `quanyi init`",
        "not initialised: run `quanyi init` first",
        "not_initialised",
    )


def create_admin(username: str, password: str) -> tuple[str, str]:
    """The first sysadmin, with a TOTP second factor; refused once a sysadmin exists.

    Returns the base32 secret and the otpauth URI to show once.
    """
    with transaction.atomic():
        if RoleGrant.objects.filter(role="sysadmin", revoked_at__isnull=True).exists():
            raise QuanyiError(
                "已有系统管理员；请由其添加账户",
                "a sysadmin exists already; ask them",
                "admin_exists",
            )
        actor = Principal.system("system:init")
        user = access.create_account(
            actor,
            access.NewAccount(
                username=username,
                password=password,
                roles=("sysadmin",),
                region=settings.QUANYI_REGION,
            ),
        )
        device = access.create_second_factor(actor, user)
        return access.otp_secret(device), device.config_url


def register(sub: Any) -> None:
    init = command(
        sub,
        "init",
        _init,
        writes=True,
        anonymous=True,
        needs_init=False,
        help="create or upgrade the database, load reference data, create keys",
    )
    init.add_argument(
        "--admin",
        metavar="NAME",
        help="create the first sysadmin (password from QUANYI_PASSWORD or a prompt)",
    )


def _init(args: argparse.Namespace) -> int:
    outcome = initialise()
    print(
        f"quanyi init: database ready ({outcome.database}), data dir {outcome.data_dir}"
        + (", signing key created" if outcome.created_keys else "")
        + (", master key created: back it up apart from the database" * outcome.created_master)
        + (f", {outcome.parameters} parameters loaded" if outcome.parameters else "")
    )
    if args.admin:
        password = os.environ.get("QUANYI_PASSWORD")
        if password is None and sys.stdin.isatty():
            password = getpass.getpass(f"{args.admin} 的密码 (password): ")
        if not password:
            print("quanyi init --admin: set QUANYI_PASSWORD or run on a terminal", file=sys.stderr)
            return 2
        secret, uri = create_admin(args.admin, password)
        print(
            f"sysadmin {args.admin} created. Add this second factor to an authenticator app"
            f" now; it is not shown again.\n  secret: {secret}\n  uri:    {uri}"
        )
    return 0
