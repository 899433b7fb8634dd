"""`report departments`: KnowBe4's quarterly review, "Identify departments with lowest completion rates".

Per training and per group of people (department, manager, division or location), how many are
compliant by the compliance engine's rule, lowest rate first. People inside their new-hire grace
period are shown but left out of the rate: they are not due yet, and counting them would make a
department that hires a lot look negligent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from trainproof import clock
from trainproof.compliance.decision import Decision
from trainproof.config import Settings
from trainproof.judging import judge
from trainproof.reports._common import ReportInputError, ReportRow, rate
from trainproof.store.people import UserRow, load_user_rows
from trainproof.store.source import Source, connect

__all__ = ["GROUPINGS", "NO_GROUP", "DepartmentRow", "GroupBy", "department_rows", "report_departments"]

GroupBy = Literal["department", "manager", "division", "location"]
GROUPINGS: tuple[GroupBy, ...] = ("department", "manager", "division", "location")
NO_GROUP = "(none)"


class DepartmentRow(ReportRow):
    training: str
    title: str
    group_by: str
    group: str
    people: int
    compliant: int
    incomplete: int
    not_enrolled: int
    expired: int
    grace: int
    completion_rate: float | None  # compliant / (people - grace)


def _group_of(d: Decision, user: UserRow | None, by: GroupBy) -> str:
    if by == "department":
        value = d.department
    elif by == "manager":
        value = d.manager_email
        if value and user is not None and user.manager_name:
            value = f"{user.manager_name} <{value}>"
    elif by == "division":
        value = user.division if user else None
    else:
        value = user.location if user else None
    value = (value or "").strip()
    return value or NO_GROUP


def department_rows(decisions: Iterable[Decision], users: dict[int, UserRow], by: GroupBy) -> list[DepartmentRow]:
    """Group decisions per training and `by`; lowest completion rate first (unknown rates last)."""
    if by not in GROUPINGS:
        raise ReportInputError(f"cannot group by '{by}'", "use one of " + ", ".join(GROUPINGS))
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    titles: dict[str, str] = {}
    for d in decisions:
        titles[d.training] = d.title
        counts[(d.training, _group_of(d, users.get(d.user_id), by))][d.state] += 1
    rows: list[DepartmentRow] = []
    for (training, group), c in counts.items():
        people = sum(c.values())
        rows.append(
            DepartmentRow(
                training=training,
                title=titles[training],
                group_by=by,
                group=group,
                people=people,
                compliant=c["compliant"],
                incomplete=c["incomplete"],
                not_enrolled=c["not_enrolled"],
                expired=c["expired"],
                grace=c["grace"],
                completion_rate=rate(c["compliant"], people - c["grace"]),
            )
        )
    rows.sort(
        key=lambda r: (
            r.training,
            r.completion_rate is None,
            r.completion_rate if r.completion_rate is not None else 0.0,
            -r.people,
            r.group,
        )
    )
    return rows


def report_departments(
    source: Source,
    settings: Settings,
    *,
    training: str | None = None,
    by: GroupBy = "department",
    at: datetime | None = None,
) -> list[DepartmentRow]:
    """Completion per group of people for each configured training (or one), lowest first."""
    when = at or clock.now()
    with connect(source) as conn:
        evaluation = judge(conn, settings, at=when, trainings=[training] if training else None).evaluation
        users = load_user_rows(conn, include_removed=True)
    return department_rows(evaluation.decisions, users, by)
