"""Enrollments in every status, written straight into the table's columns.

Late completions, repeat enrollments of one user in one module, and enrollments of users deleted since
(`user: null`).
"""

from __future__ import annotations

import random
from typing import Any

from trainproof.simulator.columns import NONE
from trainproof.simulator.instants import format_instant
from trainproof.simulator.synthetic.campaigns import DraftCampaign, plan_campaigns
from trainproof.simulator.synthetic.draft import DAY, Draft, Person, between, instant

__all__ = ["COMPLETED_BY_PASSING", "make_training"]

COMPLETED_BY_PASSING = frozenset({"Training Module", "Assessment"})


def make_training(draft: Draft) -> None:
    """Every training campaign record and, for those already started, its enrollments."""
    rng = draft.rng(7)
    campaigns = plan_campaigns(draft)
    table = draft.tenant.tables["enrollments"]
    next_id = 1_425_001
    ghosts = max(2, draft.n // 500) if draft.n >= 10 else min(draft.n, 1)  # users deleted since: user null
    for camp in campaigns:
        draft.tenant.tables["training_campaigns"].append(
            {
                "campaign_id": camp.id,
                "name": camp.name,
                "groups": camp.groups,
                "status": camp.status,
                "content": camp.content,
                "duration_type": camp.duration_type,
                "start_date": format_instant(camp.start),
                "end_date": instant(camp.end),
                "relative_duration": camp.relative,
                "auto_enroll": camp.auto_enroll,
                "allow_multiple_enrollments": camp.allow_multiple,
            }
        )
        if camp.status == "Created" or camp.start > draft.ref:
            continue
        rows, next_id = campaign_rows(draft, rng, camp, enrollees(draft, rng, camp, ghosts), next_id)
        table.append_encoded(rows)


def enrollees(draft: Draft, rng: random.Random, camp: DraftCampaign, ghosts: int) -> list[tuple[int, Person | None]]:
    """Who is enrolled in a campaign, and when (ghost users were deleted later: `user: null`)."""
    out: list[tuple[int, Person | None]] = []
    if camp.triggers:
        for person, failed_at in camp.triggers:
            out.append((failed_at + DAY + between(rng, 0, 3600), person))
        return out
    horizon = min(draft.ref, camp.end or draft.ref, camp.stop or draft.ref)
    new_hire_campaign = camp.name == "New Hire Onboarding"
    for person in draft.people:
        if not camp.audience(person):
            continue
        if new_hire_campaign:
            if person.start < camp.start or person.start > draft.ref:
                continue
            at = person.start + DAY + between(rng, 0, 3600)
        elif person.start <= camp.start:
            at = camp.start + between(rng, 0, 6 * 3600)
        elif camp.auto_enroll and person.start <= horizon:
            at = person.start + DAY + between(rng, 0, 3600)
        else:
            continue
        if person.archived_at is not None and person.archived_at <= at:
            continue
        if at > draft.ref or (camp.reach < 1.0 and rng.random() >= camp.reach):
            continue
        out.append((at, person))
    if camp.name in ("Security Awareness 2024", "Security Awareness 2025"):
        out.extend((camp.start + between(rng, 0, 6 * 3600), None) for _ in range(ghosts))
    return out


def campaign_rows(
    draft: Draft, rng: random.Random, camp: DraftCampaign, enrollees: list[tuple[int, Person | None]], next_id: int
) -> tuple[list[tuple[Any, ...]], int]:
    """Enrollment rows (column form) for everyone enrolled in a campaign, one per content item.

    The hottest loop of the generator (half a million rows at 50,000 users), hence the locals.
    """
    rnd = rng.random
    ref = draft.ref
    items: list[tuple[str, str, bool, str, int, int]] = []
    for item in camp.content:
        is_policy = item["content_type"] == "Uploaded Policy"
        kind = "Uploaded Policy" if is_policy else item["type"]
        minutes = item.get("minimum_time") if is_policy else item.get("duration")
        items.append(
            (
                item["content_type"],
                item["name"],
                is_policy,
                "Passed" if kind in COMPLETED_BY_PASSING else "Completed",
                (minutes or 2) * 60,
                NONE if is_policy else item["store_purchase_id"],
            )
        )
    enrolling = camp.status == "Enrolling"
    stop, relative, end, cid, cname = camp.stop, camp.relative_days, camp.end, camp.id, camp.name
    rows: list[tuple[Any, ...]] = []
    for at, person in enrollees:
        if person is None:
            diligence, user, horizon = 0.7, None, ref
        else:
            diligence, user = person.diligence, person.enroll_user
            horizon = ref if person.archived_at is None else min(ref, person.archived_at)
        if stop is not None and stop < horizon:
            horizon = stop
        due = end if relative is None else at + relative * DAY
        window = (due - at) if due is not None else 45 * DAY
        never = 0.9 if enrolling else 0.03 + 0.3 * (1 - diligence) ** 3
        lateness = 1.8 if diligence < 0.35 else 1.1  # the careless finish late more often
        past_due = due is not None and due < horizon and stop is None
        for content_type, name, is_policy, done, seconds, purchase_id in items:
            completed = started = NONE
            if rnd() >= never:
                finish = at + int(rnd() * rnd() * lateness * window) + int(rnd() * 8 * 3600)
                if finish <= horizon:
                    completed = finish
                    started = max(at + 60, finish - 600 - int(rnd() * (3 * DAY - 600)))
            if completed == NONE and horizon > at + 3600 and rnd() < 0.35:
                started = at + 3600 + int(rnd() * (horizon - at - 3600))
            if completed != NONE:
                status = done
                spent = int(seconds * (0.55 + 0.95 * rnd()))
            else:
                status = "Past Due" if past_due else ("In Progress" if started != NONE else "Not Started")
                spent = int(seconds * (0.05 + 0.55 * rnd())) if started != NONE else 0
            rows.append(
                (
                    next_id,
                    content_type,
                    name,
                    user,
                    cname,
                    at,
                    started,
                    completed,
                    status,
                    spent,
                    1 if is_policy and completed != NONE else 0,
                    cid,
                    purchase_id,
                )
            )
            next_id += 1
    return rows, next_id
