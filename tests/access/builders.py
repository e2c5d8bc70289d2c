"""Accounts for tests, made through the same service the product uses."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import services
from quanyi.access.services import principal_for
from quanyi.core.principal import Principal
from quanyi.workflow import services as workflow
from quanyi.workflow.models import Case

PASSWORD = "Quanyi-test-2026!"
SYSTEM = Principal(actor="system:test", source="cli", region="110000")


def account(
    username: str, *roles: str, region: str = "110000", otp: bool = False, password: str = PASSWORD
) -> User:
    user = services.create_account(
        SYSTEM,
        services.NewAccount(username=username, password=password, roles=roles, region=region),
    )
    if otp:
        services.create_second_factor(SYSTEM, user)
    return user


def principal(user: User) -> Principal:
    return principal_for(user, "cli")


def code(user: User) -> str:
    """A TOTP code the device will accept now. The device refuses a code it has seen (no
    replay): instead of waiting out the step, the test forgets which step it saw last — as if
    that much time had passed (``last_t`` is the device's memory, outside the audited state)."""
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t() - device.tolerance:
        device.last_t = totp.t() - device.tolerance - 1
        device.save(update_fields=["last_t"])
    return f"{totp.token():0{device.digits}d}"


def web_login(client: Client, user: User) -> None:
    otp = code(user) if user.totpdevice_set.exists() else ""
    answer = client.post("/login", {"username": user.username, "password": PASSWORD, "otp": otp})
    assert answer.status_code == 302, answer.content.decode()


def propose(sysadmin: Principal, **change: Any) -> Case:
    """An ``access.grant`` case, as the sysadmin submits it (its intake)."""
    with transaction.atomic():
        return workflow.submit(sysadmin, "access.grant", change)


def decide(
    principal: Principal, case: Case, decision: str = "approve", opinion: str = "同意"
) -> Case:
    with transaction.atomic():
        return workflow.act(principal, case.pk, decision, opinion)
