"""Compliance decisions computed once per store sync and as-of date, then reused by every call.

Evaluating a 50,000-person tenant takes about a second; an assistant asks several questions in a row.
So the first compliance call after a sync computes a `Snapshot` (every decision of that as-of date,
indexed by training, person and group) in a worker thread, and later calls only look things up. The
cache key is the sync run the store rests on and the as-of date, so a new sync is picked up at once.
The server never writes: sticky records the engine would create are not persisted here
(`trainproof status` and `trainproof nightly` do that), which changes no answer for the date asked.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import Engine

from trainproof import clock
from trainproof.compliance.decision import Decision
from trainproof.compliance.facts import Person
from trainproof.config import Settings
from trainproof.decisions import judge
from trainproof.errors import ConfigError
from trainproof.mcp_server import _errors
from trainproof.mcp_server._backend import Answer
from trainproof.mcp_server._state import AppState

KEEP = 3  # snapshots kept in memory (today, and a couple of audit dates)


@dataclass
class Snapshot:
    """Every decision for one as-of date, indexed for the compliance tools."""

    as_of: datetime
    source_as_of: datetime
    titles: dict[str, str]
    totals: dict[str, dict[str, int]]
    people: dict[int, Person]
    by_email: dict[str, int]
    by_user: dict[int, tuple[Decision, ...]]
    by_training: dict[str, tuple[Decision, ...]]
    excluded: dict[int, str]
    _sorted: dict[tuple[str, str], list[Decision]] = field(default_factory=dict[tuple[str, str], list[Decision]])

    @property
    def as_of_day(self) -> date:
        return self.as_of.date()

    def find_user(self, text: str) -> int | None:
        """A user id from an email (any case) or a numeric id."""
        if text.isdigit():
            uid = int(text)
            return uid if uid in self.people else None
        return self.by_email.get(text.casefold())

    def noncompliant(self, training: str, group_by: str) -> list[Decision]:
        """The training's non-compliant decisions, ordered by group then name (computed once)."""
        key = (training, group_by)
        hit = self._sorted.get(key)
        if hit is not None:
            return hit
        rows = [d for d in self.by_training.get(training, ()) if not d.compliant]

        def manager(d: Decision) -> str:
            return (d.manager_email or "\uffff").casefold()

        if group_by == "department":
            rows.sort(key=lambda d: ((d.department or "\uffff").casefold(), d.name.casefold(), d.user_id))
        elif group_by == "manager":
            rows.sort(key=lambda d: (manager(d), d.name.casefold(), d.user_id))
        else:
            rows.sort(key=lambda d: (d.name.casefold(), d.user_id))
        self._sorted[key] = rows
        return rows


def build_snapshot(
    people: list[Person], decisions: tuple[Decision, ...], excluded: dict[int, str], titles: dict[str, str],
    totals: dict[str, dict[str, int]], as_of: datetime, source_as_of: datetime,
) -> Snapshot:  # fmt: skip
    by_user: dict[int, list[Decision]] = {}
    by_training: dict[str, list[Decision]] = {key: [] for key in titles}
    for d in decisions:
        by_user.setdefault(d.user_id, []).append(d)
        by_training.setdefault(d.training, []).append(d)
    by_email: dict[str, int] = {}
    for p in people:
        if p.email:
            by_email.setdefault(p.email.casefold(), p.user_id)
    return Snapshot(
        as_of=as_of,
        source_as_of=source_as_of,
        titles=titles,
        totals=totals,
        people={p.user_id: p for p in people},
        by_email=by_email,
        by_user={k: tuple(v) for k, v in by_user.items()},
        by_training={k: tuple(v) for k, v in by_training.items()},
        excluded=excluded,
    )


def evaluate_store(engine: Engine, settings: Settings, as_of: datetime | None, source_as_of: datetime) -> Snapshot:
    """Judge the store (now, or as it stood at `as_of`) through `trainproof.decisions`, without writing.

    The same path as `trainproof status` and the reports, so the answers can never disagree.
    """
    with engine.connect() as conn:
        try:
            judged = judge(conn, settings, as_of=as_of)
        except ConfigError as exc:
            if "campaigns:" not in exc.what:
                raise
            # A campaign-name problem: the engine's hint may quote KnowBe4 campaign names, not ours to relay.
            raise ConfigError(
                "trainproof.toml selects a campaign by a name the store does not know, or that several share",
                "run `trainproof check` to see which, and select campaigns by id",
            ) from None
    ev = judged.evaluation
    people: list[Person] = [*ev.population, *(x.person for x in ev.excluded)]
    return build_snapshot(
        people,
        ev.decisions,
        {x.person.user_id: x.reason for x in ev.excluded},
        {t.key: t.title for t in ev.policy.trainings},
        ev.totals(),
        judged.as_of,
        source_as_of,
    )


class Evaluations:
    """The snapshot cache of one server process."""

    def __init__(self) -> None:
        self._cache: OrderedDict[tuple[Any, ...], Snapshot] = OrderedDict()
        self._lock = anyio.Lock()

    async def get(self, key: tuple[Any, ...], compute: Any) -> Snapshot:
        async with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            snap: Snapshot = await anyio.to_thread.run_sync(compute)
            self._cache[key] = snap
            while len(self._cache) > KEEP:
                self._cache.popitem(last=False)
            return snap


async def snapshot_for(state: AppState, day: date | None) -> tuple[Snapshot, Answer]:
    """The decisions for `day` (default: now) from the store, and the Answer describing them.

    Without a day, the store's current facts are judged now, as `trainproof status` does. With a day,
    the facts as they stood at the end of that day (UTC) are judged then, for audit periods.
    """
    cache: Evaluations = state.extras.setdefault("evaluations", Evaluations())
    today = clock.today()
    current = day is None or day >= today
    with _errors.mapped():
        engine, run_id, ans = await state.facts_source()
        if current:
            key: tuple[Any, ...] = (engine.url, run_id, "current", today)
            snap = await cache.get(key, lambda: evaluate_store(engine, state.settings, None, ans.as_of))
        else:
            assert day is not None
            at = clock.parse_instant(day.isoformat())
            key = (engine.url, run_id, "as_of", day)
            snap = await cache.get(key, lambda: evaluate_store(engine, state.settings, at, ans.as_of))
    if day is not None and day > today:
        ans.notes.append("as_of is in the future: answered as of today.")
    return snap, ans
