"""What a sync will cost before it starts: the plan from the store alone, and `sync --dry-run`.

The plan uses the counts and statuses the last sync left in the store; the real run checks it against
the day's remaining request budget before its bulk walks (KnowBe4 counts every request, failed or not).
"""

from __future__ import annotations

import time

from trainproof import clock
from trainproof.client import DailyBudget
from trainproof.config import Settings
from trainproof.store.db import create_store_engine, current_revision, ensure_schema, sqlite_path
from trainproof.store.handle import read, reading
from trainproof.sync.plan import Plan, Step, plan_enrollments, plan_recipients
from trainproof.sync.report import SyncReport
from trainproof.sync.state import StoreState, SyncOptions, estimate_selection, read_state

__all__ = ["budget_for", "dry_run_report", "estimate_plan", "fixed_steps", "phishing_steps", "stored_state"]


def budget_for(settings: Settings) -> DailyBudget | None:
    if settings.token is None:
        return None
    return DailyBudget(settings.state_dir, settings.base_url, settings.token.fingerprint(), settings.limits.daily_base)


def stored_state(settings: Settings) -> StoreState:
    """The store's state for planning, without creating or migrating anything."""
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        return StoreState()
    engine = create_store_engine(settings.database_url, account=settings.account)
    try:
        with reading(engine):
            if read(engine, current_revision) is None:
                return StoreState()
            ensure_schema(engine)  # raises when the store needs `trainproof db upgrade`
            return read(engine, read_state)
    finally:
        engine.dispose()


def fixed_steps(state: StoreState, options: SyncOptions) -> list[Step]:
    counts = state.counts
    steps = [
        Step("account", "account", "account", "none"),
        Step("users", "users", "users", "page", estimated_records=counts.get("users")),
    ]
    if options.groups:
        steps.append(Step("groups", "groups", "groups", "page", estimated_records=counts.get("groups")))
    steps += [
        Step(
            "training_campaigns",
            "training_campaigns",
            "training campaigns",
            "page",
            estimated_records=counts.get("training_campaigns"),
        ),
        Step(
            "store_purchases",
            "store_purchases",
            "store purchases",
            "page",
            estimated_records=counts.get("store_purchases"),
        ),
        Step("policies", "policies", "policies", "page", estimated_records=counts.get("policies")),
    ]
    return steps


def phishing_steps(state: StoreState) -> list[Step]:
    standard = sum(1 for _, kind in state.tests.values() if kind != "callback")
    callback = sum(1 for _, kind in state.tests.values() if kind == "callback")
    return [
        Step(
            "phishing_campaigns",
            "phishing_campaigns",
            "phishing campaigns",
            "page",
            estimated_records=state.counts.get("phishing_campaigns"),
        ),
        Step("security_tests", "security_tests", "security tests", "page", estimated_records=standard),
        Step(
            "security_tests:callback",
            "security_tests",
            "callback security tests",
            "page",
            params={"campaign_type": "callback"},
            estimated_records=callback,
        ),
    ]


def estimate_plan(state: StoreState, options: SyncOptions, *, full: bool) -> Plan:
    """The plan from the store alone (counts and statuses of the last sync): for --dry-run and the
    budget check made before any request."""
    steps = fixed_steps(state, options)
    campaigns = {cid: (bm.name, bm.status) for cid, bm in state.bookmarks.items() if not bm.removed}
    selected, warnings = estimate_selection(options, state)
    ep = plan_enrollments(options, selected, campaigns, state, state.active_users, full=full)
    if state.is_new:
        ep.reason = "the campaigns are unknown until the first sync reads them"
    steps += ep.steps({cid: name for cid, (name, _) in campaigns.items()})
    if options.phishing:
        steps += phishing_steps(state)
        recipient_steps, _ = plan_recipients(state.tests, state, full=full)
        steps += recipient_steps
    notes = list(warnings)
    if ep.skipped_finished:
        notes.append(
            f"{len(ep.skipped_finished)} finished campaigns already stored are not fetched again (--full does)"
        )
    lower = state.is_new or any(s.estimated_records is None and s.pagination != "none" for s in steps)
    if state.is_new:
        notes.append("new store: counts are unknown until the first sync, so the estimate is a lower bound")
    return Plan(steps=steps, enrollments=ep, notes=notes, estimate_is_lower_bound=lower)


def dry_run_report(settings: Settings, options: SyncOptions, *, full: bool) -> SyncReport:
    started = clock.now()
    t0 = time.monotonic()
    state = stored_state(settings)
    plan = estimate_plan(state, options, full=full)
    budget = budget_for(settings)
    remaining = budget.remaining if budget is not None else None
    if remaining is not None and plan.estimated_requests > remaining:
        approx = "at least " if plan.estimate_is_lower_bound else ""
        plan.notes.append(
            f"this plan needs {approx}{plan.estimated_requests:,} requests but only {remaining:,} are left today: "
            "the sync would stop before fetching (the budget resets at 00:00 UTC)"
        )
    return SyncReport(
        outcome="dry_run",
        run_id=None,
        full=full,
        plan=plan,
        started_at=started,
        finished_at=clock.now(),
        duration_s=time.monotonic() - t0,
        budget_remaining=remaining,
        budget_limit=budget.limit if budget is not None else None,
        warnings=list(plan.notes),
    )
