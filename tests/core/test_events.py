"""The domain-event dispatcher (DESIGN.md: a domain reacts to another's facts through a domain
event, not by importing it back). No database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from quanyi.contributions import events as contributions
from quanyi.core import events
from quanyi.personal_accounts import flows

NAME = "tests.something_happened"


@pytest.fixture
def heard() -> Iterator[list[tuple[str, Any]]]:
    found: list[tuple[str, Any]] = []

    def first(payload: Any) -> int:
        found.append(("first", payload))
        return 1

    def second(payload: Any) -> int:
        found.append(("second", payload))
        return 2

    events.subscribe(NAME, first)
    events.subscribe(NAME, second)
    events.subscribe(NAME, first)  # a ready() run twice reacts once
    yield found
    events.unsubscribe(NAME, first)
    events.unsubscribe(NAME, second)


def test_handlers_run_in_order_once_each_and_answer(heard: list[tuple[str, Any]]) -> None:
    assert events.publish(NAME, {"n": 7}) == [1, 2]
    assert heard == [("first", {"n": 7}), ("second", {"n": 7})]


def test_an_event_no_one_hears_is_no_error() -> None:
    assert events.publish("tests.nobody_listens", object()) == []


def test_a_handlers_failure_reaches_the_publisher(heard: list[tuple[str, Any]]) -> None:
    """The publisher's unit of work must not commit a fact whose reaction failed."""

    def broken(payload: Any) -> None:
        raise RuntimeError("the reaction failed")

    events.subscribe(NAME, broken)
    try:
        with pytest.raises(RuntimeError, match="the reaction failed"):
            events.publish(NAME, None)
    finally:
        events.unsubscribe(NAME, broken)
    assert [who for who, _ in heard] == ["first", "second"]


def test_the_account_reacts_to_contributions_facts() -> None:
    """Subscribed at start-up by personal_accounts (above contributions), so a payment credits
    the account although contributions never imports it."""
    assert events.subscribed(contributions.BILLS_PAID) == [flows.credit_paid_bills]
    assert events.subscribed(contributions.HISTORY_LOADED) == [flows.replay_history]
    assert events.subscribed(contributions.BACKPAY_PRICED) == [flows.price_backpay]
