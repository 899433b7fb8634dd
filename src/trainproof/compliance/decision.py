"""What the engine decides for one person and one training, and why.

Decisions are NamedTuples rather than frozen dataclasses on purpose: the engine builds one per person
and training (300,000 for a 100,000-person tenant), and a frozen dataclass costs about 2 µs per
instance in its generated `__init__` against 0.3 µs for a tuple. They are just as immutable.
The explanation (`reason`) is rendered from the fields on demand, so a nightly run pays for the
sentences only of the decisions someone reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NamedTuple

from trainproof.compliance.facts import EnrollmentFact

State = Literal["compliant", "incomplete", "not_enrolled", "grace", "expired"]
STATES: tuple[State, ...] = ("compliant", "incomplete", "not_enrolled", "grace", "expired")


class CampaignResult(NamedTuple):
    """One selected campaign a person is enrolled in, as judged for the decision."""

    campaign_id: int
    name: str
    complete: bool
    completed_at: datetime | None  # when the last outstanding module was first completed
    late: bool  # completed after the campaign's end date (or the enrollment's relative deadline)
    outstanding_modules: tuple[str, ...]
    evidence: tuple[EnrollmentFact, ...]  # for each completed module, the completion that counts

    def to_dict(self) -> dict[str, Any]:
        """The fields `trainproof people --format json` shows per campaign."""
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "complete": self.complete,
            "completed_at": _iso(self.completed_at),
            "outstanding_modules": list(self.outstanding_modules),
        }


class Decision(NamedTuple):
    """The compliance of one person for one training on the as-of date."""

    user_id: int
    email: str
    name: str
    department: str | None
    manager_email: str | None
    training: str  # the training key, e.g. "security_awareness"
    title: str  # the training's title, e.g. "Security Awareness Training"
    state: State
    compliant: bool
    compliant_since: datetime | None  # when compliance was earned; None unless compliant
    earned_at: datetime | None  # the latest compliance earned, also when it has since expired
    late: bool
    sticky: bool  # held by a stored sticky record, not by KnowBe4's current data
    recorded_at: datetime | None  # when that sticky record was kept
    campaigns: tuple[CampaignResult, ...]  # the selected campaigns the person is enrolled in
    due_date: datetime | None  # grace deadline, renewal date, lapse date or campaign deadline
    started_on: datetime | None  # the start date the new-hire grace counts from, when it applies
    rules: tuple[str, ...]  # ids of the rules that produced this decision

    @property
    def evidence(self) -> tuple[EnrollmentFact, ...]:
        """The counted completions behind the decision (for a sticky one, the record's frozen snapshot)."""
        return tuple(fact for c in self.campaigns for fact in c.evidence)

    @property
    def evidence_ids(self) -> tuple[int, ...]:
        return tuple(e.enrollment_id for e in self.evidence)

    @property
    def outstanding(self) -> tuple[CampaignResult, ...]:
        return tuple(c for c in self.campaigns if not c.complete)

    @property
    def reason(self) -> str:
        """One sentence an auditor can read: who, which training, the outcome, the dates and why."""
        return _reason(self)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the fields of `trainproof people --format json`, JSON-ready."""
        return {
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "department": self.department,
            "manager_email": self.manager_email,
            "training": self.training,
            "state": self.state,
            "compliant": self.compliant,
            "compliant_since": _iso(self.compliant_since),
            "late": self.late,
            "sticky": self.sticky,
            "campaigns": [c.to_dict() for c in self.campaigns],
        }

    def to_record(self) -> dict[str, Any]:
        """Everything, for `trainproof person`, exceptions and evidence packs."""
        record = self.to_dict()
        record["campaigns"] = [{**c.to_dict(), "late": c.late} for c in self.campaigns]
        record.update(
            title=self.title,
            earned_at=_iso(self.earned_at),
            recorded_at=_iso(self.recorded_at),
            due_date=_iso(self.due_date),
            reason=self.reason,
            evidence_enrollment_ids=list(self.evidence_ids),
            rules=list(self.rules),
        )
        return record


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: datetime | None) -> str:
    return "an unknown date" if value is None else value.date().isoformat()


def _names(campaigns: tuple[CampaignResult, ...]) -> str:
    return ", ".join(c.name for c in campaigns)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _outstanding(d: Decision) -> str:
    parts: list[str] = []
    for c in d.outstanding:
        modules = ", ".join(c.outstanding_modules)
        parts.append(f"{c.name} ({modules})" if modules else c.name)
    return "; ".join(parts)


def _late(d: Decision) -> str:
    late = [c.name for c in d.campaigns if c.late]
    if not late:
        return ""
    return (
        f"; {', '.join(late)} {'was' if len(late) == 1 else 'were'} completed after the deadline (late, still counted)"
    )


def _reason(d: Decision) -> str:
    who, title = d.name, d.title
    enrolled = len(d.campaigns)
    if d.state == "compliant":
        renewal = f"; renewal due {_day(d.due_date)}" if d.due_date is not None else ""
        if d.sticky:
            where = f" ({_names(d.campaigns)})" if d.campaigns else ""
            return (
                f"{who} is compliant for {title} since {_day(d.compliant_since)}, held by the record kept on "
                f"{_day(d.recorded_at)} from {_count(len(d.evidence), 'completed enrollment')}{where}, so later "
                f"changes in KnowBe4 do not alter it{_late(d)}{renewal}."
            )
        return (
            f"{who} is compliant for {title} since {_day(d.compliant_since)}: enrolled in "
            f"{_count(enrolled, 'selected campaign')} ({_names(d.campaigns)}) and completed every module of "
            f"{'it' if enrolled == 1 else 'each'}{_late(d)}{renewal}."
        )
    if d.state == "expired":
        now = (
            f"outstanding now: {_outstanding(d)}"
            if d.outstanding
            else "no newer completion in KnowBe4"
            if d.campaigns
            else "not enrolled in any selected campaign now"
        )
        return (
            f"{who}'s compliance for {title}, earned {_day(d.earned_at)}, lapsed on {_day(d.due_date)} "
            f"when the renewal period ended; {now}."
        )
    if d.state == "grace":
        days = (d.due_date - d.started_on).days if d.due_date and d.started_on else 0
        progress = f"outstanding: {_outstanding(d)}" if d.outstanding else "not yet enrolled in a selected campaign"
        return (
            f"{who} started on {_day(d.started_on)} and is inside the {days}-day new-hire grace period for "
            f"{title} until {_day(d.due_date)}; {progress}."
        )
    if d.state == "incomplete":
        done = enrolled - len(d.outstanding)
        due = f"; due {_day(d.due_date)}" if d.due_date is not None else ""
        return (
            f"{who} is not compliant for {title}: {done} of the {_count(enrolled, 'selected campaign')} "
            f"they are enrolled in {'is' if done == 1 else 'are'} complete; outstanding: {_outstanding(d)}{due}."
        )
    return f"{who} is not compliant for {title}: not enrolled in any of its selected campaigns."
