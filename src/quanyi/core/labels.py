"""Every code a user sees has a label (DESIGN.md "Screens speak the user's language").

A code set (``insurance``, ``category``, ``bill_kind``, ``field`` …) maps each code to its
Chinese and English label. Each app declares its own sets as data (``Plugin.labels``, a dotted
reference to a ``{set: {code: (zh, en)}}`` mapping); this module only collects them. Screens
show ``label(set, code)`` and offer ``choices(set)`` in lists, so nobody types a code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from quanyi.core import plugins
from quanyi.core.errors import current_language

CodeSets = Mapping[str, Mapping[str, tuple[str, str]]]

_collected: dict[str, dict[str, tuple[str, str]]] | None = None
_ROW = re.compile(r"^(?P<list>\w+)\[(?P<index>\d+)\]\.(?P<rest>.+)$")


def _sets() -> dict[str, dict[str, tuple[str, str]]]:
    global _collected
    if _collected is None:
        found: dict[str, dict[str, tuple[str, str]]] = {}
        for _, plugin in plugins.installed():
            if plugin.labels:
                declared: CodeSets = plugins.resolve(plugin.labels)
                for name, codes in declared.items():
                    found.setdefault(name, {}).update(codes)
        _collected = found
    return _collected


def forget() -> None:
    """Collect the sets again on next use (tests that install a domain)."""
    global _collected
    _collected = None


def known(code_set: str) -> Mapping[str, tuple[str, str]]:
    return _sets().get(code_set, {})


def label(code_set: str, code: object, lang: str | None = None) -> str:
    """The label of ``code`` in ``code_set``; a code with no label shows as itself (never an
    error: data older than a label still displays)."""
    if code is None or code == "":
        return "—"
    pair = known(code_set).get(str(code))
    if pair is None:
        return str(code)
    return pair[1] if (lang or current_language()) == "en" else pair[0]


def choices(code_set: str, lang: str | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a list on screen, in declaration order."""
    english = (lang or current_language()) == "en"
    return [(code, en if english else zh) for code, (zh, en) in known(code_set).items()]


def object_name(reference: str, lang: str | None = None) -> str:
    """A diff's object as a user reads it: its kind by label, then each part that is a known
    code by its label (``backpay 2024-11 injury`` → 补缴 2024-11 工伤保险)."""
    lang = lang or current_language()
    kind, _, rest = reference.partition(" ")
    new = "(new)" if lang == "en" else "（新增）"
    parts = [new if part == "(new)" else label("insurance", part, lang) for part in rest.split()]
    return " ".join([label("object", kind, lang), *parts])


def field_name(path: str, lang: str | None = None) -> str:
    """A field's name as the user reads it: ``phone`` → 联系电话, ``rows[1].bill_id`` →
    第 1 行 账单号 (row 1: bill number)."""
    lang = lang or current_language()
    base, bracket, qualifier = path.partition(" (")
    if bracket and qualifier.endswith(")"):  # base_fen (lower): the field and how it was set
        shown = label("clamped", qualifier[:-1], lang)
        return (
            f"{field_name(base, lang)}（{shown}）"
            if lang != "en"
            else f"{field_name(base, lang)} ({shown})"
        )
    matched = _ROW.match(path)
    if matched:
        rest = field_name(matched["rest"], lang)
        index = matched["index"]
        return f"row {index}: {rest}" if lang == "en" else f"第 {index} 行 {rest}"
    return label("field", path, lang)
