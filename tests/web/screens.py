"""Screenshots of the main screens, taken by the browser tests into ``docs/screens/`` (where the
README links them) or into ``QUANYI_SCREENSHOT_DIR`` when set."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DOCS_SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


def snap(page: Any, name: str) -> Path:
    folder = Path(os.environ.get("QUANYI_SCREENSHOT_DIR") or DOCS_SCREENS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
