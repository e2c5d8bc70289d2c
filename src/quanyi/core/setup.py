"""``quanyi init``: migrate, reference data, keys — safe to run again on every start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from quanyi.audit import checkpoints
from quanyi.audit import services as audit
from quanyi.core.principal import Principal


@dataclass(frozen=True)
class InitOutcome:
    database: str
    data_dir: Path
    created_keys: bool
    parameters: int = 0


def initialise() -> InitOutcome:
    data_dir = Path(settings.QUANYI_DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    created = checkpoints.ensure_keys()
    with transaction.atomic():
        if audit.head()[0] == 0:
            audit.record(Principal.system("system:init"), "system.init", "system", "")
        from quanyi.rulebook import services as rulebook

        parameters = rulebook.seed(Principal.system("system:init"))
    return InitOutcome(connection.vendor, data_dir, created, parameters)


def create_admin(username: str, password: str) -> tuple[str, str]:
    """The first sysadmin, with a TOTP second factor; refused once a sysadmin exists.

    Returns the base32 secret and the otpauth URI to show once.
    """
    from quanyi.access import services as access
    from quanyi.access.models import RoleGrant
    from quanyi.core.errors import QuanyiError

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
