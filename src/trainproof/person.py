"""One person's record: each training's decision with its reasons, the evidence's history, and the log of
decisions and resets.

`trainproof person` and the console's person page show this one record, so a person never reads
differently in a terminal and in a browser. Decisions come from `trainproof.judging`, the one judging path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainproof.compliance.decision import Decision
from trainproof.compliance.facts import Person
from trainproof.config import Settings
from trainproof.judging import Judged, judge
from trainproof.store import compliance_events, enrollment_history, load_people
from trainproof.store.handle import StoreConnection
from trainproof.store.person_index import PersonIndex, person_aliases, person_index

__all__ = ["PersonRecord", "person_record"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Everything known about one person on the as-of date."""

    person: Person
    as_of: datetime
    out_of_scope: str | None  # why the person is outside the compliance population, if they are
    decisions: tuple[Decision, ...]
    events: tuple[dict[str, Any], ...]  # the decision and reset log, oldest first
    evidence_history: dict[int, list[dict[str, Any]]]  # every version of each evidence enrollment
    aliases: tuple[str, ...] = ()  # older addresses KnowBe4 keeps for the person

    def to_dict(self) -> dict[str, Any]:
        """The record as `trainproof person --format json` prints it (datetimes left to the writer)."""
        p = self.person
        return {
            "user_id": p.user_id,
            "email": p.email,
            "name": p.name,
            "department": p.department,
            "manager_email": p.manager_email,
            "aliases": list(self.aliases),
            "employee_start_date": p.employee_start_date,
            "as_of": self.as_of,
            "out_of_scope": self.out_of_scope,
            "trainings": [d.to_record() for d in self.decisions],
            "events": list(self.events),
            "evidence_history": {str(k): v for k, v in self.evidence_history.items()},
        }


def person_record(
    conn: StoreConnection,
    settings: Settings,
    who: str,
    *,
    as_of: datetime | None = None,
    judged: Judged | None = None,
    index: PersonIndex | None = None,
) -> PersonRecord:
    """The record of the person `who` names (email, KnowBe4 alias, employee number or user id).

    `judged` and `index`: an evaluation and a person index of this store already made (a server keeps
    one per store version), else the store is judged now or at `as_of` and indexed. UnknownPerson or
    AmbiguousPerson (ConfigErrors) when `who` names nobody or several people.
    """
    uid = (index or person_index(conn)).find(who)
    if judged is None:
        judged = judge(conn, settings, as_of=as_of)
    person = next((p for p in judged.facts.people if p.user_id == uid), None)
    if person is None:  # not among the facts of that date (e.g. added to KnowBe4 after it): as known now
        person = next(p for p in load_people(conn) if p.user_id == uid)
    decisions = judged.evaluation.for_user(uid)  # only this person's decisions are explained
    history = {e.enrollment_id: enrollment_history(conn, e.enrollment_id) for d in decisions for e in d.evidence}
    excluded = next((x.reason for x in judged.evaluation.excluded if x.person.user_id == uid), None)
    return PersonRecord(
        person=person,
        as_of=judged.as_of,
        out_of_scope=excluded,
        decisions=decisions,
        events=tuple(compliance_events(conn, user_id=uid)),
        evidence_history=history,
        aliases=person_aliases(conn, uid),
    )
