"""``quanyi demo --otp USER`` answers at once: the code an authenticator shows now, or, when that
one was used (codes are single-use), the next step's with the time it becomes valid — never a
silent wait of up to 30 seconds."""

from __future__ import annotations

import json
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import credentials
from quanyi.demo import accounts
from tests.access import builders

pytestmark = pytest.mark.django_db

NOW = 1_800_000_012.0  # 12 seconds into a 30-second step


@pytest.fixture
def device() -> TOTPDevice:
    """A demo account with a second factor, as ``demo-accounts.json`` lists it."""
    found = TOTPDevice.objects.get(user=builders.account("auditor", "auditor", otp=True))
    path = accounts.accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"auditor": {"totp_secret": "listed"}}), encoding="utf-8")
    return found


def _token_at(device: TOTPDevice, moment: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = moment
    return f"{totp.token():06d}"


def test_an_unused_step_gives_its_own_code_valid_to_the_steps_end(device: TOTPDevice) -> None:
    found = accounts.next_code("auditor", now=NOW)
    assert found.code == _token_at(device, NOW)
    assert (found.valid_from, found.valid_until) == (NOW - 12, NOW + 18)


def test_a_used_step_gives_the_next_code_and_when_it_becomes_valid(device: TOTPDevice) -> None:
    device.last_t = int(NOW) // 30  # this step's code has logged in
    device.save(update_fields=["last_t"])
    found = accounts.next_code("auditor", now=NOW)
    assert found.code == _token_at(device, NOW + 30)
    assert (found.valid_from, found.valid_until) == (NOW + 18, NOW + 48)


def test_the_next_code_taken_at_once_leaves_the_device_clock_alone(device: TOTPDevice) -> None:
    """Used before its window (the device's one step of tolerance takes it), the code does not
    teach the device a clock ahead of the app's; its last used step is not in the future."""
    if (left := 30 - time.time() % 30) < 3:  # not across the turn of a step
        time.sleep(left + 0.1)
    device.last_t = int(time.time()) // 30
    device.save(update_fields=["last_t"])
    found = accounts.next_code("auditor")
    assert found.valid_from > time.time()
    assert device.verify_token(found.code)
    device.refresh_from_db()
    assert device.drift == 0
    assert list(credentials._future_steps()) == []
