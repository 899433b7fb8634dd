"""Compliance decisions for the compliance tools: one `Snapshot` per store version and as-of date.

A `Snapshot` is every decision of one as-of date, indexed by training, person and group, judged through
`trainproof.judging` (the path `trainproof status` and the reports take, so the answers can never
disagree). It is computed once and kept in the server's one answer cache (`_cache.py`), as are the
filtered lists of non-compliant people drawn from it, so a question asked again is a lookup.
The server never writes: sticky records the engine would create are not persisted here
(`trainproof status` and `trainproof nightly` do that), which changes no answer for the date asked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from trainproof import clock
from trainproof.compliance.decision import Decision
from trainproof.compliance.facts import Person
from trainproof.config import Settings
from trainproof.judging import judge
from trainproof.mcp_server import _errors
from trainproof.mcp_server._backend import Answer
from trainproof.mcp_server._cache import StoreKey
from trainproof.store.handle import StoreEngine, read
from trainproof.store.person_index import PersonIndex, person_index

if TYPE_CHECKING:
    from trainproof.mcp_server._state import AppState

GROUPINGS = ("none", "department", "manager")
SNAPSHOT_WEIGHT = 16  # a day's decisions against the answer cache's budget (a filtered list weighs 1)


class Row(NamedTuple):
    """A non-compliant decision with what filtering and grouping need, computed once per snapshot."""

    decision: Decision
    key: str | None  # the group: department, or the manager's email
    label: str | None  # department, or the manager's name
    department: str  # case-folded, for the department filter


View = tuple[list[Row], Counter[str | None]]
"""Filtered rows in group order and the people per group (a page is then a slice)."""


@dataclass(frozen=True)
class Snapshot:
    """Every decision for one as-of date, indexed for the compliance tools."""

    as_of: datetime
    titles: dict[str, str]
    totals: dict[str, dict[str, int]]
    people: dict[int, Person]
    who: PersonIndex
    """Finds a person by user id, email, KnowBe4 alias or employee number, as `trainproof person` does."""
    by_user: dict[int, tuple[Decision, ...]]
    excluded: dict[int, str]
    noncompliant: dict[tuple[str, str], list[Row]]
    """(training, grouping) -> the training's non-compliant decisions ordered by group, then name."""

    @property
    def as_of_day(self) -> date:
        return self.as_of.date()

    def view(self, training: str, group_by: str, states: frozenset[str] | None, department: str | None) -> View:
        rows = self.noncompliant.get((training, group_by), [])
        if states is not None or department is not None:
            rows = [
                r
                for r in rows
                if (states is None or r.decision.state in states) and (department is None or r.department == department)
            ]
        return rows, Counter(r.key for r in rows)


def _grouped(decisions: tuple[Decision, ...], people: dict[int, Person], group_by: str) -> list[Row]:
    rows: list[Row] = []
    for d in decisions:
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
    return rows


def judge_snapshot(engine: StoreEngine, settings: Settings, as_of: datetime | None) -> Snapshot:
    """Judge the store (now, or as it stood at `as_of`) through `trainproof.judging`, without writing.

    Every training's non-compliant people are sorted by each grouping here, in the worker thread, so
    that even the first question of each kind is a filter and a slice.
    """
    judged, who = read(engine, lambda conn: (judge(conn, settings, as_of=as_of), person_index(conn)))
    ev = judged.evaluation
    people = {p.user_id: p for p in [*ev.population, *(x.person for x in ev.excluded)]}
    titles = {t.key: t.title for t in ev.trainings_config.trainings}
    by_user: dict[int, list[Decision]] = {}
    by_training: dict[str, list[Decision]] = {key: [] for key in titles}
    for d in ev.decisions:
        by_user.setdefault(d.user_id, []).append(d)
        by_training.setdefault(d.training, []).append(d)
    return Snapshot(
        as_of=judged.as_of,
        titles=titles,
        totals=ev.totals(),
        people=people,
        who=who,
        by_user={k: tuple(v) for k, v in by_user.items()},
        excluded={x.person.user_id: x.reason for x in ev.excluded},
        noncompliant={
            (training, group_by): _grouped(tuple(decisions), people, group_by)
            for training, decisions in by_training.items()
            for group_by in GROUPINGS
        },
    )


@dataclass(frozen=True)
class Judged:
    """A snapshot, the answer book-keeping describing it, and where it is kept (for views drawn from it)."""

    snapshot: Snapshot
    answer: Answer
    store: StoreKey
    day: date | None  # None: now

    async def view(
        self, state: AppState, training: str, group_by: str, states: frozenset[str] | None, department: str | None
    ) -> View:
        snap = self.snapshot
        return await state.cache.get(
            self.store,
            ("noncompliant", self.day, training, group_by, states, department),
            lambda: snap.view(training, group_by, states, department),
        )


async def snapshot_for(state: AppState, day: date | None) -> Judged:
    """The decisions for `day` (default: now) and the Answer describing them.

    Without a day, the store's current facts are judged now, as `trainproof status` does. With a day,
    the facts as they stood at the end of that day (UTC) are judged then, for audit periods.
    """
    today = clock.today()
    asked = None if day is None or day >= today else day
    at = None if asked is None else clock.parse_instant(asked.isoformat())
    with _errors.mapped():
        source = await state.facts_source()
        engine, settings = source.engine, state.settings
        snap = await state.cache.get(
            source.store,
            ("decisions", asked),
            lambda: judge_snapshot(engine, settings, at),
            weight=SNAPSHOT_WEIGHT,
        )
    if day is not None and day > today:
        source.answer.notes.append("as_of is in the future: answered as of today.")
    return Judged(snap, source.answer, source.store, asked)
