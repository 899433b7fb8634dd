"""`report campaigns`: KnowBe4's "Monitor enrollment status -- check completion rates weekly".

One row per training campaign: who it targets and how many of them are enrolled, enrollments per
status, completion rates (per enrollment and per person), the deadline, and the "Data Considerations"
KnowBe4 documents flagged where they apply, so an admin sees why a number looks wrong before asking.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from trainproof import clock
from trainproof.compliance.deadline import CampaignDeadline, days_until
from trainproof.reports._common import ReportInputError, ReportRow, is_retired, rate
from trainproof.statuses import campaign_filter, is_finished_campaign, status_matches
from trainproof.store.campaigns import CampaignRow, load_campaign_rows
from trainproof.store.enrollments import EnrollmentRow, load_enrollment_rows
from trainproof.store.people import UserRow, load_user_rows
from trainproof.store.source import Source, connect

__all__ = [
    "JUST_STARTED",
    "CampaignReport",
    "campaign_reports",
    "counted_enrollments",
    "report_campaigns",
    "target_users",
]

# A campaign younger than this with no completion has "just started" (KnowBe4: "Allow time for users to complete").
JUST_STARTED = timedelta(days=7)
_STATE_ORDER = {"active": 0, "scheduled": 1, "created": 2, "closed": 3, "archived": 4, "cancelled": 5, "unknown": 6}


class CampaignReport(ReportRow):
    campaign_id: int
    name: str
    status: str | None
    state: str
    duration_type: str | None
    start_date: datetime | None
    deadline: datetime | None
    relative_duration: str | None
    days_to_deadline: int | None
    target_users: int | None
    enrolled_users: int
    enrollment_rate: float | None
    enrollments: int
    not_started: int
    in_progress: int
    completed: int
    past_due: int
    other_status: int
    overdue: int
    completion_rate: float | None
    users_complete: int
    user_completion_rate: float | None
    knowbe4_completion_percentage: float | None
    flags: list[str]


def target_users(campaign: CampaignRow, active: Sequence[UserRow]) -> set[int] | None:
    """Active users in the campaign's target groups (group 0 is All Users); None when groups are unknown.

    `active`: the users active at the report's time (`UserRow.active_at`), found once for every campaign.
    """
    if not campaign.group_ids:
        return None
    groups = set(campaign.group_ids)
    if 0 in groups:
        return {u.id for u in active}
    return {u.id for u in active if not groups.isdisjoint(u.group_ids)}


def counted_enrollments(
    enrollments: list[EnrollmentRow], users: dict[int, UserRow], at: datetime
) -> list[EnrollmentRow]:
    """Enrollments that count: a known person who is active (null users and archived people left out)."""
    gone = {uid for uid, user in users.items() if not user.active_at(at)}
    return [e for e in enrollments if e.user_id is not None and e.user_id not in gone]


def _one(
    c: CampaignRow,
    rows: list[EnrollmentRow],
    active: Sequence[UserRow],
    other_modules: dict[int, set[tuple[int, str]]],
    at: datetime,
) -> CampaignReport:
    states = Counter(e.state for e in rows)
    per_user: dict[int, dict[str, bool]] = defaultdict(dict)
    pairs = Counter[tuple[int, str]]()
    late = overdue = stuck = 0
    durations = {k.module_key: k.duration for k in c.content}
    rule = CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration)
    for e in rows:
        assert e.user_id is not None
        mods = per_user[e.user_id]
        mods[e.module_key] = mods.get(e.module_key, False) or e.complete
        pairs[(e.user_id, e.module_key)] += 1
        deadline = rule.due(e.enrollment_date)
        if e.complete:
            if deadline is not None and e.completion_date is not None and e.completion_date > deadline:
                late += 1
        elif deadline is not None and at > deadline:
            overdue += 1
        minutes = durations.get(e.module_key)
        if e.state == "in_progress" and minutes and (e.time_spent or 0) >= minutes * 60:
            stuck += 1
    users_complete = sum(1 for mods in per_user.values() if mods and all(mods.values()))
    targets = target_users(c, active)
    enrolled = set(per_user)
    kind = rule.kind
    deadline = rule.end

    flags: list[str] = []
    completed = states["completed"]
    if rows and completed == 0 and c.state in ("active", "scheduled", "created"):
        age = at - c.start_date if c.start_date else None
        if age is None or age <= JUST_STARTED:
            flags.append("zero completion: the campaign just started, allow time")
        else:
            flags.append(f"zero completion after {age.days} days: check that people received it")
    if not rows and c.state == "active":
        flags.append("no enrollments: check the target groups")
    if late:
        flags.append(f"{late} completed after the deadline (marked past due, then completed)")
    in_campaign = sum(n - 1 for n in pairs.values() if n > 1)
    elsewhere = sum(1 for pair in pairs if pair in other_modules.get(c.campaign_id, set()))
    if in_campaign or elsewhere:
        parts: list[str] = []
        if in_campaign:
            parts.append(f"{in_campaign} repeat enrollments in this campaign")
        if elsewhere:
            parts.append(f"{elsewhere} also enrolled in the same module by another campaign")
        allowed = "allowed" if c.allow_multiple_enrollments else "not allowed"
        flags.append(f"duplicate enrollments: {', '.join(parts)} (multiple enrollments {allowed})")
    retired = [k.name or k.module_key for k in c.content if is_retired(k.retired, k.retirement_date, at)]
    if retired:
        flags.append("retired modules: " + ", ".join(retired))
    # Only open campaigns: people who joined after a campaign closed were never meant to be in it.
    if targets is not None and not is_finished_campaign(c.status) and (missing := len(targets - enrolled)):
        flags.append(f"{missing} people in the target groups are not enrolled: check group membership")
    if stuck:
        flags.append(f"{stuck} in progress after the module's full time: an assessment may need a retake")

    return CampaignReport(
        campaign_id=c.campaign_id,
        name=c.name,
        status=c.status,
        state=c.state,
        duration_type=c.duration_type,
        start_date=c.start_date,
        deadline=deadline,
        relative_duration=c.relative_duration if kind == "relative" else None,
        days_to_deadline=days_until(deadline, at) if deadline else None,
        target_users=len(targets) if targets is not None else None,
        enrolled_users=len(enrolled),
        enrollment_rate=rate(len(enrolled & targets), len(targets)) if targets is not None else None,
        enrollments=len(rows),
        not_started=states["not_started"],
        in_progress=states["in_progress"],
        completed=completed,
        past_due=states["past_due"],
        other_status=states["unknown"],
        overdue=overdue,
        completion_rate=rate(completed, len(rows)),
        users_complete=users_complete,
        user_completion_rate=rate(users_complete, len(per_user)),
        knowbe4_completion_percentage=c.completion_percentage,
        flags=flags,
    )


def campaign_reports(
    campaigns: dict[int, CampaignRow],
    users: dict[int, UserRow],
    enrollments: list[EnrollmentRow],
    at: datetime,
    *,
    status: str | None = None,
) -> list[CampaignReport]:
    """The report from rows already read (`report html` reads them once for this and the quarterly trend):
    campaigns and users KnowBe4 still lists, and their enrollments."""
    try:
        accepted = campaign_filter(status) if status else None
    except ValueError as exc:
        raise ReportInputError(str(exc)) from None
    chosen = [c for c in campaigns.values() if accepted is None or status_matches(c.status, accepted)]
    counted = counted_enrollments(enrollments, users, at)
    open_ids = {cid for cid, c in campaigns.items() if not is_finished_campaign(c.status)}
    by_campaign: dict[int, list[EnrollmentRow]] = defaultdict(list)
    seen: dict[tuple[int, str], set[int]] = defaultdict(set)
    for e in counted:
        cid, uid = e.campaign_id, e.user_id
        if cid is None or uid is None:
            continue
        by_campaign[cid].append(e)
        if cid in open_ids:
            seen[(uid, e.module_key)].add(cid)
    # (user, module) pairs that another open campaign also enrolled, per campaign (last year's campaign
    # assigning the same module again is a renewal, not a duplicate).
    other: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for pair, ids in seen.items():
        if len(ids) > 1:
            for cid in ids:
                other[cid].add(pair)
    active = [u for u in users.values() if u.active_at(at)]
    out = [_one(c, by_campaign.get(c.campaign_id, []), active, other, at) for c in chosen]
    far = datetime.max.replace(tzinfo=at.tzinfo)
    out.sort(key=lambda r: (_STATE_ORDER.get(r.state, 9), r.deadline or far, r.name, r.campaign_id))
    return out


def report_campaigns(source: Source, *, status: str | None = None, at: datetime | None = None) -> list[CampaignReport]:
    """Every training campaign in the store (or those whose status matches `status`, in either vocabulary)."""
    when = at or clock.now()
    if status:
        try:
            campaign_filter(status)
        except ValueError as exc:
            raise ReportInputError(str(exc)) from None
    with connect(source) as conn:
        campaigns = load_campaign_rows(conn)
        users = load_user_rows(conn)
        enrollments = load_enrollment_rows(conn)
    return campaign_reports(campaigns, users, enrollments, when, status=status)
