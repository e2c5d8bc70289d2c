"""Progress that moves: a bar on stderr for a long command, updated per unit of work, shown
only on a terminal (a scheduler's log gets no bar, and does not pay for importing rich)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (step, done, total)
Update = Callable[[str, int, int], None]


@contextmanager
def bars(labels: dict[str, str], enabled: bool | None = None) -> Iterator[Update | None]:
    """One bar per step (``labels``: step → what the bar says); yields the update callback, or
    None when stderr is no terminal."""
    if not (sys.stderr.isatty() if enabled is None else enabled):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    ) as shown:
        tasks: dict[str, object] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = shown.add_task(labels.get(step, step), total=total)
            shown.update(tasks[step], completed=done, total=total)  # type: ignore[arg-type]

        yield update
