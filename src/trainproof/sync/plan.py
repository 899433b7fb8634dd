"""The sync plan: which lists to walk, what each costs in requests, and the least it could cost.

KnowBe4 has no "changed since" filter, so every list is walked in full; what a sync can choose is
which lists. Every run walks the account, users, training campaigns and the module catalogue (store
purchases, policies), plus groups and phishing data when configured. Enrollments are the bulk, and
there are two ways to get them:

* by campaign (`campaign_id=`): every enrollment of each wanted campaign, except campaigns that were
  finished (Completed, Closed, Cancelled) when last fetched in full and still are (`--full` refetches);
* by person (`user_id=`): every enrollment of each active person who is not yet compliant (sticky)
  for a training those campaigns belong to. Late in a training cycle, when few people remain, this is
  far cheaper than walking whole campaigns.

The cheaper one is chosen, and the report says which. Costs use KnowBe4's page size of 500: a page
walk of N records costs N // 500 + 1 requests (the end is a short page, and there is no count), a
cursor walk (enrollments) costs ceil(N / 500), at least 1. The "minimum" is the same sum over the
cheapest way to get the data the run needed, with the counts it actually found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import Any, Literal

from trainproof.statuses import is_finished_campaign
from trainproof.sync.state import StoreState, SyncOptions

__all__ = [
    "PER_PAGE",
    "EnrollmentPlan",
    "Plan",
    "Step",
    "plan_enrollments",
    "plan_recipients",
    "walk_requests",
]

PER_PAGE = 500
# Ask enrollments for the ids KnowBe4 leaves out by default: the campaign, the module, the employee number.
ENRICH: dict[str, Any] = {
    "include_campaign_id": True,
    "include_store_purchase_id": True,
    "include_employee_number": True,
}
Pagination = Literal["page", "cursor", "none"]
Strategy = Literal["campaigns", "users", "none"]


def walk_requests(records: int | None, pagination: Pagination) -> int:
    """Requests needed to read `records` records from one list (unknown: the least possible, 1)."""
    if pagination == "none" or records is None:
        return 1
    if pagination == "page":
        return records // PER_PAGE + 1
    return max(1, math.ceil(records / PER_PAGE))


@dataclass
class Step:
    """One list walk (or single GET) of the plan, with its estimate and, once run, its actuals."""

    key: str
    endpoint: str
    label: str
    pagination: Pagination
    params: dict[str, Any] = field(default_factory=dict[str, Any])
    estimated_records: int | None = None
    requests: int | None = None  # actual, once run
    records: int | None = None  # actual, once run

    @property
    def estimated_requests(self) -> int:
        return walk_requests(self.estimated_records, self.pagination)

    @property
    def minimum(self) -> int:
        """The least this walk could cost: from the actual count once run, else the estimate."""
        n = self.records if self.records is not None else self.estimated_records
        return walk_requests(n, self.pagination)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "estimated_records": self.estimated_records,
            "estimated_requests": self.estimated_requests,
            "records": self.records,
            "requests": self.requests,
        }


@dataclass
class EnrollmentPlan:
    """How enrollments are fetched this run, and what the alternative would have cost."""

    strategy: Strategy
    campaign_ids: list[int]
    user_ids: list[int]
    skipped_finished: list[int]
    campaign_cost: int
    users_cost: int | None
    reason: str
    campaign_estimates: dict[int, int | None] = field(default_factory=dict[int, int | None])

    def steps(self, names: Mapping[int, str | None]) -> list[Step]:
        if self.strategy == "campaigns":
            return [
                Step(
                    key=f"enrollments:campaign:{cid}",
                    endpoint="enrollments",
                    label=f"enrollments of {names.get(cid) or cid}",
                    pagination="cursor",
                    params={"campaign_id": cid, **ENRICH},
                    estimated_records=self.campaign_estimates.get(cid),
                )
                for cid in self.campaign_ids
            ]
        if self.strategy == "users":
            return [
                Step(
                    key=f"enrollments:user:{uid}",
                    endpoint="enrollments",
                    label=f"enrollments of user {uid}",
                    pagination="cursor",
                    params={"user_id": uid, **ENRICH},
                )
                for uid in self.user_ids
            ]
        return []


def _finished_and_fetched(bookmark: Any, status: str | None) -> bool:
    return (
        bookmark is not None
        and bookmark.fetched_at is not None
        and is_finished_campaign(bookmark.fetched_status)
        and is_finished_campaign(status)
    )


def plan_enrollments(
    options: SyncOptions,
    selected: Mapping[str, Set[int]],
    campaigns: Mapping[int, tuple[str | None, str | None]],
    state: StoreState,
    active_users: Set[int],
    *,
    full: bool,
) -> EnrollmentPlan:
    """Choose how to fetch enrollments. `campaigns` maps id -> (name, status) as KnowBe4 lists them now."""
    if options.fetch_all:
        wanted = set(campaigns)
    else:
        wanted = {cid for ids in selected.values() for cid in ids if cid in campaigns}
    skipped = sorted(
        cid for cid in wanted if not full and _finished_and_fetched(state.bookmarks.get(cid), campaigns[cid][1])
    )
    to_fetch = sorted(wanted - set(skipped))
    estimates: dict[int, int | None] = {}
    for cid in to_fetch:
        bm = state.bookmarks.get(cid)
        if bm is None or bm.fetched_at is None:
            estimates[cid] = bm.stored_enrollments if bm is not None and bm.stored_enrollments else None
        else:
            estimates[cid] = bm.enrollment_count if bm.enrollment_count is not None else bm.stored_enrollments
    campaign_cost = sum(walk_requests(estimates[cid], "cursor") for cid in to_fetch)

    users_cost: int | None = None
    needed: list[int] = []
    if not options.fetch_all and to_fetch and not full:
        fetching = set(to_fetch)
        relevant = {key for key, ids in selected.items() if ids & fetching}
        needed = sorted(u for u in active_users if not relevant <= state.open_sticky.get(u, frozenset()))
        users_cost = len(needed)  # one cursor page each: a person rarely has 500 enrollments

    if not to_fetch:
        reason = "every wanted campaign is finished and already stored" if wanted else "no campaign is wanted"
        return EnrollmentPlan("none", [], [], skipped, 0, users_cost, reason, estimates)
    if users_cost is not None and users_cost < campaign_cost:
        reason = (
            f"per person: {len(needed):,} people are not yet compliant, {users_cost:,} requests "
            f"instead of {campaign_cost:,} for {len(to_fetch)} whole campaigns"
        )
        return EnrollmentPlan("users", to_fetch, needed, skipped, campaign_cost, users_cost, reason, estimates)
    reason = f"by campaign: {len(to_fetch)} campaigns"
    if users_cost is not None:
        reason += f" ({campaign_cost:,} requests; per person would take {users_cost:,})"
    return EnrollmentPlan("campaigns", to_fetch, [], skipped, campaign_cost, users_cost, reason, estimates)


def plan_recipients(
    tests: Mapping[int, tuple[str | None, str | None]], state: StoreState, *, full: bool
) -> tuple[list[Step], list[int]]:
    """Recipient walks for each security test (id -> (status, campaign type)), except tests finished
    when last fetched and still finished. Callback tests are asked for with `campaign_type=callback`."""
    steps: list[Step] = []
    skipped: list[int] = []
    for pst_id in sorted(tests):
        status, kind = tests[pst_id]
        known = state.recipients.get(pst_id)
        if not full and known is not None and is_finished_campaign(known[0]) and is_finished_campaign(status):
            skipped.append(pst_id)
            continue
        steps.append(
            Step(
                key=f"recipients:{pst_id}",
                endpoint="recipients",
                label=f"recipients of security test {pst_id}",
                pagination="page",
                params={"pst_id": pst_id, "campaign_type": "callback"} if kind == "callback" else {"pst_id": pst_id},
                estimated_records=known[1] if known is not None else None,
            )
        )
    return steps, skipped


@dataclass
class Plan:
    """Every step of a run (fixed lists, enrollments, recipients) and the chosen enrollment strategy."""

    steps: list[Step]
    enrollments: EnrollmentPlan | None
    notes: list[str] = field(default_factory=list[str])
    estimate_is_lower_bound: bool = False

    @property
    def estimated_requests(self) -> int:
        return sum(s.estimated_requests for s in self.steps)

    def minimum_requests(self) -> int:
        """The least the run's data could cost: fixed walks plus the cheaper way to get enrollments."""
        fixed = sum(s.minimum for s in self.steps if not s.key.startswith("enrollments:"))
        enr = [s for s in self.steps if s.key.startswith("enrollments:")]
        chosen = sum(s.minimum for s in enr)
        ep = self.enrollments
        if ep is None or ep.strategy == "none":
            return fixed + chosen
        if ep.strategy == "campaigns":
            other = ep.users_cost
        else:
            other = sum(walk_requests(ep.campaign_estimates.get(cid), "cursor") for cid in ep.campaign_ids)
        return fixed + (chosen if other is None else min(chosen, other))

    def as_dict(self) -> dict[str, Any]:
        ep = self.enrollments
        return {
            "strategy": ep.strategy if ep is not None else "none",
            "reason": ep.reason if ep is not None else "",
            "estimated_requests": self.estimated_requests,
            "estimate_is_lower_bound": self.estimate_is_lower_bound,
            "skipped_finished_campaigns": ep.skipped_finished if ep is not None else [],
            "notes": list(self.notes),
            "steps": [s.as_dict() for s in self.steps],
        }
