"""Labels of the statements' codes."""

from __future__ import annotations

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "document_kind": {
        "employee": ("城镇职工权益记录单", "annual statement (urban employees)"),
        "resident": ("城乡居民权益记录单", "annual statement (urban-rural residents)"),
        "certificate": ("参保证明", "insurance certificate"),
    },
    "verdict": {
        "authentic": ("真实有效", "authentic"),
        "superseded": ("真实，已被更正", "authentic, superseded"),
        "not_authentic": ("不能确认为真", "not authentic"),
    },
    "field": {
        "year": ("年度", "year"),
        "from": ("证明期间起", "certificate from"),
        "to": ("证明期间止", "certificate to"),
        "what": ("文书种类", "document"),
    },
    "recipient": {
        "person": ("本人", "the person"),
        "guardian": ("监护人", "the guardian"),
        "counter": ("窗口出具", "at the counter"),
        "portal": ("网上下载", "downloaded"),
    },
}
