"""`report overdue`: KnowBe4's escalation list, "Identify non-compliant users -- group by department or manager".

Everyone in scope who is not compliant for a training (incomplete, not enrolled, or expired; people in
their new-hire grace period are not due yet), grouped by manager, with the deadline that applies to
them and how many days ago it passed. The deadline is the decision's own due date
(`trainproof.compliance.deadline`, the same one `status` and `person` show): the earliest deadline of
the modules they still owe (a campaign's end date, or enrollment + relative duration), or, for an
expired compliance, the day it lapsed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from trainproof import clock
from trainproof.compliance.deadline import CampaignDeadline, days_until
from trainproof.compliance.decision import CampaignResult, Decision
from trainproof.compliance.facts import Campaign, EnrollmentFact, Person
from trainproof.config import Settings
from trainproof.judging import Judged, judge
from trainproof.reports._common import ReportRow
from trainproof.statuses import enrollment_state, is_complete
from trainproof.store.source import Source, connect

__all__ = [
    "NO_MANAGER",
    "ManagerSummary",
    "OverdueRow",
    "by_manager",
    "overdue_rows",
    "past_due_counts",
    "report_overdue",
]

NO_MANAGER = "(no manager)"


class OverdueRow(ReportRow):
    manager: str
    manager_email: str | None
    user_id: int
    email: str
    name: str
    department: str | None
    training: str
    title: str
    state: str
    outstanding: list[str]  # campaign names, or the reason when there are none
    modules: list[str]
    deadline: datetime | None
    days_overdue: int | None  # days since the deadline; 0 before it or on the day; None without one
    past_due: bool  # the deadline has passed or KnowBe4 already says Past Due


class ManagerSummary(ReportRow):
    manager: str
    manager_email: str | None
    people: int
    past_due: int
    max_days_overdue: int | None


def _marked_past_due(enrollments: Iterable[EnrollmentFact]) -> set[tuple[int, int]]:
    """(user, campaign) pairs with an incomplete enrollment KnowBe4 still lists and already marks Past Due."""
    marked: dict[str | None, bool] = {}  # per distinct status text: a handful for 300,000 enrollments
    out: set[tuple[int, int]] = set()
    for e in enrollments:
        if e.user_id is None or e.removed_at is not None:
            continue
        late = marked.get(e.status)
        if late is None:
            late = marked[e.status] = not is_complete(e.status) and enrollment_state(e.status) == "past_due"
        if late:
            out.add((e.user_id, e.campaign_id))
    return out


def _unenrolled_deadline(d: Decision, person: Person | None, chosen: Sequence[Campaign]) -> datetime | None:
    """When someone enrolled in none of a training's campaigns was due.

    As if they had been enrolled when the campaign (or they) started: a Specific End Date campaign's end,
    or start + relative duration; the earliest over the training's campaigns, and never before the
    new-hire grace the engine gave them (its `due_date`). Without any campaign deadline, the grace end.
    A person's start date alone would date a long-serving employee's "deadline" years before the
    campaign existed.
    """
    started = (person.employee_start_date or person.joined_on) if person is not None else None
    dues: list[datetime] = []
    for c in chosen:
        known = [t for t in (c.start_date, started) if t is not None]
        begin = max(known) if known else None
        due = CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration).due(begin)
        if due is not None:
            dues.append(due)
    if not dues:
        return d.due_date
    earliest = min(dues)
    return max(earliest, d.due_date) if d.due_date is not None else earliest


@dataclass(frozen=True, slots=True)
class _Owed:
    """One decision to chase, with the deadline that applies to it (what a row and a count both need)."""

    decision: Decision
    outstanding: tuple[CampaignResult, ...]
    person: Person | None
    deadline: datetime | None
    days_overdue: int | None
    past_due: bool


def _owed(judged: Judged, at: datetime) -> Iterator[_Owed]:
    """Every decision not compliant (nor in grace) of one evaluation, with its deadline, in decision order.

    Everything comes from the evaluation and the facts it was made from: no second read of the store.
    Only these decisions are explained (the states come from `answers`), a chunk at a time.
    """
    evaluation, facts = judged.evaluation, judged.facts
    population = evaluation.population
    people = {p.user_id: p for p in population}
    campaigns = {c.campaign_id: c for c in facts.campaigns}
    trainings = evaluation.trainings_config.trainings
    selected = {t.key: [campaigns[i] for i in t.campaign_ids if i in campaigns] for t in trainings}
    marked = _marked_past_due(facts.enrollments)
    n = len(population)
    chase = [(i // n, i % n) for i, (_, _, state, _, _) in enumerate(evaluation.answers()) if state not in _NOT_OWED]
    for start in range(0, len(chase), _CHUNK):
        for d in evaluation.explained(chase[start : start + _CHUNK]):
            person = people.get(d.user_id)
            deadline: datetime | None
            if d.state == "not_enrolled":
                deadline = _unenrolled_deadline(d, person, selected.get(d.training, ()))
            else:  # incomplete: the earliest deadline of what they owe; expired: the day it lapsed
                deadline = d.due_date
            days = None if deadline is None else max(0, -days_until(deadline, at))
            outstanding = d.outstanding
            knowbe4_past_due = any((d.user_id, c.campaign_id) in marked for c in outstanding)
            past_due = knowbe4_past_due or (deadline is not None and deadline < at)
            yield _Owed(d, outstanding, person, deadline, days, past_due)


_NOT_OWED = frozenset({"compliant", "grace"})  # grace: not due yet
_CHUNK = 5000  # decisions explained at a time


def overdue_rows(judged: Judged, at: datetime) -> list[OverdueRow]:
    """The escalation list of one evaluation: sorted by manager, then most days overdue first.

    The not-enrolled are dated by the training's campaigns: see `_unenrolled_deadline`.
    """
    rows: list[OverdueRow] = []
    for owed in _owed(judged, at):
        d, person, outstanding = owed.decision, owed.person, owed.outstanding
        modules = sorted({m for c in outstanding for m in c.outstanding_modules})
        if outstanding:
            names = [c.name for c in outstanding]
        elif d.state == "not_enrolled":
            names = ["not enrolled (check group membership)"]
        else:
            names = ["renewal period ended"]
        manager_name = person.manager_name if person else None
        manager = d.manager_email or NO_MANAGER
        if d.manager_email and manager_name:
            manager = f"{manager_name} <{d.manager_email}>"
        rows.append(
            OverdueRow(
                manager=manager,
                manager_email=d.manager_email,
                user_id=d.user_id,
                email=d.email,
                name=d.name,
                department=d.department,
                training=d.training,
                title=d.title,
                state=d.state,
                outstanding=names,
                modules=modules,
                deadline=owed.deadline,
                days_overdue=owed.days_overdue,
                past_due=owed.past_due,
            )
        )
    rows.sort(
        key=lambda r: (
            r.manager == NO_MANAGER,
            r.manager.lower(),
            -(r.days_overdue if r.days_overdue is not None else -1),
            r.email,
            r.training,
        )
    )
    return rows


def past_due_counts(judged: Judged, at: datetime) -> dict[str, int]:
    """Per training: how many of the escalation list's rows are past due (`report accounts`' overdue column)."""
    counts = {t.key: 0 for t in judged.evaluation.trainings_config.trainings}
    for owed in _owed(judged, at):
        if owed.past_due:
            counts[owed.decision.training] = counts.get(owed.decision.training, 0) + 1
    return counts


def by_manager(rows: Sequence[OverdueRow]) -> list[ManagerSummary]:
    """People to chase per manager (a person counts once however many trainings they owe), most first."""
    people: dict[str, set[int]] = defaultdict(set)
    late: dict[str, set[int]] = defaultdict(set)
    days: dict[str, int | None] = {}
    emails: dict[str, str | None] = {}
    for r in rows:
        people[r.manager].add(r.user_id)
        emails[r.manager] = r.manager_email
        if r.past_due:
            late[r.manager].add(r.user_id)
        if r.days_overdue is not None:
            days[r.manager] = max(days.get(r.manager) or 0, r.days_overdue)
        else:
            days.setdefault(r.manager, None)
    out = [
        ManagerSummary(
            manager=m,
            manager_email=emails[m],
            people=len(ids),
            past_due=len(late[m]),
            max_days_overdue=days.get(m),
        )
        for m, ids in people.items()
    ]
    out.sort(key=lambda s: (s.manager == NO_MANAGER, -s.people, -s.past_due, s.manager.lower()))
    return out


def report_overdue(
    source: Source, settings: Settings, *, training: str | None = None, at: datetime | None = None
) -> list[OverdueRow]:
    """Everyone not compliant for a configured training, grouped by manager, most overdue first."""
    when = at or clock.now()
    with connect(source) as conn:
        judged = judge(conn, settings, at=when, trainings=[training] if training else None)
    return overdue_rows(judged, when)
