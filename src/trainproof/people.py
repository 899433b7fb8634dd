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
from functools import cached_property
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
    "RowIndex",
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
    judged: Judged,
    query: PeopleQuery,
    *,
    index: PersonIndex | None = None,
    groups: dict[int, str] | None = None,
    rows: RowIndex | None = None,
) -> PeopleList:
    """The rows of an evaluation already made (the console and the MCP server keep one per store version).

    `index` (`store.person_index`) is needed for `query.search` to reach aliases and employee numbers;
    `groups` (`store.groups.group_names`) for a group given by name; `rows`, the evaluation's RowIndex
    when the caller keeps one beside it (made for this call otherwise).
    """
    query.check()
    ev = judged.evaluation
    ix = rows if rows is not None else RowIndex(ev)
    n = ix.n
    # An evaluation kept for every training answers for the ones asked (an unknown key: judging's ConfigError).
    wanted = {ev.trainings_config.training(key).key for key in query.trainings}
    trainings = [t for t, key in enumerate(ix.trainings) if not wanted or key in wanted]
    kept = _person_filter(ix, query, index, groups)
    if kept is None:  # every person: the rows of each (training, state) asked, straight from the buckets
        states = [s for s in STATES if not query.states or s in query.states]
        chosen = [i for t in trainings for s in states for i in ix.buckets.get((t, s), ())]
    else:  # the people kept, in each training asked
        chosen = [t * n + p for t in trainings for p in kept]
        if query.states:
            answers, states = ix.answers, query.states
            chosen = [i for i in chosen if answers[i][2] in states]
    if query.late:
        late = ix.late
        chosen = [i for i in chosen if late[i]]
    _sort(chosen, query.sort, ix)
    start = min(query.offset, len(chosen))
    stop = len(chosen) if query.limit is None else min(start + query.limit, len(chosen))
    shown = chosen[start:stop]
    return PeopleList(
        as_of=judged.as_of,
        point_in_time=judged.point_in_time,
        matched=len(chosen),
        offset=query.offset,
        shown=len(shown),
        rows=_explained(ev, shown, n),
    )


class RowIndex:
    """What choosing and ordering the rows of one evaluation reads: its answers grouped by training and
    state, the people's filter values, and a sort key per row for each order asked.

    Rows are numbered as `Evaluation.answers` lists them (training by training, people in population
    order: row = training * people + person). `select_people` makes one per call; a server that keeps the
    evaluation keeps this beside it, so a filtered page reads groups and keys instead of rebuilding
    150,000 answers. Each part is made the first time a query needs it, then kept. Nothing here decides:
    it arranges the evaluation's answers.
    """

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.people: Sequence[Person] = evaluation.population
        self.n = len(self.people)
        self.trainings = [t.key for t in evaluation.trainings_config.trainings]
        self._keys: dict[str, list[int]] = {}

    @cached_property
    def answers(self) -> list[DecisionRow]:
        return self.evaluation.answers()

    @cached_property
    def buckets(self) -> dict[tuple[int, str], list[int]]:
        """Rows by (training position, state), each in row order."""
        found: dict[tuple[int, str], list[int]] = {}
        n = max(self.n, 1)
        for i, (_, _, state, _, _) in enumerate(self.answers):
            found.setdefault((i // n, state), []).append(i)
        return found

    @cached_property
    def late(self) -> bytearray:
        return bytearray(1 if row[4] else 0 for row in self.answers)

    @cached_property
    def names(self) -> list[tuple[str, int]]:
        """(name without case, user id) per person: the order every sort falls back on."""
        return [(p.name.casefold(), p.user_id) for p in self.people]

    @cached_property
    def emails(self) -> list[str]:
        return [p.email.casefold() for p in self.people]

    @cached_property
    def departments(self) -> list[str]:
        return [(p.department or "").strip().casefold() for p in self.people]

    @cached_property
    def manager_emails(self) -> list[str]:
        return [(p.manager_email or "").strip().casefold() for p in self.people]

    @cached_property
    def by_department(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for p, value in enumerate(self.departments):
            found.setdefault(value, []).append(p)
        return found

    @cached_property
    def by_manager(self) -> dict[str, set[int]]:
        """People by their manager's email and by the manager's name (either finds them)."""
        found: dict[str, set[int]] = {}
        for p, person in enumerate(self.people):
            found.setdefault(self.manager_emails[p], set()).add(p)
            found.setdefault((person.manager_name or "").strip().casefold(), set()).add(p)
        return found

    @cached_property
    def name_rank(self) -> list[int]:
        """Each person's place in name order."""
        return self._person_rank(None)

    def _person_rank(self, values: Sequence[object] | None) -> list[int]:
        """Each person's place when sorted by `values` (None: by name alone), ties by name, then user id."""
        names = self.names
        key: Callable[[int], object] = (
            names.__getitem__ if values is None else lambda p: (values[p], names[p])  # pyright: ignore[reportUnknownLambdaType]
        )
        rank = [0] * self.n
        for place, p in enumerate(sorted(range(self.n), key=key)):
            rank[p] = place
        return rank

    def key(self, sort: str) -> list[int]:
        """A sort key per row for `sort` (one of SORTS, a leading '-' reverses): ascending keys give that
        order, ties by name, then user id, then training in the configured order, and rows without the
        value (no department, manager or compliance date) last in either direction."""
        found = self._keys.get(sort)
        if found is not None:
            return found
        by, descending = sort.removeprefix("-"), sort.startswith("-")
        ordered = self._ordered(by)
        missing = self._missing(by)
        past = max(ordered, default=0) + 1  # above every key: the rows without a value come after the others
        if descending:
            found = [past * 2 - k if m else past - k for k, m in zip(ordered, missing, strict=True)]
        else:
            found = [past + k if m else k for k, m in zip(ordered, missing, strict=True)]
        self._keys[sort] = found
        return found

    def _ordered(self, by: str) -> list[int]:
        """A distinct whole number per row, ascending in the order `by`."""
        n, count = self.n, len(self.trainings)
        rows = range(len(self.answers))
        if by == "since":
            since = [_since(row[3]) for row in self.answers]
            place = {value: k for k, value in enumerate(sorted(set(since)))}
            name = self.name_rank
            keys = [(place[since[i]] * n + name[i % n]) * count + i // n for i in rows]
        elif by == "state":
            order = {s: k for k, s in enumerate(STATES)}
            name = self.name_rank
            keys = [(order[row[2]] * count + i // n) * n + name[i % n] for i, row in enumerate(self.answers)]
        elif by == "training":
            name = self.name_rank
            keys = [i // n * n + name[i % n] for i in rows]
        else:
            values = {
                "name": None,
                "email": self.emails,
                "department": self.departments,
                "manager": self.manager_emails,
            }
            person = self._person_rank(values[by])
            keys = [person[i % n] * count + i // n for i in rows]
        return keys

    def _missing(self, by: str) -> bytearray:
        """1 for each row without a value to sort `by` (no department, manager or compliance date)."""
        n = self.n
        if by in ("department", "manager"):
            values = self.departments if by == "department" else self.manager_emails
            return bytearray(0 if values[i % n] else 1 for i in range(len(self.answers)))
        if by == "since":
            return bytearray(1 if row[3] is None else 0 for row in self.answers)
        return bytearray(len(self.answers))


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
    ix: RowIndex, query: PeopleQuery, index: PersonIndex | None, groups: dict[int, str] | None
) -> list[int] | None:
    """The positions of the people the person filters let through, in population order; None: everyone."""
    found: set[int] | None = None

    def narrow(positions: Iterable[int]) -> None:
        nonlocal found
        found = set(positions) if found is None else found.intersection(positions)

    if query.department is not None:
        narrow(ix.by_department.get(query.department.strip().casefold(), ()))
    if query.manager is not None:
        narrow(ix.by_manager.get(query.manager.strip().casefold(), ()))
    if query.group is not None:
        wanted = _group_ids(query.group, groups)
        narrow(p for p, person in enumerate(ix.people) if not wanted.isdisjoint(person.groups))
    if query.search:
        uids = _search(query.search, ix, index)
        narrow(p for p, (_, uid) in enumerate(ix.names) if uid in uids)
    return None if found is None else sorted(found)


def _group_ids(group: str, groups: dict[int, str] | None) -> frozenset[int]:
    """The ids a group name (any case) or id names; a ConfigError when none does."""
    text = group.strip()
    named = {gid for gid, name in (groups or {}).items() if name.strip().casefold() == text.casefold()}
    if text.isdigit():
        named.add(int(text))
    if not named:
        raise ConfigError(f"no KnowBe4 group named '{text[:254]}' in the store", "give a group name or id from KnowBe4")
    return frozenset(named)


def _search(text: str, ix: RowIndex, index: PersonIndex | None) -> set[int]:
    """User ids whose name, email, alias or employee number contains `text` (any case)."""
    needle = text.strip().casefold()
    found = {uid for (name, uid), email in zip(ix.names, ix.emails, strict=True) if needle in name or needle in email}
    if index is not None:
        for table in index.keys[1:]:  # emails, aliases, employee numbers (the user id table is not text)
            for key, uids in table.items():
                if needle in key:
                    found.update(uids)
    return found


def _sort(chosen: list[int], sort: str, ix: RowIndex) -> None:
    """Sort row indexes in place by `sort`; ties by name, then user id, then training (the configured order).

    Rows without the value (no department, manager or compliance date) come last in either direction.
    """
    chosen.sort(key=ix.key(sort).__getitem__)


def _since(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _explained(ev: Evaluation, shown: list[int], n: int) -> Iterator[Decision]:
    """The decisions of the answer rows `shown` (row = training * n + position of the person), explained a
    chunk at a time as they are read and not kept by the evaluation: memory holds one chunk of decisions
    (and of (training, position) pairs), not 150,000."""
    for start in range(0, len(shown), CHUNK):
        yield from ev.explained([(i // n, i % n) for i in shown[start : start + CHUNK]])
