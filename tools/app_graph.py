"""Print the graph of imports between quanyi's apps (Mermaid) from what grimp finds in the code,
function-level imports included, and fail if an arrow runs up the layers that
``[tool.importlinter]`` in pyproject.toml declares (``lint-imports`` enforces the same, module by
module). Run: ``.venv/bin/python tools/app_graph.py``."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]


def layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [
        [name.strip().removeprefix("quanyi.") for name in re.split(r"[|:]", layer)]
        for layer in contract["layers"]
    ]


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def main() -> int:
    graph = grimp.build_graph("quanyi")
    rank = {app: level for level, names in enumerate(layers()) for app in names}
    edges = sorted(
        {
            (app_of(importer), app_of(imported))
            for importer in graph.modules
            for imported in graph.find_modules_directly_imported_by(importer)
            if app_of(importer) != app_of(imported)
            and app_of(importer) in rank
            and app_of(imported) in rank
        }
    )
    print("graph TD")
    up = []
    for importer, imported in edges:
        print(f"    {importer} --> {imported}")
        if rank[importer] > rank[imported]:
            up.append(f"{importer} -> {imported}")
    if up:
        print("arrows running up the layers: " + ", ".join(up), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
