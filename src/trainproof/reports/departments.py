"""`report departments`: KnowBe4's quarterly review, "Identify departments with lowest completion rates".

Per training and per group of people (department, manager, division or location), how many are
compliant by the compliance engine's rule, lowest rate first. People inside their new-hire grace
period are shown but left out of the rate: they are not due yet, and counting them would make a
department that hires a lot look negligent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Literal

from trainproof import clock
from trainproof.compliance.engine import Evaluation
from trainproof.compliance.facts import Person
from trainproof.config import Settings
from trainproof.judging import judge
from trainproof.reports._common import ReportInputError, ReportRow, rate
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


def _group_of(p: Person, by: GroupBy) -> str:
    if by == "department":
        value = p.department
    elif by == "manager":
        value = p.manager_email
        if value and p.manager_name:
            value = f"{p.manager_name} <{value}>"
    elif by == "division":
        value = p.division
    else:
        value = p.location
    value = (value or "").strip()
    return value or NO_GROUP


def department_rows(evaluation: Evaluation, by: GroupBy) -> list[DepartmentRow]:
    """Group an evaluation's decisions per training and `by`; lowest completion rate first (unknown rates last).

    Counts the decisions' states straight from the evaluation (`answers`): no decision is explained.
    """
    if by not in GROUPINGS:
        raise ReportInputError(f"cannot group by '{by}'", "use one of " + ", ".join(GROUPINGS))
    population = evaluation.population
    groups = [_group_of(p, by) for p in population]  # by position in the population, as `answers` lists them
    n = len(population)
    titles = {t.key: t.title for t in evaluation.trainings_config.trainings}
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for i, (_, training, state, _, _) in enumerate(evaluation.answers()):
        counts[(training, groups[i % n])][state] += 1
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
    return department_rows(evaluation, by)
