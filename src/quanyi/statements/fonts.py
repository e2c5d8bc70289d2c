"""The CJK font PDFs embed (DESIGN.md, Known traps): a TrueType font named by
``QUANYI_PDF_FONT`` or found by fontconfig (Debian's ``fonts-wqy-microhei``), never downloaded;
ReportLab's built-in ``STSong-Light`` CID font when none is installed (then not embedded)."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

NAME = "QuanyiCJK"
FAMILIES = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "AR PL UMing CN", "Droid Sans Fallback")
TRUETYPE = (".ttf", ".ttc")


def _candidates() -> list[Path]:
    found = []
    configured = os.environ.get("QUANYI_PDF_FONT", "")
    if configured:
        found.append(Path(configured))
    if shutil.which("fc-match"):
        for family in FAMILIES:
            result = subprocess.run(
                ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False
            )
            if result.returncode == 0 and result.stdout.lower().endswith(TRUETYPE):
                found.append(Path(result.stdout))
    found.append(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
    return found


@functools.cache
def cjk() -> str:
    """The registered font's name (registered once per process)."""
    for path in _candidates():
        if path.is_file() and path.suffix.lower() in TRUETYPE:
            try:
                pdfmetrics.registerFont(TTFont(NAME, str(path), subfontIndex=0))
            except (TTFError, OSError):
                continue
            return NAME
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"
