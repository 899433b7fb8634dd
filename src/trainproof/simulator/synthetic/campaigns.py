"""Training campaigns in every status and duration type, with flat `content` lists of purchases and policies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trainproof.simulator.synthetic.content import content_item
from trainproof.simulator.synthetic.draft import DAY, Draft, Person, epoch
from trainproof.simulator.synthetic.organisation import anyone, in_hipaa_audience, is_technology_staff

__all__ = ["DEMO_CAMPAIGN_NAMES", "TRAINING_CAMPAIGNS", "CampaignSpec", "DraftCampaign", "plan_campaigns"]

DEMO_CAMPAIGN_NAMES: tuple[str, ...] = (
    "Security Awareness 2026 - Part A",
    "Security Awareness 2026 - Part B",
    "HIPAA Privacy and Security 2026",
    "AI Acceptable Use 2026",
    "New Hire Onboarding",
    "Phishing Remediation - Q3 2026",
)
"""Training campaign names every generated tenant holds exactly (the demo maps trainings to them)."""


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    status: str
    group: str | None  # None: All Users
    content: tuple[str, ...]
    duration_type: str
    start: date
    end: date | None
    relative: str | None = None
    auto_enroll: bool = False
    allow_multiple: bool = False
    audience: str = "all"


# In campaign_id order; the first ten are what a client sees without exclude_percentages=true.
TRAINING_CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec(
        "Security Awareness 2024",
        "Closed",
        None,
        ("2024 Kevin Mitnick Security Awareness Training - 15 min", "Information Security Policy"),
        "Specific End Date",
        date(2024, 1, 15),
        date(2024, 3, 31),
    ),
    CampaignSpec(
        "New Hire Onboarding",
        "In Progress",
        "New Hires",
        ("Kevin Mitnick Security Awareness Training - 45 min", "Acceptable Use Policy", "Code of Conduct"),
        "Relative End Date",
        date(2023, 6, 1),
        None,
        relative="30 days",
        auto_enroll=True,
    ),
    CampaignSpec(
        "Security Awareness 2025",
        "Completed",
        None,
        ("Kevin Mitnick Security Awareness Training - 45 min", "Security Awareness Proficiency Assessment"),
        "Specific End Date",
        date(2025, 1, 13),
        date(2025, 3, 31),
    ),
    CampaignSpec(
        "HIPAA Privacy and Security 2025",
        "Completed",
        "Clinical Staff - HIPAA",
        ("HIPAA Privacy and Security for Healthcare Workers", "HIPAA Privacy Policy"),
        "Specific End Date",
        date(2025, 2, 3),
        date(2025, 4, 30),
        audience="clinical",
    ),
    CampaignSpec(
        "Holiday Scam Awareness 2025",
        "Canceled",
        None,
        ("Holiday Scams 2025",),
        "Specific End Date",
        date(2025, 11, 17),
        date(2025, 12, 31),
    ),
    CampaignSpec(
        "Security Awareness 2026 - Part A",
        "Closed",
        None,
        ("Security Awareness Fundamentals 2026", "Information Security Policy"),
        "Specific End Date",
        date(2026, 1, 12),
        date(2026, 3, 31),
    ),
    CampaignSpec(
        "Phishing Remediation - Q2 2026",
        "Completed",
        "Phishing Repeat Clickers",
        ("Phishing Foundations: Spot the Red Flags",),
        "Relative End Date",
        date(2026, 4, 1),
        None,
        relative="2 weeks",
        auto_enroll=True,
        allow_multiple=True,
    ),
    CampaignSpec(
        "Password Manager Rollout",
        "Cancelled",
        "IT",
        ("Password Manager Essentials",),
        "Specific End Date",
        date(2026, 5, 4),
        date(2026, 6, 30),
        audience="tech",
    ),
    CampaignSpec(
        "HIPAA Privacy and Security 2026",
        "In Progress",
        "Clinical Staff - HIPAA",
        ("HIPAA Privacy and Security for Healthcare Workers", "HIPAA Privacy Policy"),
        "Specific End Date",
        date(2026, 6, 1),
        date(2026, 10, 15),
        auto_enroll=True,
        audience="clinical",
    ),
    CampaignSpec(
        "Phishing Remediation - Q3 2026",
        "Completed",
        "Phishing Repeat Clickers",
        ("Phishing Foundations: Spot the Red Flags",),
        "Relative End Date",
        date(2026, 7, 1),
        None,
        relative="2 weeks",
        auto_enroll=True,
        allow_multiple=True,
    ),
    CampaignSpec(
        "Security Awareness 2026 - Part B",
        "In Progress",
        None,
        ("The Inside Man: Season 5, Episode 1", "Cybersecurity Escape Room"),
        "Specific End Date",
        date(2026, 9, 1),
        date(2026, 12, 15),
        auto_enroll=True,
    ),
    CampaignSpec(
        "AI Acceptable Use 2026",
        "In Progress",
        None,
        ("AI Acceptable Use and Data Privacy", "AI Acceptable Use Policy"),
        "Specific End Date",
        date(2026, 10, 1),
        date(2026, 11, 30),
        auto_enroll=True,
    ),
    CampaignSpec(
        "Q4 Security Newsletter and Posters",
        "Enrolling",
        None,
        (
            "Security Hints & Tips Newsletter - November 2026",
            "Think Before You Click Poster",
            "Security Moment: Deepfake Voice Scams",
        ),
        "No End Date",
        date(2026, 11, 1),
        None,
        auto_enroll=True,
    ),
    CampaignSpec(
        "Security Awareness 2027 - Part A",
        "Created",
        None,
        ("Security Awareness Fundamentals 2026", "Information Security Policy"),
        "Specific End Date",
        date(2027, 1, 11),
        date(2027, 3, 31),
    ),
)


@dataclass
class DraftCampaign:
    """A training campaign while its tenant is generated (compliance.Campaign is the judged one)."""

    id: int
    name: str
    status: str
    groups: list[dict[str, Any]]
    content: list[dict[str, Any]]
    duration_type: str
    start: int
    end: int | None
    relative: str | None
    relative_days: int | None
    auto_enroll: bool
    allow_multiple: bool
    audience: Callable[[Person], bool]
    reach: float = 1.0  # share of the audience enrolled so far (Enrolling campaigns)
    stop: int | None = None  # when a cancelled campaign stopped
    triggers: list[tuple[Person, int]] = field(default_factory=list[tuple["Person", int]])


_AUDIENCES: dict[str, Callable[[Person], bool]] = {
    "all": anyone,
    "clinical": in_hipaa_audience,
    "tech": is_technology_staff,
}


def plan_campaigns(draft: Draft) -> list[DraftCampaign]:
    """The campaigns of `TRAINING_CAMPAIGNS` with ids, dates and who they reach (remediation: who failed)."""
    everyone = [{"group_id": 0, "name": "All Users"}]
    q2 = (epoch(date(2026, 4, 1)), epoch(date(2026, 7, 1)))
    q3 = (epoch(date(2026, 7, 1)), epoch(date(2026, 10, 1)))
    remediation_q2 = [(p, t) for p in draft.people for t in p.fails if q2[0] <= t < q2[1]]
    remediation_q3 = [(p, t) for p in draft.people for t in p.fails if q3[0] <= t < q3[1]]
    remediation_q2.sort(key=lambda pt: (pt[1], pt[0].id))
    remediation_q3.sort(key=lambda pt: (pt[1], pt[0].id))
    if remediation_q3:  # guarantee a duplicate (same user, same module) even in tiny tenants
        first = remediation_q3[0]
        if sum(1 for p, _ in remediation_q3 if p is first[0]) < 2:
            remediation_q3.insert(1, (first[0], first[1] + 9 * DAY))
    out: list[DraftCampaign] = []
    cid = 4201
    for spec in TRAINING_CAMPAIGNS:
        name, status, relative = spec.name, spec.status, spec.relative
        camp = DraftCampaign(
            id=cid,
            name=name,
            status=status,
            groups=everyone if spec.group is None else draft.group_ref(spec.group),
            content=[content_item(draft, c) for c in spec.content],
            duration_type=spec.duration_type,
            start=epoch(spec.start, 9),
            end=None if spec.end is None or relative is not None else epoch(spec.end, 23, 59, 59),
            relative=relative,
            relative_days=None if relative is None else (30 if relative == "30 days" else 14),
            auto_enroll=spec.auto_enroll,
            allow_multiple=spec.allow_multiple,
            audience=_AUDIENCES[spec.audience],
        )
        if status == "Enrolling":
            camp.reach = 0.3
        if status in ("Cancelled", "Canceled"):
            camp.stop = camp.start + 19 * DAY
            camp.reach = 0.6
        if name == "Phishing Remediation - Q2 2026":
            camp.triggers = remediation_q2
        elif name == "Phishing Remediation - Q3 2026":
            camp.triggers = remediation_q3
        out.append(camp)
        cid += 1 + (cid % 3 == 0)
    return out
