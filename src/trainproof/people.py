"""Who stands where, person by training: the list `trainproof people`, the web console and the MCP tools show.

The decisions come from `trainproof.judging`, the one judging path; this module only chooses which
ones to show and in what order. Choosing reads each decision's scalar answer (state, since, late) and
the person's own fields, which the evaluation holds without explaining anything. Only the rows shown
are explained (their campaigns and outstanding modules), a chunk at a time as the caller reads them:
the first row can be written while later ones are still to be explained, and `--limit 50` at 50,000
people explains 50 decisions, not 150,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trainproof.compliance.decision import STATES, Decision
from trainproof.compliance.engine import DecisionRow, Evaluation
from trainproof.compliance.facts import Person
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.judging import Judged, judge
from trainproof.store.groups import group_names
from trainproof.store.handle import StoreConnection
from trainproof.store.person_index import PersonIndex, person_index

__all__ = [
    "CSV_COLUMNS",
    "FIELDS",
    "SORTS",
    "PeopleList",
    "PeopleQuery",
    "as_csv_rows",
    "as_rows",
    "list_people",
    "outstanding",
    "select_people",
]

FIELDS = (
    "user_id", "email", "name", "department", "manager_email", "training", "state", "compliant", "compliant_since",
    "late", "sticky", "campaigns",
)  # fmt: skip
"""A row's fields (`Decision.to_dict`), the ones `trainproof status --format json` listed before it became a summary."""

CSV_COLUMNS = (*FIELDS[:-1], "outstanding")
"""A CSV row's fields: a JSON row's, its campaigns flattened to what is outstanding (`outstanding`)."""

SORTS = ("name", "email", "department", "manager", "training", "state", "since")
"""What rows can be sorted by; a leading '-' reverses the order (`--sort -since`)."""

CHUNK = 1000  # rows explained at a time: the first is written while the rest wait


@dataclass(frozen=True, slots=True)
class PeopleQuery:
    """Which person x training rows to list, in what order, and which slice of them.

    Text filters ignore case. `department` and `manager` (the manager's email or name) match whole
    values; `group` is a KnowBe4 group name or id; `search` finds TEXT inside a name, an email, an
    older address KnowBe4 keeps as an alias, or an employee number.
    """

    trainings: tuple[str, ...] = ()
    states: frozenset[str] = frozenset()
    department: str | None = None
    manager: str | None = None
    group: str | None = None
    search: str | None = None
    late: bool = False
    sort: str = "name"
    limit: int | None = None
    offset: int = 0
    as_of: datetime | None = None

    def check(self) -> None:
        """A ConfigError (one line, exit 2) for a state, sort or slice that cannot be listed."""
        unknown = sorted(self.states - set(STATES))
        if unknown:
            raise ConfigError(f"unknown state '{unknown[0]}'", f"use one of {', '.join(STATES)}")
        if self.sort.removeprefix("-") not in SORTS:
            raise ConfigError(f"cannot sort by '{self.sort}'", f"use one of {', '.join(SORTS)} (a leading - reverses)")
        if self.limit is not None and self.limit < 0:
            raise ConfigError(f"--limit {self.limit} is negative", "give 0 or more rows")
        if self.offset < 0:
            raise ConfigError(f"--offset {self.offset} is negative", "give 0 or more rows to skip")


@dataclass(frozen=True)
class PeopleList:
    """The rows one query selected: how many matched, and the requested slice as a stream of decisions."""

    as_of: datetime
    point_in_time: bool  # an explicit as-of date was asked
    matched: int  # rows matching the filters, before offset and limit
    offset: int
    shown: int  # rows `rows` yields
    rows: Iterator[Decision] = field(repr=False)
    """Explained decisions, produced as they are read (a generator: read it once)."""

    @property
    def more(self) -> int:
        """Matching rows after the slice (what a table's "N more" line counts)."""
        return max(self.matched - self.offset - self.shown, 0)


def list_people(
    conn: StoreConnection, settings: Settings, query: PeopleQuery, *, at: datetime | None = None
) -> PeopleList:
    """Judge the store through `trainproof.judging` and select the rows `query` asks for.

    Everything the rows need is read before this returns: the connection may close while they are read.
    `at` pins "now" for a current answer (tests, reports); `query.as_of` asks for a past date.
    """
    query.check()
    judged = judge(conn, settings, as_of=query.as_of, at=at, trainings=list(query.trainings) or None)
    index = person_index(conn) if query.search else None
    groups = group_names(conn) if query.group else None
    return select_people(judged, query, index=index, groups=groups)


def select_people(
    judged: Judged, query: PeopleQuery, *, index: PersonIndex | None = None, groups: dict[int, str] | None = None
) -> PeopleList:
    """The rows of an evaluation already made (the console and the MCP server keep one per store version).

    `index` (`store.person_index`) is needed for `query.search` to reach aliases and employee numbers;
    `groups` (`store.groups.group_names`) for a group given by name.
    """
    query.check()
    ev = judged.evaluation
    people = ev.population
    answers = ev.answers()
    keep = _person_filter(people, query, index, groups)
    states, late = query.states, query.late
    # An evaluation kept for every training answers for the ones asked (an unknown key: judging's ConfigError).
    wanted = {ev.trainings_config.training(key).key for key in query.trainings}
    chosen = [
        i
        for i, (_, key, state, _, is_late) in enumerate(answers)
        if keep[i % len(people)]
        and (not wanted or key in wanted)
        and (not states or state in states)
        and (is_late or not late)
    ]
    _sort(chosen, query.sort, people, answers)
    start = min(query.offset, len(chosen))
    stop = len(chosen) if query.limit is None else min(start + query.limit, len(chosen))
    shown = chosen[start:stop]
    return PeopleList(
        as_of=judged.as_of,
        point_in_time=judged.point_in_time,
        matched=len(chosen),
        offset=query.offset,
        shown=len(shown),
        rows=_explained(ev, shown, len(people)),
    )


def as_rows(decisions: Iterable[Decision]) -> Iterator[dict[str, Any]]:
    """Each decision as `Decision.to_dict` gives it (the rows of `people --format json`), produced as read.

    The campaigns are `CampaignResult.to_dict`'s fields written out: no method call per campaign, at 150,000 rows.
    """
    for d in decisions:
        yield _row(
            d,
            "campaigns",
            [
                {
                    "campaign_id": c.campaign_id,
                    "name": c.name,
                    "complete": c.complete,
                    "completed_at": None if c.completed_at is None else c.completed_at.isoformat(),
                    "outstanding_modules": list(c.outstanding_modules),
                }
                for c in d.campaigns
            ],
        )


def as_csv_rows(decisions: Iterable[Decision]) -> Iterator[dict[str, Any]]:
    """Each decision as a `CSV_COLUMNS` row: the JSON row's fields, its campaigns as what is outstanding."""
    for d in decisions:
        yield _row(d, "outstanding", outstanding(d))


def outstanding(d: Decision) -> str:
    """The campaigns not yet complete and their modules, as one line of text (a CSV cell, a table column)."""
    return "; ".join(f"{c.name}: {', '.join(c.outstanding_modules)}" for c in d.campaigns if not c.complete)


def _row(d: Decision, last: str, value: object) -> dict[str, Any]:
    since = d.compliant_since
    return {
        "user_id": d.user_id,
        "email": d.email,
        "name": d.name,
        "department": d.department,
        "manager_email": d.manager_email,
        "training": d.training,
        "state": d.state,
        "compliant": d.compliant,
        "compliant_since": None if since is None else since.isoformat(),
        "late": d.late,
        "sticky": d.sticky,
        last: value,
    }


def _person_filter(
    people: Sequence[Person], query: PeopleQuery, index: PersonIndex | None, groups: dict[int, str] | None
) -> list[bool]:
    """For each person of the population (by position): whether the person filters let them through."""
    keep = [True] * len(people)
    if query.department is not None:
        want = query.department.strip().casefold()
        keep = [k and (p.department or "").strip().casefold() == want for k, p in zip(keep, people, strict=True)]
    if query.manager is not None:
        want = query.manager.strip().casefold()
        keep = [
            k and want in ((p.manager_email or "").strip().casefold(), (p.manager_name or "").strip().casefold())
            for k, p in zip(keep, people, strict=True)
        ]
    if query.group is not None:
        wanted = _group_ids(query.group, groups)
        keep = [k and not wanted.isdisjoint(p.groups) for k, p in zip(keep, people, strict=True)]
    if query.search:
        found = _search(query.search, people, index)
        keep = [k and p.user_id in found for k, p in zip(keep, people, strict=True)]
    return keep


def _group_ids(group: str, groups: dict[int, str] | None) -> frozenset[int]:
    """The ids a group name (any case) or id names; a ConfigError when none does."""
    text = group.strip()
    named = {gid for gid, name in (groups or {}).items() if name.strip().casefold() == text.casefold()}
    if text.isdigit():
        named.add(int(text))
    if not named:
        raise ConfigError(f"no KnowBe4 group named '{text[:254]}' in the store", "give a group name or id from KnowBe4")
    return frozenset(named)


def _search(text: str, people: Sequence[Person], index: PersonIndex | None) -> set[int]:
    """User ids whose name, email, alias or employee number contains `text` (any case)."""
    needle = text.strip().casefold()
    found = {p.user_id for p in people if needle in p.name.casefold() or needle in p.email.casefold()}
    if index is not None:
        for table in index.keys[1:]:  # emails, aliases, employee numbers (the user id table is not text)
            for key, uids in table.items():
                if needle in key:
                    found.update(uids)
    return found


def _sort(chosen: list[int], sort: str, people: Sequence[Person], answers: Sequence[DecisionRow]) -> None:
    """Sort row indexes in place by `sort`; ties by name, then user id, then training (the configured order).

    Rows without the value (no department, manager or compliance date) come last in either direction.
    """
    by, descending = sort.removeprefix("-"), sort.startswith("-")
    n = len(people)
    names = [(p.name.casefold(), p.user_id) for p in people]
    key: Callable[[int], tuple[object, ...]]
    missing: Callable[[int], bool] | None = None
    if by == "name":  # the default, and 150,000 rows: people sorted once, their rows taken in that order
        ranked = sorted(range(n), key=names.__getitem__, reverse=descending)
        count = len(answers) // n if n else 0
        trainings = range(count - 1, -1, -1) if descending else range(count)
        marked = bytearray(len(answers))
        for i in chosen:
            marked[i] = 1
        chosen[:] = [i for p in ranked for t in trainings if marked[i := t * n + p]]
        return
    if by == "email":
        emails = [p.email.casefold() for p in people]
        key = lambda i: (emails[i % n], names[i % n], i // n)  # noqa: E731
    elif by in ("department", "manager"):
        values = [(p.department if by == "department" else p.manager_email) or "" for p in people]
        folded = [v.strip().casefold() for v in values]
        key = lambda i: (folded[i % n], names[i % n], i // n)  # noqa: E731
        missing = lambda i: not folded[i % n]  # noqa: E731
    elif by == "training":
        key = lambda i: (i // n, names[i % n])  # noqa: E731
    elif by == "state":
        order = {s: k for k, s in enumerate(STATES)}
        key = lambda i: (order[answers[i][2]], i // n, names[i % n])  # noqa: E731
    else:  # since
        key = lambda i: (_since(answers[i][3]), names[i % n], i // n)  # noqa: E731
        missing = lambda i: answers[i][3] is None  # noqa: E731
    chosen.sort(key=key, reverse=descending)
    if missing is not None:
        chosen[:] = [i for i in chosen if not missing(i)] + [i for i in chosen if missing(i)]


def _since(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _explained(ev: Evaluation, shown: list[int], n: int) -> Iterator[Decision]:
    """The decisions of the answer rows `shown` (row = training * n + position of the person), explained a
    chunk at a time as they are read and not kept by the evaluation: memory holds one chunk of decisions
    (and of (training, position) pairs), not 150,000."""
    for start in range(0, len(shown), CHUNK):
        yield from ev.explained([(i // n, i % n) for i in shown[start : start + CHUNK]])
