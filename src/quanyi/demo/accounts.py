"""Demo accounts (DESIGN.md): one per staff role, a shared password, TOTP for the roles that
need it, and their logins written to ``$QUANYI_DATA_DIR/demo-accounts.json``."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from quanyi.access import services as access
from quanyi.access.roles import SECOND_FACTOR
from quanyi.core.principal import Principal

DEMO_ROLES = (
    "sysadmin",
    "dba",
    "auditor",
    "operator",
    "checker",
    "reviewer",
    "rechecker",
    "approver",
    "querier",
)
ACCOUNTS_FILE = "demo-accounts.json"


def accounts_path() -> Path:
    return Path(settings.QUANYI_DATA_DIR) / ACCOUNTS_FILE


def ensure(principal: Principal) -> tuple[Path, str | None]:
    """Create the missing demo accounts; return the file and the password if it was generated."""
    given = os.environ.get("QUANYI_DEMO_PASSWORD")
    password = given or "Demo-" + secrets.token_urlsafe(10)
    path = accounts_path()
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for role in DEMO_ROLES:
        if User.objects.filter(username=role).exists():
            continue
        user = access.create_account(
            principal,
            access.NewAccount(
                username=role, password=password, roles=(role,), region=settings.QUANYI_REGION
            ),
        )
        entry: dict[str, str | list[str]] = {"password": password, "roles": [role]}
        if role in SECOND_FACTOR:
            device = access.create_second_factor(principal, user)
            entry["totp_secret"] = access.otp_secret(device)
            entry["totp_uri"] = device.config_url
        known[role] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(known, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)
    return path, None if given else password
