"""Compliance decisions computed once per store sync and as-of date, then reused by every call.

Judging a 50,000-person store takes seconds; an assistant asks several questions in a row and should
not wait for each. So a `Snapshot` (every decision of one as-of date, indexed by training, person and
group) is computed once in a worker thread and then only looked up. The cache key is the sync run the
store rests on and the as-of date. A watcher thread computes the current snapshot when the server
starts and again as soon as a new sync lands, so even the first question after a sync is a lookup.
The server never writes: sticky records the engine would create are not persisted here
(`trainproof status` and `trainproof nightly` do that), which changes no answer for the date asked.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

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
from trainproof.store.person_index import PersonIndex, person_index

if TYPE_CHECKING:
    from trainproof.mcp_server._state import AppState

logger = logging.getLogger("trainproof.mcp")

KEEP = 3  # snapshots kept in memory (today, and a couple of audit dates)
WATCH_S = 10.0
MAX_VIEWS = 64  # filtered views kept per snapshot
GROUPINGS = ("none", "department", "manager")  # how often the watcher looks for a new sync


class Row(NamedTuple):
    """A non-compliant decision with what filtering and grouping need, computed once per snapshot."""

    decision: Decision
    key: str | None  # the group: department, or the manager's email
    label: str | None  # department, or the manager's name
    department: str  # case-folded, for the department filter


@dataclass
class Snapshot:
    """Every decision for one as-of date, indexed for the compliance tools."""

    as_of: datetime
    source_as_of: datetime
    titles: dict[str, str]
    totals: dict[str, dict[str, int]]
    people: dict[int, Person]
    who: PersonIndex
    """Finds a person by user id, email, KnowBe4 alias or employee number, as `trainproof person` does."""
    by_user: dict[int, tuple[Decision, ...]]
    by_training: dict[str, tuple[Decision, ...]]
    excluded: dict[int, str]
    _sorted: dict[tuple[str, str], list[Row]] = field(default_factory=dict[tuple[str, str], list[Row]])
    _views: dict[tuple[Any, ...], tuple[list[Row], Counter[str | None]]] = field(
        default_factory=dict[tuple[Any, ...], tuple[list[Row], Counter[str | None]]]
    )

    @property
    def as_of_day(self) -> date:
        return self.as_of.date()

    def noncompliant(self, training: str, group_by: str) -> list[Row]:
        """The training's non-compliant decisions ordered by group then name, with their group (cached)."""
        cache_key = (training, group_by)
        hit = self._sorted.get(cache_key)
        if hit is not None:
            return hit
        people = self.people
        rows: list[Row] = []
        for d in self.by_training.get(training, ()):
            if d.compliant:
                continue
            if group_by == "department":
                key, label = d.department, d.department
            elif group_by == "manager":
                p = people.get(d.user_id)
                key, label = d.manager_email, p.manager_name if p is not None else None
            else:
                key = label = None
            rows.append(Row(d, key, label, (d.department or "").casefold()))
        last = "\uffff"  # people without a group sort after the groups
        rows.sort(key=lambda r: ((r.key or last).casefold(), r.decision.name.casefold(), r.decision.user_id))
        self._sorted[cache_key] = rows
        return rows

    def view(
        self, training: str, group_by: str, states: frozenset[str] | None, department: str | None
    ) -> tuple[list[Row], Counter[str | None]]:
        """The filtered rows and the people per group, cached per question (a page is then a slice)."""
        cache_key = (training, group_by, states, department)
        hit = self._views.get(cache_key)
        if hit is not None:
            return hit
        rows = self.noncompliant(training, group_by)
        if states is not None or department is not None:
            rows = [
                r
                for r in rows
                if (states is None or r.decision.state in states) and (department is None or r.department == department)
            ]
        result = (rows, Counter(r.key for r in rows))
        if len(self._views) >= MAX_VIEWS:
            self._views.pop(next(iter(self._views)))
        self._views[cache_key] = result
        return result


def build_snapshot(
    people: list[Person], who: PersonIndex, decisions: tuple[Decision, ...], excluded: dict[int, str],
    titles: dict[str, str], totals: dict[str, dict[str, int]], as_of: datetime, source_as_of: datetime,
) -> Snapshot:  # fmt: skip
    by_user: dict[int, list[Decision]] = {}
    by_training: dict[str, list[Decision]] = {key: [] for key in titles}
    for d in decisions:
        by_user.setdefault(d.user_id, []).append(d)
        by_training.setdefault(d.training, []).append(d)
    return Snapshot(
        as_of=as_of,
        source_as_of=source_as_of,
        titles=titles,
        totals=totals,
        people={p.user_id: p for p in people},
        who=who,
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
            who = person_index(conn)
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
    snap = build_snapshot(
        people,
        who,
        ev.decisions,
        {x.person.user_id: x.reason for x in ev.excluded},
        {t.key: t.title for t in ev.policy.trainings},
        ev.totals(),
        judged.as_of,
        source_as_of,
    )
    # Sort every training's non-compliant people by each grouping now, in this worker thread, so
    # that even the first question of each kind is a filter and a slice.
    for training in snap.by_training:
        for group_by in GROUPINGS:
            snap.noncompliant(training, group_by)
    return snap


class Evaluations:
    """The snapshot cache of one server process: computed in one worker thread, shared by every call."""

    def __init__(self) -> None:
        self._futures: OrderedDict[tuple[Any, ...], Future[Snapshot]] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trainproof-evaluate")
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    def submit(self, key: tuple[Any, ...], compute: Callable[[], Snapshot]) -> Future[Snapshot]:
        """The snapshot for `key`, computing it unless it is already there or under way."""
        with self._lock:
            fut = self._futures.get(key)
            if fut is None or (fut.done() and fut.exception() is not None):
                fut = self._pool.submit(compute)
                self._futures[key] = fut
                while len(self._futures) > KEEP:
                    self._futures.popitem(last=False)
            else:
                self._futures.move_to_end(key)
            return fut

    def has(self, key: tuple[Any, ...]) -> bool:
        with self._lock:
            return key in self._futures

    async def get(self, key: tuple[Any, ...], compute: Callable[[], Snapshot]) -> Snapshot:
        fut = self.submit(key, compute)
        if fut.done():
            return fut.result()
        return await anyio.to_thread.run_sync(fut.result)

    def watch(self, state: AppState) -> None:
        """Keep the current snapshot computed: at start, then after every new successful sync."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    _, ok = state.read_sync_runs()
                    engine = state.engine
                    if ok is not None and engine is not None:
                        key = current_key(engine, ok.run_id)
                        if not self.has(key):
                            logger.info("computing compliance decisions for sync run %d", ok.run_id)
                            self.submit(key, current_compute(engine, state.settings, ok.finished_at or clock.now()))
                except Exception:  # a store being migrated or replaced: look again later
                    logger.debug("compliance watcher: store not readable yet", exc_info=True)
                self._stop.wait(WATCH_S)

        self._watcher = threading.Thread(target=loop, name="trainproof-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        self._pool.shutdown(wait=False, cancel_futures=True)


def current_key(engine: Engine, run_id: int) -> tuple[Any, ...]:
    return (str(engine.url), run_id, "current", clock.today())


def current_compute(engine: Engine, settings: Settings, source_as_of: datetime) -> Callable[[], Snapshot]:
    return lambda: evaluate_store(engine, settings, None, source_as_of)


async def snapshot_for(state: AppState, day: date | None) -> tuple[Snapshot, Answer]:
    """The decisions for `day` (default: now) from the store, and the Answer describing them.

    Without a day, the store's current facts are judged now, as `trainproof status` does. With a day,
    the facts as they stood at the end of that day (UTC) are judged then, for audit periods.
    """
    cache = state.evaluations
    today = clock.today()
    current = day is None or day >= today
    with _errors.mapped():
        engine, run_id, ans = await state.facts_source()
        if current:
            snap = await cache.get(current_key(engine, run_id), current_compute(engine, state.settings, ans.as_of))
        else:
            assert day is not None
            at = clock.parse_instant(day.isoformat())
            key = (str(engine.url), run_id, "as_of", day)
            snap = await cache.get(key, lambda: evaluate_store(engine, state.settings, at, ans.as_of))
    if day is not None and day > today:
        ans.notes.append("as_of is in the future: answered as of today.")
    return snap, ans
