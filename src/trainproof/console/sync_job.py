"""Sync now from the console: `trainproof sync` in a thread of the server, its progress polled by the page.

The same `run_sync` then `keep_after_sync` the command runs (one sync at a time: the store's sync lock
refuses a second, from here or from cron, with its own one-line error). The page asks for the progress
every second (htmx polling); nothing streams, so no connection is held open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trainproof import clock
from trainproof.config import Settings
from trainproof.errors import TrainproofError

__all__ = ["SyncJob"]


@dataclass
class _Bar:
    total: int | None = None
    done: int = 0
    finished: bool = False


@dataclass
class SyncJob:
    """The console's one sync: whether it runs, each resource's progress, and how the last one ended."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    running: bool = False
    bars: dict[str, _Bar] = field(default_factory=dict[str, _Bar])
    outcome: str | None = None  # the summary line, or the error's one line
    failed: bool = False

    # -- trainproof.sync.report.Progress --------------------------------------------------------------
    def start(self, resource: str, total: int | None) -> None:
        with self._lock:
            self.bars.setdefault(resource, _Bar()).total = total

    def advance(self, resource: str, records: int) -> None:
        with self._lock:
            self.bars.setdefault(resource, _Bar()).done += records

    def finish(self, resource: str) -> None:
        with self._lock:
            self.bars.setdefault(resource, _Bar()).finished = True

    # -- the job --------------------------------------------------------------------------------------
    def begin(self, settings: Callable[[], Settings]) -> bool:
        """Start a sync unless one runs; False when one already does."""
        with self._lock:
            if self.running:
                return False
            self.running, self.bars, self.outcome, self.failed = True, {}, None, False
        threading.Thread(target=self._run, args=(settings,), name="trainproof-console-sync", daemon=True).start()
        return True

    def _run(self, settings: Callable[[], Settings]) -> None:
        from trainproof.judging import keep_after_sync
        from trainproof.sync import run_sync

        try:
            config = settings()
            report = run_sync(config, progress=self)
            _, kept, problem = keep_after_sync(config, actor="trainproof console")
            parts = [report.summary(), *report.warnings, *([problem] if problem else [])]
            if kept:
                parts.append(f"kept {kept} newly earned compliance record(s)")
            outcome, failed = "; ".join(parts), False
        except TrainproofError as exc:
            outcome, failed = exc.message, True
        except Exception as exc:  # a sync must never take the console down; the store's lock was released
            outcome, failed = f"the sync failed: {type(exc).__name__}", True
        with self._lock:
            self.running, self.outcome, self.failed = False, outcome, failed

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "running": self.running,
                "at": clock.now(),
                "progress": {
                    name: {"done": b.done, "total": b.total, "finished": b.finished} for name, b in self.bars.items()
                },
                "outcome": self.outcome,
                "failed": self.failed,
            }
