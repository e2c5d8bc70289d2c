"""The second factor a person may turn on (DESIGN.md portals): started, confirmed only by its
first code, and from then on asked at every login; before confirmation nothing changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from quanyi.access import services as access
from quanyi.access.services import principal_for
from tests.access.builders import PASSWORD
from tests.benefits.builders import verified
from tests.disclosure import builders
from tests.workflow.builders import Office

pytestmark = pytest.mark.django_db


def current(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def login(number: str, otp: str = "") -> int:
    return (
        Client().post("/login", {"username": number, "password": PASSWORD, "otp": otp}).status_code
    )


def test_a_person_turns_on_a_second_factor(office: Office, tmp_path: Path) -> None:
    career = builders.career(office, tmp_path / "legacy")
    user = builders.outside(career.id_number, "person", "person", person_id=career.person.pk)
    principal = principal_for(user, "web")
    assert login(career.id_number) == 302
    with transaction.atomic():
        device = access.start_second_factor(principal, user)
    assert login(career.id_number) == 302  # not confirmed: not asked yet
    wrong = "000000" if current(device) != "000000" else "111111"
    with transaction.atomic():
        assert not access.confirm_second_factor(principal, user, wrong)
    # A wrong code throttles the device for a while (django-otp): let that while pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )
    assert not access.wants_second_factor(user.pk)
    with transaction.atomic():
        assert access.confirm_second_factor(principal, user, current(device))
    assert access.wants_second_factor(user.pk)
    assert login(career.id_number) == 401
    device.refresh_from_db()
    device.last_t = -1  # the code used to confirm may be reused here: forget it, as time would
    device.save(update_fields=["last_t"])
    assert login(career.id_number, current(device)) == 302
    verified()  # the second factor's state is tracked: what changed is under verify


def test_the_portal_screen_shows_a_qr_code_and_refuses_a_wrong_code(
    office: Office, tmp_path: Path
) -> None:
    career = builders.career(office, tmp_path / "legacy")
    builders.outside(career.id_number, "person", "person", person_id=career.person.pk)
    client = Client()
    assert (
        client.post(
            "/login", {"username": career.id_number, "password": PASSWORD, "otp": ""}
        ).status_code
        == 302
    )
    page = client.post("/me/otp", {"action": "start"})
    assert page.status_code == 200 and b"<svg" in page.content
    refused = client.post("/me/otp", {"action": "confirm", "code": "abc"})
    assert refused.status_code == 400
    assert not access.wants_second_factor(TOTPDevice.objects.get().user_id)
