from __future__ import annotations

import pytest
from django.db import transaction

from quanyi.core.principal import Principal
from quanyi.rulebook import services as rulebook
from tests.access import builders as accounts
from tests.workflow.builders import Office


@pytest.fixture
def office(monkeypatch: pytest.MonkeyPatch) -> Office:
    """The rulebook seeded, staff for every stage, the CLI logging in with their password, in
    English."""
    with transaction.atomic():
        rulebook.seed(Principal.system("system:init"))
    monkeypatch.setenv("QUANYI_PASSWORD", accounts.PASSWORD)
    monkeypatch.setenv("QUANYI_LANG", "en")
    return Office()
