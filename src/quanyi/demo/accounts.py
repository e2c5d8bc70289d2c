"""Demo accounts (DESIGN.md): one per staff role, a shared password, TOTP for the roles that
need it, and their logins written to ``$QUANYI_DATA_DIR/demo-accounts.json``."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import services as access
from quanyi.access.roles import SECOND_FACTOR
from quanyi.core import crypto, filemodes
from quanyi.core.errors import NotFound
from quanyi.core.principal import Principal
from quanyi.registry.models import Employer, Person

DEMO_ROLES = (
    "sysadmin",
    "secadmin",
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
    _write(path, known)
    return path, None if given else password


# The outside requesters the portals and disclosure tours use (001 art. 18-19).
EXTERNAL = {
    "court": "北京市东城区人民法院（演示）",
    "unit": "某商业保险公司（演示）",
}


def ensure_outside(principal: Principal) -> int:
    """An account for each demo employer (``employer-<uscc>``), each demo person (logging in
    with their id number) and the external requesters, all with the demo password and no
    second factor; returns how many were made. Their password is hashed once: argon2 for every
    one of thousands of persons would take minutes, and they are written in bulk."""
    path = accounts_path()
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    password = str(known.get("operator", {}).get("password", ""))
    if not password:
        return 0
    hashed = make_password(password)
    region = settings.QUANYI_REGION
    taken = set(User.objects.values_list("username", flat=True))
    new: list[access.NewAccount] = []

    def add(username: str, kind: str, role: str, **bound: object) -> None:
        if username not in taken:
            taken.add(username)
            new.append(
                access.NewAccount(
                    username=username,
                    password_hash=hashed,
                    roles=(role,),
                    kind=kind,
                    region=region,
                    **bound,  # type: ignore[arg-type]
                )
            )

    for pk, uscc, name in Employer.objects.order_by("pk").values_list("pk", "uscc", "name"):
        add(f"employer-{uscc}", "employer", "employer", employer_id=pk, organisation=name)
    for person in Person.objects.order_by("pk").only("pk", "id_number"):
        add(crypto.login_name(person.id_number), "person", "person", person_id=person.pk)
    for username, organisation in EXTERNAL.items():
        add(username, "external", "external", organisation=organisation)
        known[username] = {"password": password, "roles": ["external"]}
    made = access.create_outside_accounts(principal, new)
    known["employers"] = {"login": "employer-<uscc> or the credit code", "password": password}
    known["persons"] = {"login": "the person's id number", "password": password}
    _write(path, known)
    return made


def _write(path: Path, known: dict[str, object]) -> None:
    filemodes.private_dir(path.parent)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(known, handle, ensure_ascii=False, indent=1)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Code:
    """A one-time code and the window it is valid in (POSIX seconds)."""

    code: str
    valid_from: float
    valid_until: float


def next_code(username: str, now: float | None = None) -> Code:
    """The code a demo account's authenticator shows now, or — when this step's code was used
    already (codes are single-use) — the next step's, with the time it becomes valid (used
    before then, the device's one step of tolerance takes it). Never a later one, which the
    device would refuse until its time."""

    path = accounts_path()
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "totp_secret" not in known.get(username, {}):
        raise NotFound(
            f"{username} 不是带动态口令的演示账户", f"{username} is no demo account with TOTP"
        )
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if now is None else now
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t - totp.t() + 1)
    # The step's window as the device counts it (its t0 and drift).
    start = device.t0 + (totp.t() - device.drift) * device.step
    return Code(f"{totp.token():0{device.digits}d}", start, start + device.step)
