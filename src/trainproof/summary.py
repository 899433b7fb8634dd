"""Where compliance stands, on one screen: what `trainproof status`, the web console's front page and the
MCP summary show.

Per training the people in scope and how many are in each state, the share compliant and the late
completions; how old the data is (the as-of time and the last successful sync); the three departments
with the lowest completion; and one next step, a `trainproof people` query that lists the people to
chase. Counted from the decisions of `trainproof.judging` (the one judging path) without explaining
any of them, so it costs what judging costs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from trainproof import clock
from trainproof.compliance.decision import STATES
from trainproof.config import Settings
from trainproof.judging import Judged, judge
from trainproof.people import PeopleQuery
from trainproof.store.freshness import store_version
from trainproof.store.handle import StoreConnection

__all__ = ["CHASED", "DepartmentCompletion", "Summary", "TrainingSummary", "summarize", "summary_of"]

CHASED = ("incomplete", "expired", "not_enrolled")
"""The states someone has to act on (grace still runs; compliant is done), in the order a next step prefers."""

LOWEST = 3  # departments shown with the lowest completion


@dataclass(frozen=True, slots=True)
class TrainingSummary:
    """One training: the people in scope and how many are in each state."""

    key: str
    title: str
    in_scope: int
    compliant: int
    incomplete: int
    not_enrolled: int
    grace: int
    expired: int
    late: int  # decisions resting on a campaign completed after its deadline (late, still counted)

    @property
    def percent_compliant(self) -> float | None:
        """Share of the people in scope who are compliant, 0-100; None with nobody in scope."""
        return None if not self.in_scope else 100.0 * self.compliant / self.in_scope

    @property
    def to_chase(self) -> int:
        return self.incomplete + self.not_enrolled + self.expired

    def to_dict(self) -> dict[str, Any]:
        return {
            "training": self.key,
            "title": self.title,
            "in_scope": self.in_scope,
            **{s: getattr(self, s) for s in STATES},
            "percent_compliant": _rounded(self.percent_compliant),
            "late": self.late,
        }


@dataclass(frozen=True, slots=True)
class DepartmentCompletion:
    """A department's completion across the trainings summarized (person x training decisions)."""

    department: str | None  # None: people KnowBe4 has no department for
    decisions: int
    compliant: int

    @property
    def percent_compliant(self) -> float:
        return 100.0 * self.compliant / self.decisions if self.decisions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "decisions": self.decisions,
            "compliant": self.compliant,
            "percent_compliant": _rounded(self.percent_compliant),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """The state of compliance on one date, and what to do next."""

    as_of: datetime
    point_in_time: bool  # an explicit as-of date was asked
    synced_at: datetime | None  # end of the last successful sync; None before the first
    now: datetime
    trainings: tuple[TrainingSummary, ...]
    lowest_departments: tuple[DepartmentCompletion, ...]
    next_query: PeopleQuery | None  # the people to chase first; None when nobody is to be chased
    next_step: str  # what to do next, in one sentence
    next_command: str | None  # the command that does it

    @property
    def sync_age(self) -> timedelta | None:
        """How old the data is now (not at the as-of date): since the last successful sync ended."""
        return None if self.synced_at is None else max(self.now - self.synced_at, timedelta(0))

    def to_dict(self) -> dict[str, Any]:
        """The summary as data (`trainproof status --format json`)."""
        age = self.sync_age
        return {
            "as_of": self.as_of.isoformat(),
            "point_in_time": self.point_in_time,
            "last_sync": None if self.synced_at is None else self.synced_at.isoformat(),
            "last_sync_age_seconds": None if age is None else int(age.total_seconds()),
            "trainings": [t.to_dict() for t in self.trainings],
            "lowest_departments": [d.to_dict() for d in self.lowest_departments],
            "next_step": self.next_step,
            "next_command": self.next_command,
        }


def summarize(
    conn: StoreConnection,
    settings: Settings,
    *,
    as_of: datetime | None = None,
    at: datetime | None = None,
    trainings: list[str] | None = None,
) -> Summary:
    """Judge the store through `trainproof.judging` and summarize it (`at` pins "now", `as_of` asks for a past date)."""
    judged = judge(conn, settings, as_of=as_of, at=at, trainings=trainings)
    return summary_of(judged, synced_at=store_version(conn).synced_at, now=at or clock.now())


def summary_of(judged: Judged, *, synced_at: datetime | None, now: datetime) -> Summary:
    """The summary of an evaluation already made (a server keeps one per store version)."""
    ev = judged.evaluation
    people = ev.population
    n = len(people)
    answers = ev.answers()  # training by training, people in population order
    # Departments are one whatever their case or spaces ("Sales", "sales "), as `people --department` matches them;
    # each is named as its first person writes it.
    spelled: dict[str, str] = {}
    departments = [
        None
        if not p.department or not p.department.strip()
        else spelled.setdefault(_folded(p.department), p.department)
        for p in people
    ]
    totals = ev.totals()
    decided: Counter[str | None] = Counter()
    compliant: Counter[str | None] = Counter()
    trainings: list[TrainingSummary] = []
    for t, spec in enumerate(ev.trainings_config.trainings):
        block = answers[t * n : (t + 1) * n]
        late = 0
        for p, (_, _, state, _, is_late) in enumerate(block):
            late += is_late
            if state == "compliant":
                compliant[departments[p]] += 1
        decided.update(departments)
        counts = totals[spec.key]
        states = [counts[s] for s in STATES]
        trainings.append(TrainingSummary(spec.key, spec.title, counts["total"], *states, late=late))
    lowest = sorted(
        (DepartmentCompletion(d, decided[d], compliant[d]) for d in decided),
        key=lambda d: (d.percent_compliant, -d.decisions, (d.department or "").casefold()),
    )[:LOWEST]
    query, step, command = _next_step(trainings, judged, synced_at)
    return Summary(
        as_of=judged.as_of,
        point_in_time=judged.point_in_time,
        synced_at=synced_at,
        now=now,
        trainings=tuple(trainings),
        lowest_departments=tuple(lowest),
        next_query=query,
        next_step=step,
        next_command=command,
    )


def _next_step(
    trainings: list[TrainingSummary], judged: Judged, synced_at: datetime | None
) -> tuple[PeopleQuery | None, str, str | None]:
    """The training with the most people to chase and the state most of them are in: (query, sentence, command)."""
    if synced_at is None:
        return None, "no successful sync yet: fetch KnowBe4's data first", "trainproof sync"
    chase = max(trainings, key=lambda t: t.to_chase, default=None)
    if chase is None or not chase.to_chase:
        return None, "nobody to chase: everyone in scope is compliant or inside new-hire grace", None
    state = max(CHASED, key=lambda s: getattr(chase, s))
    as_of = judged.as_of if judged.point_in_time else None
    query = PeopleQuery(trainings=(chase.key,), states=frozenset({state}), as_of=as_of)
    when = f" --as-of {as_of.date().isoformat()}" if as_of is not None else ""
    count: int = getattr(chase, state)
    who = "1 person is" if count == 1 else f"{count:,} people are"
    return (
        query,
        f"{who} {_PHRASES[state]} {chase.title}",
        f"trainproof people --training {chase.key} --state {state}{when}",
    )


_PHRASES = {"incomplete": "not done with", "expired": "past their renewal for", "not_enrolled": "not enrolled in"}


def _folded(text: str) -> str:
    return text.strip().casefold()


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
