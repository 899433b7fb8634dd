"""The seed's rule: complete every selected campaign you are enrolled in, in at least one.

This module holds the rule's definitions (enrolled, complete, late) and the single pass over the
enrollments that applies them; the engine only orchestrates. The pass is the hot loop of a
100,000-person evaluation, so it touches each enrollment once, keys groups by one integer per
(user, campaign) and never parses a date.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trainproof.compliance.decision import CampaignResult
from trainproof.compliance.facts import Campaign, EnrollmentFact
from trainproof.compliance.rules._metadata import RuleMetadata
from trainproof.statuses import is_complete

METADATA = RuleMetadata(
    id="training_selected_campaigns_complete",
    title="Every selected campaign a person is enrolled in is complete, and they are enrolled in at least one",
    rationale=(
        "The seed: each individual is required to complete all the selected campaigns they are enrolled "
        "in to count towards completion of the training; campaigns that are not selected are ignored, and "
        "a campaign selected for several trainings counts for each."
    ),
    auditor_text=(
        "A person is enrolled in a campaign when KnowBe4 lists at least one enrollment of theirs in it. A "
        "campaign is complete for them when every module (store purchase or uploaded policy) they are "
        "enrolled in within it has at least one enrollment with status Completed or Passed and a completion "
        "date on or before the as-of date; Not Started, In Progress, Past Due and unrecognised statuses do "
        "not count. A person is compliant when enrolled in at least one selected campaign and every such "
        "campaign is complete. Completions after the campaign's deadline count and are flagged late."
    ),
    remediation=(
        "Remind the person to finish the outstanding modules listed in the decision, or enrol them in the "
        "training's campaigns if they are enrolled in none."
    ),
    source="seed drata-knowbe4-connection.txt 'How Drata Determines Training Compliance'",
)

# module_key -> the completion that counts (the earliest one), or None while no enrollment is complete.
Modules = dict[str, EnrollmentFact | None]

_RELATIVE_RE = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CampaignInfo:
    """What the rule needs to know about a selected campaign: its name and its deadline."""

    campaign_id: int
    name: str
    end_date: datetime | None = None
    relative: tuple[str, int] | None = None  # ("week", 2) for "2 weeks" after enrollment

    @classmethod
    def of(cls, campaign_id: int, campaign: Campaign | None) -> CampaignInfo:
        if campaign is None:
            return cls(campaign_id, f"campaign {campaign_id}")
        relative = None
        if campaign.end_date is None and campaign.relative_duration:
            match = _RELATIVE_RE.match(campaign.relative_duration)
            if match:
                relative = (match.group(2).lower(), int(match.group(1)))
        return cls(campaign_id, campaign.name, campaign.end_date, relative)

    def deadline(self, enrollment: EnrollmentFact) -> datetime | None:
        """The campaign's end date, or the enrollment date plus the campaign's relative duration."""
        if self.end_date is not None:
            return self.end_date
        if self.relative is None or enrollment.enrollment_date is None:
            return None
        unit, amount = self.relative
        start = enrollment.enrollment_date
        if unit == "day":
            return start + timedelta(days=amount)
        if unit == "week":
            return start + timedelta(weeks=amount)
        return _add_months(start, amount * (12 if unit == "year" else 1))


def collect(
    enrollments: Iterable[EnrollmentFact], index: Mapping[int, int], as_of: datetime
) -> tuple[dict[int, Modules], dict[str, str]]:
    """Group the enrollments of selected campaigns by (user, campaign) in one pass.

    `index` maps each selected campaign id to a small integer i; the group of user u in that campaign
    is keyed `u * len(index) + i`. Null users, enrollments removed from KnowBe4 by `as_of` and
    enrollments made after `as_of` are skipped; a completion counts only when dated by `as_of`.
    Also returns the display names of modules seen incomplete (for the outstanding lists).
    """
    n = len(index) or 1
    groups: dict[int, Modules] = {}
    names: dict[str, str] = {}
    complete_cache: dict[str | None, bool] = {}
    get_index = index.get
    get_group = groups.get
    for e in enrollments:
        i = get_index(e.campaign_id)
        if i is None:
            continue
        uid = e.user_id
        if uid is None:
            continue
        removed = e.removed_at
        if removed is not None and removed <= as_of:
            continue
        enrolled = e.enrollment_date
        if enrolled is not None and enrolled > as_of:
            continue
        key = uid * n + i
        modules = get_group(key)
        if modules is None:
            modules = groups[key] = {}
        status = e.status
        done = complete_cache.get(status)
        if done is None:
            done = complete_cache[status] = is_complete(status)
        completed = e.completion_date
        module = e.module_key
        if done and completed is not None and completed <= as_of:
            prev = modules.get(module)
            if prev is None or prev.completion_date > completed:  # pyright: ignore[reportOptionalOperand]  # prev is a counted completion
                modules[module] = e
        elif module not in modules:
            modules[module] = None
            if module not in names:
                names[module] = e.module_name
    return groups, names


def summarize(info: CampaignInfo, modules: Modules, names: Mapping[str, str]) -> CampaignResult:
    """Judge one person's enrollments in one campaign."""
    end = info.end_date
    relative = info.relative is not None
    if len(modules) == 1:  # the common single-module campaign, without the temporary lists
        for module, fact in modules.items():
            if fact is None:
                return CampaignResult(info.campaign_id, info.name, False, None, False, (names.get(module, module),), ())
            when = fact.completion_date
            if end is not None:
                late = when is not None and when > end
            else:
                deadline = info.deadline(fact) if relative else None
                late = deadline is not None and when is not None and when > deadline
            return CampaignResult(info.campaign_id, info.name, True, when, late, (), (fact,))
    completed_at: datetime | None = None
    outstanding: list[str] = []
    evidence: list[EnrollmentFact] = []
    late = False
    for module, fact in modules.items():
        if fact is None:
            outstanding.append(names.get(module, module))
            continue
        evidence.append(fact)
        when = fact.completion_date
        if when is None:  # never: collect() only keeps dated completions
            continue
        if completed_at is None or when > completed_at:
            completed_at = when
        if end is not None:
            late = late or when > end
        elif relative and not late:
            deadline = info.deadline(fact)
            late = deadline is not None and when > deadline
    if outstanding:
        outstanding.sort()
        return CampaignResult(info.campaign_id, info.name, False, None, False, tuple(outstanding), tuple(evidence))
    return CampaignResult(info.campaign_id, info.name, True, completed_at, late, (), tuple(evidence))


def from_evidence(evidence: Sequence[EnrollmentFact], infos: Mapping[int, CampaignInfo]) -> tuple[CampaignResult, ...]:
    """The campaign results a sticky record's frozen enrollments stand for (all complete)."""
    by_campaign: dict[int, Modules] = {}
    for fact in evidence:
        by_campaign.setdefault(fact.campaign_id, {})[fact.module_key] = fact
    return tuple(
        summarize(infos.get(cid) or CampaignInfo(cid, f"campaign {cid}"), modules, {})
        for cid, modules in by_campaign.items()
    )


def _add_months(value: datetime, months: int) -> datetime:
    year, month = divmod(value.month - 1 + months, 12)
    year += value.year
    month += 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))
