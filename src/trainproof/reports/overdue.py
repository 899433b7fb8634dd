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
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from trainproof import clock
from trainproof.compliance.deadline import CampaignDeadline, days_until
from trainproof.compliance.decision import Decision
from trainproof.config import Settings
from trainproof.judging import judge
from trainproof.reports._common import ReportRow
from trainproof.store.campaigns import CampaignRow, load_campaign_rows
from trainproof.store.enrollments import EnrollmentRow, load_enrollment_rows
from trainproof.store.people import UserRow, load_user_rows
from trainproof.store.source import Source, connect

__all__ = ["NO_MANAGER", "ManagerSummary", "OverdueRow", "by_manager", "overdue_rows", "report_overdue"]

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


def _marked_past_due(enrollments: Iterable[EnrollmentRow]) -> set[tuple[int, int]]:
    """(user, campaign) pairs with an incomplete enrollment KnowBe4 already marks Past Due."""
    return {
        (e.user_id, e.campaign_id)
        for e in enrollments
        if e.user_id is not None and e.campaign_id is not None and not e.complete and e.state == "past_due"
    }


def _unenrolled_deadline(d: Decision, user: UserRow | None, chosen: Sequence[CampaignRow]) -> datetime | None:
    """When someone enrolled in none of a training's campaigns was due.

    As if they had been enrolled when the campaign (or they) started: a Specific End Date campaign's end,
    or start + relative duration; the earliest over the training's campaigns, and never before the
    new-hire grace the engine gave them (its `due_date`). Without any campaign deadline, the grace end.
    A person's start date alone would date a long-serving employee's "deadline" years before the
    campaign existed.
    """
    started = user.started if user is not None else None
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


def overdue_rows(
    decisions: Iterable[Decision],
    users: dict[int, UserRow],
    campaigns: dict[int, CampaignRow],
    enrollments: Iterable[EnrollmentRow],
    at: datetime,
    selected: Mapping[str, Sequence[int]] | None = None,
) -> list[OverdueRow]:
    """The escalation list: sorted by manager, then most days overdue first.

    `selected` (training key -> its campaign ids) dates the not-enrolled: see `_unenrolled_deadline`.
    """
    marked = _marked_past_due(enrollments)
    rows: list[OverdueRow] = []
    for d in decisions:
        if d.state in ("compliant", "grace"):
            continue
        user = users.get(d.user_id)
        outstanding = d.outstanding
        modules = sorted({m for c in outstanding for m in c.outstanding_modules})
        deadline: datetime | None
        if d.state == "not_enrolled":
            ids = selected.get(d.training, ()) if selected is not None else ()
            deadline = _unenrolled_deadline(d, user, [campaigns[i] for i in ids if i in campaigns])
        else:  # incomplete: the earliest deadline of what they owe; expired: the day it lapsed
            deadline = d.due_date
        if outstanding:
            names = [c.name for c in outstanding]
        elif d.state == "not_enrolled":
            names = ["not enrolled (check group membership)"]
        else:
            names = ["renewal period ended"]
        days = None if deadline is None else max(0, -days_until(deadline, at))
        knowbe4_past_due = any((d.user_id, c.campaign_id) in marked for c in outstanding)
        manager_name = user.manager_name if user else None
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
                deadline=deadline,
                days_overdue=days,
                past_due=knowbe4_past_due or (deadline is not None and deadline < at),
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
        evaluation = judge(conn, settings, at=when, trainings=[training] if training else None).evaluation
        selected = {cid for t in evaluation.policy.trainings for cid in t.campaign_ids}
        users = load_user_rows(conn, include_removed=True)
        campaigns = load_campaign_rows(conn, include_removed=True)
        enrollments = load_enrollment_rows(conn, campaign_ids=selected)
    chosen = {t.key: t.campaign_ids for t in evaluation.policy.trainings}
    return overdue_rows(evaluation.decisions, users, campaigns, enrollments, when, chosen)
