from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quanyi.core.principal import Principal
from tests.conftest import applying_as
from tests.enrollment import builders
from tests.workflow.builders import Office


@pytest.fixture
def office(db: None) -> Office:
    return Office()


@pytest.fixture
def clerk(office: Office) -> Principal:
    return office.clerk


@pytest.fixture
def built(office: Office, tmp_path: Path) -> Iterator[builders.Population]:
    """The generated population registered here, its file imported through an approved case."""
    from django.db import transaction

    with transaction.atomic():
        for applier in applying_as("approver-a", "110000"):
            made = builders.population(applier, tmp_path)
    builders.import_file(office, made.file)
    yield made
