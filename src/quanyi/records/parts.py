"""The parts of the person record, as the installed apps declare them (``Plugin.record_parts``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from quanyi.core import plugins
from quanyi.core.plugins import RecordPart

Loader = Callable[[int, frozenset[str]], dict[str, Any]]


@functools.cache
def declared() -> tuple[tuple[RecordPart, Loader], ...]:
    """Every part with its loader, in the parts' order (then INSTALLED_APPS order)."""
    found = [
        (part, plugins.resolve(part.load))
        for _, plugin in plugins.installed()
        for part in plugin.record_parts
    ]
    items = [item for part, _ in found for item in part.items]
    duplicated = sorted({item for item in items if items.count(item) > 1})
    if duplicated:
        raise RuntimeError(f"record items declared by two parts: {duplicated}")
    return tuple(sorted(found, key=lambda pair: pair[0].order))


def all_items() -> tuple[str, ...]:
    return tuple(item for part, _ in declared() for item in part.items)


ManyLoader = Callable[[list[int], frozenset[str]], dict[int, dict[str, Any]]]


@functools.cache
def many_loaders() -> dict[str, ManyLoader]:
    """Each part's loader for many persons at once, by part name; a part without one is loaded
    person by person."""
    found: dict[str, ManyLoader] = {}
    for part, load in declared():
        if part.load_many:
            found[part.name] = plugins.resolve(part.load_many)
        else:
            found[part.name] = _one_by_one(load)
    return found


def _one_by_one(load: Loader) -> ManyLoader:
    def many(person_ids: list[int], items: frozenset[str]) -> dict[int, dict[str, Any]]:
        return {pk: load(pk, items) for pk in person_ids}

    return many
