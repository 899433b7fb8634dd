"""The single place that maps KnowBe4's status strings to trainproof's domain vocabulary.

The vocabulary is the one of KnowBe4's training campaign workflow, which the MCP tools speak: the
campaign lifecycle (created -> scheduled -> active -> closed, or cancelled; closed -> archived) and the
enrollment statuses not_started, in_progress, completed, past_due. The Reporting API spells them its own
way.

The API's strings vary (Cancelled/Canceled, Completed/Passed) and new ones may appear. Mapping is
total: an unknown string maps to "unknown" and the raw string is always kept next to it, so nothing
crashes and nothing is silently reinterpreted.
"""

from __future__ import annotations

from typing import Literal

CampaignState = Literal["created", "scheduled", "active", "closed", "cancelled", "archived", "unknown"]
EnrollmentState = Literal["not_started", "in_progress", "completed", "past_due", "unknown"]

CAMPAIGN_STATES: tuple[CampaignState, ...] = ("created", "scheduled", "active", "closed", "cancelled", "archived")
ENROLLMENT_STATES: tuple[EnrollmentState, ...] = ("not_started", "in_progress", "completed", "past_due")

# API campaign status (lower-cased) -> lifecycle word.
_CAMPAIGN: dict[str, CampaignState] = {
    "created": "created",
    "pending": "scheduled",
    "scheduled": "scheduled",
    "enrolling": "scheduled",
    "in progress": "active",
    "active": "active",
    "completed": "closed",
    "closed": "closed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "archived": "archived",
}

# API enrollment status (lower-cased) -> enrollment status word. "Passed" is a completion.
_ENROLLMENT: dict[str, EnrollmentState] = {
    "not started": "not_started",
    "in progress": "in_progress",
    "completed": "completed",
    "passed": "completed",
    "past due": "past_due",
}

# The API strings a lifecycle or status word stands for, for filters that accept either vocabulary.
CAMPAIGN_API_STRINGS: dict[CampaignState, tuple[str, ...]] = {
    "created": ("Created",),
    "scheduled": ("Pending", "Scheduled", "Enrolling"),
    "active": ("In Progress", "Active"),
    "closed": ("Completed", "Closed"),
    "cancelled": ("Cancelled", "Canceled"),
    "archived": ("Archived",),
}
ENROLLMENT_API_STRINGS: dict[EnrollmentState, tuple[str, ...]] = {
    "not_started": ("Not Started",),
    "in_progress": ("In Progress",),
    "completed": ("Completed", "Passed"),
    "past_due": ("Past Due",),
}

# Drata lets a training select campaigns in these statuses; KnowBe4's API spells a finished campaign
# Completed (Drata's Closed) and writes both Canceled and Cancelled.
SELECTABLE_CAMPAIGN_STATUSES: tuple[str, ...] = (
    "Created",
    "Pending",
    "In Progress",
    "Active",
    "Canceled",
    "Cancelled",
    "Closed",
    "Completed",
)

_SELECTABLE = frozenset(s.lower() for s in SELECTABLE_CAMPAIGN_STATUSES)

# Enrollment statuses that count as done for the compliance rule.
COMPLETE_API_STATUSES: frozenset[str] = frozenset({"completed", "passed"})

# Campaign statuses after which a campaign's enrollments no longer change on their own.
FINISHED_API_CAMPAIGN_STATUSES: frozenset[str] = frozenset({"completed", "closed", "cancelled", "canceled", "archived"})


def _key(raw: str | None) -> str:
    return " ".join((raw or "").replace("_", " ").split()).lower()


def campaign_state(raw: str | None) -> CampaignState:
    """Lifecycle word for an API campaign status; "unknown" when KnowBe4 sends something new."""
    return _CAMPAIGN.get(_key(raw), "unknown")


def enrollment_state(raw: str | None) -> EnrollmentState:
    """Status word for an API enrollment status; "unknown" when KnowBe4 sends something new."""
    return _ENROLLMENT.get(_key(raw), "unknown")


def is_complete(raw: str | None) -> bool:
    """True only for Completed and Passed: Past Due, In Progress and unknown strings are not complete."""
    return _key(raw) in COMPLETE_API_STATUSES


def is_selectable_campaign(raw: str | None) -> bool:
    """True for the statuses Drata lets a training select (any spelling, case or underscores)."""
    return _key(raw) in _SELECTABLE


def is_finished_campaign(raw: str | None) -> bool:
    return _key(raw) in FINISHED_API_CAMPAIGN_STATUSES


def status_matches(raw: str | None, accepted: frozenset[str]) -> bool:
    """True when an API status string is one of those a `campaign_filter` or `enrollment_filter` returned."""
    return _key(raw) in accepted


def campaign_filter(word: str) -> frozenset[str]:
    """Lower-cased API strings matched by a user filter given in either vocabulary.

    Raises ValueError naming the accepted words when the filter is unknown.
    """
    key = _key(word)
    domain_word = key.replace(" ", "_")
    if domain_word in CAMPAIGN_API_STRINGS:
        return frozenset(s.lower() for s in CAMPAIGN_API_STRINGS[domain_word])  # type: ignore[index]
    if key in _CAMPAIGN:
        return frozenset({key})
    raise ValueError(
        f"unknown campaign status '{word}': use one of {', '.join(CAMPAIGN_STATES)} "
        "or an API status such as 'In Progress'"
    )


def enrollment_filter(word: str) -> frozenset[str]:
    """Lower-cased API strings matched by an enrollment status filter in either vocabulary."""
    key = _key(word)
    domain_word = key.replace(" ", "_")
    if domain_word in ENROLLMENT_API_STRINGS:
        return frozenset(s.lower() for s in ENROLLMENT_API_STRINGS[domain_word])  # type: ignore[index]
    if key in _ENROLLMENT:
        return frozenset({key})
    raise ValueError(
        f"unknown enrollment status '{word}': use one of {', '.join(ENROLLMENT_STATES)} "
        "or an API status such as 'Passed'"
    )
