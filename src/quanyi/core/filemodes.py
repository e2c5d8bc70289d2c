"""Who may read the data (DESIGN.md invariant 9): the data dir is the service account's alone
(700), and the database and key files too (600). ``quanyi init`` sets the modes; ``quanyi
security check`` reports any that is looser."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from quanyi.core.errors import InvalidInput


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parent as the service account's alone (700): whatever
    first writes into the data dir creates it as ``init`` would."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    return path


def unwritable(path: Path, error: OSError, field: str = "out") -> InvalidInput:
    """A file the command was asked to write that the system refused, in words."""
    reason = error.strerror or str(error)
    return InvalidInput.one(
        field, "unwritable", f"无法写入 {path}：{reason}", f"cannot write {path}: {reason}"
    )


@dataclass(frozen=True)
class Loose:
    path: Path
    mode: int
    wanted: int

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return (
                f"{self.path}: mode {self.mode:o}, readable by others than the service account"
                f" (wanted {self.wanted:o}; chmod {self.wanted:o} or run quanyi init)"
            )
        return (
            f"{self.path}：权限为 {self.mode:o}，服务账户以外的用户可以访问"
            f"（应为 {self.wanted:o}；执行 chmod {self.wanted:o} 或运行 quanyi init）"
        )


def guarded() -> Iterator[tuple[Path, int]]:
    """Each path that must be the service account's alone, with its mode."""
    data_dir = Path(settings.QUANYI_DATA_DIR)
    yield data_dir, 0o700
    key = Path(settings.QUANYI_DATA_KEY_FILE)
    for path in (key, key.with_name(key.name + ".new"), data_dir / "secret_key"):
        yield path, 0o600
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not str(database["NAME"]).startswith(
        ("file:", ":memory:")
    ):
        name = Path(database["NAME"])
        for suffix in ("", "-wal", "-shm"):
            yield name.with_name(name.name + suffix), 0o600


def loose() -> list[Loose]:
    found = []
    for path, wanted in guarded():
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~wanted:
            found.append(Loose(path, mode, wanted))
    return found


def tighten() -> None:
    for path, wanted in guarded():
        if path.exists():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & wanted)
