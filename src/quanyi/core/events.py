"""Domain events: a domain announces a fact it has just written, and the domains above it react
— without the lower domain importing them (DESIGN.md: layers one way down; a domain reacts to
another's facts through a domain event, not by importing it back).

Handlers run at once, in the publisher's transaction, in the order they subscribed: what they
write commits or rolls back with the fact (a payment and the account credit it causes are one
unit of work, so ``kill -9`` leaves both or neither). A handler's exception propagates to the
publisher and undoes the unit. A domain subscribes from its ``AppConfig.ready``.

A handler may answer: ``publish`` returns the answers, in order, for a fact that others add to
(the account's late interest on back-payment lines being priced). Events are named
``<app>.<fact>``; their payloads are the publisher's own small frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any], Any]

_HANDLERS: dict[str, list[Handler]] = {}


def subscribe(name: str, handler: Handler) -> None:
    """React to the events called ``name``. Subscribing the same function again changes
    nothing, so a ``ready`` that runs twice does not react twice."""
    handlers = _HANDLERS.setdefault(name, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    """Stop reacting (a test's temporary handler)."""
    handlers = _HANDLERS.get(name, [])
    if handler in handlers:
        handlers.remove(handler)


def publish(name: str, payload: Any) -> list[Any]:
    """Run every handler of ``name`` with ``payload``; return their answers in order."""
    return [handler(payload) for handler in list(_HANDLERS.get(name, ()))]


def subscribed(name: str) -> list[Handler]:
    """The handlers of ``name``, in the order they run."""
    return list(_HANDLERS.get(name, ()))
