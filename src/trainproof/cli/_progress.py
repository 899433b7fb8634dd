"""Progress bars on stderr for the long commands (sync, nightly, certificates, evidence, report html).

Drawn only when stderr is a terminal: piped or run from cron, a command writes exactly what it wrote
before, so logs stay clean. Data stays on stdout either way. Rich is imported only when bars are drawn,
never for `--help` or a command run without a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["Bars", "on_terminal"]

T = TypeVar("T")


def on_terminal() -> bool:
    """True when stderr is a terminal: the only time bars are drawn."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class Bars:
    """One bar per task on stderr while the block runs; does nothing at all off a terminal.

    Also the sync engine's progress callbacks (`start`, `advance`, `finish`, one bar per resource), so a
    sync draws through the same bars as the steps around it.
    """

    def __init__(self, *, enabled: bool | None = None, transient: bool = False) -> None:
        """`enabled`: default, when stderr is a terminal; `transient`: the bars vanish when the block ends
        (a command that tells its own story afterwards, as `trainproof demo`)."""
        self.enabled = on_terminal() if enabled is None else enabled
        self.transient = transient
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Bars:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bars = Progress(
                TextColumn("{task.description:<20}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=self.transient,
            )
            self._bars.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    # The sync engine's callbacks (trainproof.sync.report.Progress).

    def start(self, resource: str, total: int | None) -> None:
        """A bar for `resource` (its total may be unknown, then learnt later)."""
        if self._bars is None:
            return
        task = self._tasks.get(resource)
        if task is None:
            label = resource.replace("_", " ")  # training_campaigns: "training campaigns"
            self._tasks[resource] = self._bars.add_task(label, total=total)
        else:
            self._bars.update(task, total=total)

    def advance(self, resource: str, records: int) -> None:
        task = self._tasks.get(resource)
        if self._bars is not None and task is not None and records:
            self._bars.advance(task, records)

    def finish(self, resource: str) -> None:
        """The bar full at what was done (a total known only as an estimate may have been off)."""
        task = self._tasks.get(resource)
        if self._bars is not None and task is not None:
            done = self._bars.tasks[task].completed
            self._bars.update(task, total=done, completed=done)

    # Steps and items of the other commands.

    def set(self, name: str, done: int, total: int | None, label: str | None = None) -> None:
        """The bar `name` at `done` of `total`, described by `label` (default: the name): a command's steps
        (`label` says the step under way) or a count a library reports back (certificates in a pack)."""
        if self._bars is None:
            return
        task = self._tasks.get(name)
        if task is None:
            self._tasks[name] = self._bars.add_task(label or name, total=total, completed=done)
        else:
            self._bars.update(task, completed=done, total=total, description=label or name)

    def step(self, label: str, done: int, total: int) -> None:
        """A command's own steps on one bar, described by the step under way (`report html`'s `on_step`)."""
        self.set("steps", done, total, label)

    def track(self, items: Iterable[T], label: str, total: int) -> Iterator[T]:
        """`items` as they are used, with a bar of `total` that moves as each one is done."""
        if self._bars is None:
            yield from items
            return
        task = self._tasks[label] = self._bars.add_task(label, total=total)
        for item in items:
            yield item
            self._bars.advance(task, 1)
