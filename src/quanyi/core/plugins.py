"""A domain is a folder: each app declares what it adds to the whole — API router, CLI
subcommands, web URLs and screens, permissions, record parts, start-up and periodic hooks — as
one ``Plugin`` on its ``AppConfig``; the shared entry points only collect them.

References are dotted strings (``"quanyi.registry.api:router"``) resolved when a collector
needs them, so declaring a part imports nothing and no app has to import a collector's layer.
Adding a domain is adding its folder and one ``INSTALLED_APPS`` line.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Screen:
    """A navigation entry: shown to users the permission allows (the screen still authorizes;
    a hidden link is not a control)."""

    name: str
    url_name: str
    permission: str
    zh: str
    en: str
    order: int = 50


@dataclass(frozen=True)
class RecordPart:
    """A part of the person record (DESIGN.md ``record show``): the JSON keys (``items``) it
    fills, the permission that lets a principal see it, and ``load`` — a dotted callable
    ``(person_id: int, items: frozenset[str]) -> dict[str, Any]`` returning those keys."""

    name: str
    items: tuple[str, ...]
    permission: str
    load: str
    order: int = 50
    # Optional: ``(person_ids, items) -> {person_id: part}`` for many persons at once, the same
    # result as ``load`` for each (a statutory batch reads thousands of records).
    load_many: str | None = None


@dataclass(frozen=True)
class Explanation:
    """An option of ``quanyi record explain ID_NUMBER``: how one kind of figure of the record
    was computed (001 art. 6 ¶4). ``load`` is a dotted callable ``(principal, id_number,
    value) -> Schema``; ``year`` options take a year, the others are flags."""

    option: str
    help: str
    load: str
    year: bool = False


@dataclass(frozen=True)
class Plugin:
    router: str | None = None  # a ninja Router, mounted under /api/v1/
    cli: str | None = None  # register(subparsers): adds the app's subcommands
    urls: str | None = None  # a module with ``urlpatterns``, included at the site root
    screens: tuple[Screen, ...] = ()
    permissions: str | None = None  # a mapping permission name -> Rule (access.policy)
    labels: str | None = None  # a mapping code set -> {code: (zh, en)} (core.labels)
    record_parts: tuple[RecordPart, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    # Called by ``quanyi init`` inside its transaction with the system principal; returns a
    # count worth reporting (e.g. parameters seeded) or None.
    init: str | None = None
    # Called after every CLI command and once a minute by the server, each in its own
    # transaction (e.g. sealing the query log into the audit chain).
    periodic: tuple[str, ...] = field(default_factory=tuple)


def resolve(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attribute) if attribute else found


def installed() -> Iterator[tuple[str, Plugin]]:
    """``(app label, plugin)`` for every installed app that declares one, in INSTALLED_APPS
    order."""
    from django.apps import apps

    for config in apps.get_app_configs():
        plugin = getattr(config, "plugin", None)
        if isinstance(plugin, Plugin):
            yield config.label, plugin
