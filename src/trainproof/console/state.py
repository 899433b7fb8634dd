"""What every page of a running console needs: the settings, the open store, and whether it may act.

trainproof.toml is read again when it changes (the Trainings page writes it; a lead may edit it by hand
or with `trainproof trainings select` while the console runs), so a page never judges by a selection
the file no longer holds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from starlette.requests import Request

from trainproof.accounts import Accounts
from trainproof.config import Settings
from trainproof.console.judgements import Judgements
from trainproof.console.sync_job import SyncJob
from trainproof.judging import Judged
from trainproof.store.freshness import StoreVersion
from trainproof.store.handle import StoreConnection, StoreEngine, read

__all__ = ["ConsoleState", "state_of"]

R = TypeVar("R")


@dataclass
class ConsoleState:
    load_settings: Callable[[], Settings]  # the CLI's own loader: environment, then --config / trainproof.toml
    engine: StoreEngine
    read_only: bool
    judgements: Judgements = field(init=False)
    sync: SyncJob = field(default_factory=SyncJob, init=False)
    _loaded: tuple[Hashable, Settings] | None = field(default=None, init=False)
    _accounts: tuple[Hashable, Accounts] | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        self.judgements = Judgements()

    def current(self) -> tuple[Settings, Hashable]:
        """The settings, and a key that changes whenever trainproof.toml does (read again then)."""
        with self._lock:
            if self._loaded is None or _file_key(self._loaded[1]) != self._loaded[0]:
                first = self._loaded[1] if self._loaded is not None else self.load_settings()
                key = _file_key(first)  # taken before reading: a change in between is read next time
                self._loaded = (key, self.load_settings() if self._loaded is not None else first)
            return self._loaded[1], self._loaded[0]

    @property
    def settings(self) -> Settings:
        return self.current()[0]

    def accounts(self) -> Accounts:
        """Every account of the trainproof.toml the console was started with (`trainproof accounts`'s
        list; the console serves one of them, `settings.account`), read again when the file changes."""
        from trainproof.accounts import load_accounts

        settings, key = self.current()
        with self._lock:
            if self._accounts is None or self._accounts[0] != key:
                self._accounts = (key, load_accounts(settings.config_path))
            return self._accounts[1]

    def judged(self, conn: StoreConnection, as_of: datetime | None = None) -> tuple[Judged, StoreVersion]:
        """The shared evaluation of the store now or at `as_of` (console/judgements.py), and its version."""
        settings, config = self.current()
        return self.judgements.of(conn, settings, config, as_of)

    def kept(self, name: str, version: StoreVersion, as_of: datetime | None, make: Callable[[], R]) -> R:
        """`make`'s answer kept beside the evaluation of this store version, day or `as_of`, and settings
        (console/judgements.py): made again only when one of them changes."""
        return self.judgements.kept(name, version, self.current()[1], as_of, make)

    def read(self, work: Callable[[StoreConnection], R]) -> R:
        """`work` on a connection of its own; a database error is one StoreError line (store.handle)."""
        return read(self.engine, work)


def _file_key(settings: Settings) -> Hashable:
    path = settings.config_path
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return (str(path), "missing")
    return (str(path), stat.st_mtime_ns, stat.st_size)


def state_of(request: Request) -> ConsoleState:
    found: ConsoleState = request.app.state.console
    return found
