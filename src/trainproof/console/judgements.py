"""The evaluation pages are drawn from, judged once per store version and day, then shared.

Judging a 50,000-person store takes seconds, and a browser asks for several pages in a row. So each page
reads the store's version (`store.freshness.store_version`: the last successful sync and the newest
decision-log and reminder rows, read on every request) and uses the evaluation of that version, day
(or as-of date asked) and trainproof.toml; a sync or a reset, here or from the CLI, shows on the next page. Judging
happens under one lock, so two evaluations never hold memory at once and requests waiting for the same
one share it. The MCP server keys its answers the same way (mcp_server/_cache.py).

Answers drawn from an evaluation (check's problems, the trend, the people's RowIndex, which makes a
filtered people page read grouped answers and sort keys instead of rebuilding 150,000 of them) are kept
with it and go with it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date, datetime
from typing import TypeVar, cast

from trainproof import clock
from trainproof.config import Settings
from trainproof.judging import Judged, judge
from trainproof.store.freshness import StoreVersion, store_version
from trainproof.store.handle import StoreConnection
from trainproof.store.person_index import PersonIndex, person_index

__all__ = ["Judgements"]

KEPT = 2  # evaluations kept: today's and one as-of date, say

Key = tuple[tuple[int, int, int], date | datetime, Hashable]
R = TypeVar("R")


class Judgements:
    def __init__(self) -> None:
        self._kept: OrderedDict[Key, Judged] = OrderedDict()
        self._index: tuple[tuple[int, int, int], PersonIndex] | None = None
        self._derived: dict[Key, dict[str, object]] = {}  # answers drawn from each evaluation kept
        self._lock = threading.Lock()

    def index(self, conn: StoreConnection, version: StoreVersion) -> PersonIndex:
        """Who each id, email, alias and employee number names (store.person_index), per store version."""
        with self._lock:
            if self._index is None or self._index[0] != version.key:
                self._index = (version.key, person_index(conn))
            return self._index[1]

    def of(
        self, conn: StoreConnection, settings: Settings, config: Hashable, as_of: datetime | None = None
    ) -> tuple[Judged, StoreVersion]:
        """The evaluation of the store as it is now (today), or as it stood at `as_of`, and its version.

        `config` names the version of trainproof.toml `settings` were read from (ConsoleState.current).
        """
        version = store_version(conn)
        key: Key = (version.key, as_of if as_of is not None else clock.today(), config)
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                found = judge(conn, settings, as_of=as_of)
                self._kept[key] = found
                while len(self._kept) > KEPT:
                    gone, _ = self._kept.popitem(last=False)
                    self._derived.pop(gone, None)  # what was drawn from it goes with it
            else:
                self._kept.move_to_end(key)
        return found, version

    def kept(
        self,
        name: str,
        version: StoreVersion,
        config: Hashable,
        as_of: datetime | None,
        make: Callable[[], R],
    ) -> R:
        """What `make` gives (a use case's answer drawn from the evaluation of this store version, day or
        as-of date, and trainproof.toml: `check`'s problems, the quarterly trend, the people's RowIndex),
        kept as long as that evaluation is and made again when it changes.

        Made outside the lock: a slow answer never holds up the pages that do not need it (two pages asking
        at once may both make it; both answers are the same).
        """
        key: Key = (version.key, as_of if as_of is not None else clock.today(), config)
        with self._lock:
            drawn = self._derived.get(key, {})
            if name in drawn:
                return cast(R, drawn[name])
        value = make()
        with self._lock:
            if key in self._kept:  # never outlive the evaluation (a RowIndex holds it)
                self._derived.setdefault(key, {})[name] = value
        return value
