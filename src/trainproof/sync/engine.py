"""`run_sync()`: fetch what is needed from KnowBe4 and commit it to the store all at once, or not at all.

The order of a run:

1. take the store's sync lock (a second sync exits with SyncInProgressError, or waits with `wait_s`),
   create the schema of a new store, mark runs left `running` by a killed process as `interrupted`;
2. record the run as `running` (its own small transaction);
3. walk KnowBe4 into staging tables on the sync's own connection (see `store.staging`): account,
   users, groups, training campaigns, store purchases, policies; then the enrollment plan is chosen
   with the fresh campaign statuses (see `plan.py`) and walked; then phishing data. Before the bulk
   walks the plan is checked against the day's remaining request budget;
4. merge everything into the store in ONE transaction (`store.history.apply_staging`), together with
   the campaign bookmarks and the run's `ok` record.

Any failure (bad token, 5xx after retries, a malformed payload, the budget spent, `kill -9`) leaves the
store's data exactly as it was; the run is recorded `failed` in its own transaction (or `interrupted`
by the next sync, after a kill).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

import anyio
import httpx2
from pydantic import BaseModel
from sqlalchemy import Connection, Engine, bindparam, update
from sqlalchemy.exc import SQLAlchemyError

from trainproof import clock
from trainproof.client import (
    Account,
    DailyBudget,
    Enrollment,
    Group,
    KnowBe4Client,
    PhishingCampaign,
    Policy,
    QuotaExhausted,
    Recipient,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
    endpoint,
    parse_record,
)
from trainproof.config import Settings
from trainproof.errors import StoreError, TrainproofError
from trainproof.store import rows, schema
from trainproof.store.db import (
    create_store_engine,
    current_revision,
    ensure_schema,
    sqlite_path,
    write_transaction,
)
from trainproof.store.failures import store_failure
from trainproof.store.history import MergeCounts, apply_staging
from trainproof.store.integrity import require_intact
from trainproof.store.lock import StoreLock
from trainproof.store.runs import RunOutcome, fail_run, finish_run, mark_interrupted, start_run
from trainproof.store.staging import Staging
from trainproof.sync.plan import Plan, Step, plan_enrollments, plan_recipients
from trainproof.sync.state import StoreState, SyncOptions, read_state, resolve_selection, sync_options

__all__ = ["Progress", "SyncReport", "estimate_plan", "run_sync", "run_sync_async"]

logger = logging.getLogger("trainproof.sync")

M = TypeVar("M", bound=BaseModel)
Handler = Callable[["Step"], Callable[[dict[str, Any]], None]]


class Progress(Protocol):
    """Progress callbacks, one bar per resource (the CLI draws them with Rich on a terminal)."""

    def start(self, resource: str, total: int | None) -> None: ...

    def advance(self, resource: str, records: int) -> None: ...

    def finish(self, resource: str) -> None: ...


class _NoProgress:
    def start(self, resource: str, total: int | None) -> None:
        pass

    def advance(self, resource: str, records: int) -> None:
        pass

    def finish(self, resource: str) -> None:
        pass


@dataclass
class SyncReport:
    """What a sync (or a dry run) did, in the figures the CLI prints and `sync_runs` keeps."""

    outcome: Literal["ok", "dry_run"]
    run_id: int | None
    full: bool
    plan: Plan
    started_at: datetime
    finished_at: datetime
    duration_s: float
    requests: int = 0
    retries: int = 0
    users: int = 0
    campaigns: int = 0
    people: int = 0
    enrollments: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict[str, dict[str, int]])
    budget_remaining: int | None = None
    budget_limit: int | None = None
    request_ids: list[str] = field(default_factory=list[str])
    warnings: list[str] = field(default_factory=list[str])
    future_completions: int = 0  # enrollments received with a completion date after the sync started

    @property
    def dry_run(self) -> bool:
        return self.outcome == "dry_run"

    @property
    def strategy(self) -> str:
        ep = self.plan.enrollments
        return ep.strategy if ep is not None else "none"

    @property
    def minimum_requests(self) -> int:
        return self.plan.minimum_requests()

    @property
    def planned_requests(self) -> int:
        return self.plan.estimated_requests

    def _budget_text(self) -> str:
        if self.budget_remaining is None or self.budget_limit is None:
            return "today's remaining requests unknown (no token)"
        return f"{self.budget_remaining:,} of {self.budget_limit:,} requests left today"

    def summary(self) -> str:
        """The one line a sync always ends with."""
        if self.dry_run:
            approx = "at least " if self.plan.estimate_is_lower_bound else ""
            return (
                f"plan: {approx}{self.planned_requests:,} requests (minimum {self.minimum_requests:,}), "
                f"enrollments {self._where()}; {self._budget_text()}"
            )
        return (
            f"synced {self.enrollments:,} enrollments {self._where()} with {self.requests:,} requests "
            f"(minimum {self.minimum_requests:,}), {self.retries:,} retried; {self._budget_text()}"
        )

    def _where(self) -> str:
        ep = self.plan.enrollments
        if ep is None or ep.strategy == "none":
            return "(none needed: " + (ep.reason if ep is not None else "no campaign") + ")"
        if ep.strategy == "users":
            n = len(ep.user_ids)
            who = "person" if n == 1 else "people"
            c = len(ep.campaign_ids)
            return (
                f"of {n:,} {who} not yet compliant (per-person plan, cheaper than {c} campaign{'' if c == 1 else 's'})"
            )
        n = len(ep.campaign_ids)
        return f"in {n:,} campaign{'' if n == 1 else 's'}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of `trainproof sync --format json`."""
        return {
            "outcome": self.outcome,
            "run_id": self.run_id,
            "full": self.full,
            "strategy": self.strategy,
            "requests": self.requests,
            "minimum_requests": self.minimum_requests,
            "planned_requests": self.planned_requests,
            "retries": self.retries,
            "users": self.users,
            "campaigns": self.campaigns,
            "people": self.people,
            "enrollments": self.enrollments,
            "duration_s": round(self.duration_s, 3),
            "budget_remaining": self.budget_remaining,
            "budget_limit": self.budget_limit,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "counts": self.counts,
            "warnings": self.warnings,
            "future_completions": self.future_completions,
            "plan": self.plan.as_dict(),
            "summary": self.summary(),
        }


# --- public entry points ---------------------------------------------------------------------------


def run_sync(
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> SyncReport:
    """Synchronise the store with KnowBe4 (see the module docstring). Blocking; for async callers
    (the MCP server) use `run_sync_async`. Expected failures raise TrainproofError subclasses."""
    return anyio.run(
        lambda: run_sync_async(
            settings, full=full, dry_run=dry_run, progress=progress, wait_s=wait_s, transport=transport
        )
    )


async def run_sync_async(
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    wait_s: float = 0.0,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> SyncReport:
    """The async form of `run_sync`. `transport` is for tests that inject faults a server cannot."""
    options = sync_options(settings)
    if dry_run:
        return _dry_run(settings, options, full=full)
    settings.require_token()
    engine = create_store_engine(settings.database_url)
    try:
        with StoreLock(engine, wait_s=wait_s):
            _ensure(engine)
            with engine.connect() as conn:
                runner = _Runner(conn, settings, options, full=full, progress=progress or _NoProgress())
                return await runner.run(transport)
    finally:
        engine.dispose()


def _ensure(engine: Engine) -> None:
    """The schema is current and the file whole before anything is written (a damaged SQLite file
    would take the sync's writes without a word and fail some later read)."""
    try:
        ensure_schema(engine)
        require_intact(engine)
    except SQLAlchemyError as exc:
        raise _store_error(exc, engine) from None


def _store_error(exc: SQLAlchemyError, engine: Engine | str) -> StoreError:
    return store_failure(exc, engine if isinstance(engine, str) else engine.url)


# --- the dry run -----------------------------------------------------------------------------------


def _budget_for(settings: Settings) -> DailyBudget | None:
    if settings.token is None:
        return None
    return DailyBudget(settings.state_dir, settings.base_url, settings.token.fingerprint(), settings.limits.daily_base)


def _stored_state(settings: Settings) -> StoreState:
    """The store's state for planning, without creating or migrating anything."""
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        return StoreState()
    engine = create_store_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if current_revision(conn) is None:
                return StoreState()
        ensure_schema(engine)  # raises when the store needs `trainproof db upgrade`
        with engine.connect() as conn:
            return read_state(conn)
    except SQLAlchemyError as exc:
        raise _store_error(exc, engine) from None
    finally:
        engine.dispose()


def _fixed_steps(state: StoreState, options: SyncOptions) -> list[Step]:
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


def _phishing_steps(state: StoreState) -> list[Step]:
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
    steps = _fixed_steps(state, options)
    campaigns = {cid: (bm.name, bm.status) for cid, bm in state.bookmarks.items() if not bm.removed}
    selected, warnings = resolve_selection(options, ((cid, name) for cid, (name, _) in campaigns.items()))
    if state.is_new:
        warnings = []
    ep = plan_enrollments(options, selected, campaigns, state, state.active_users, full=full)
    if state.is_new:
        ep.reason = "the campaigns are unknown until the first sync reads them"
    steps += ep.steps({cid: name for cid, (name, _) in campaigns.items()})
    if options.phishing:
        steps += _phishing_steps(state)
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


def _dry_run(settings: Settings, options: SyncOptions, *, full: bool) -> SyncReport:
    started = clock.now()
    t0 = time.monotonic()
    state = _stored_state(settings)
    plan = estimate_plan(state, options, full=full)
    budget = _budget_for(settings)
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


# --- the real run ----------------------------------------------------------------------------------


class _Runner:
    """One sync run on one connection (the staging tables live on it)."""

    def __init__(
        self, conn: Connection, settings: Settings, options: SyncOptions, *, full: bool, progress: Progress
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.options = options
        self.full = full
        self.progress = progress
        self.started = clock.now()
        self.t0 = time.monotonic()
        self.staging = Staging(conn)
        self.index = rows.ModuleIndex()
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        self.future_completions = 0  # see SyncReport.future_completions
        self.active_users: set[int] = set()
        self.campaigns: dict[int, tuple[str | None, str | None]] = {}
        self.tests: dict[int, tuple[str | None, str | None]] = {}
        self.campaign_counts: dict[int, int] = defaultdict(int)
        self.recipient_counts: dict[int, int] = defaultdict(int)
        self.plan = Plan(steps=self.steps, enrollments=None)
        self.client: KnowBe4Client | None = None
        self.run_id: int | None = None

    async def run(self, transport: httpx2.AsyncBaseTransport | None) -> SyncReport:
        mark_interrupted(self.conn, now=self.started)
        self.state = read_state(self.conn)
        self.conn.rollback()  # end the read transaction before the run's own small write
        self.run_id = start_run(self.conn, now=self.started, full=self.full)
        try:
            async with KnowBe4Client(self.settings, transport=transport) as client:
                self.client = client
                self.staging.create()
                await self._fetch(client)
                return self._commit(client)
        except BaseException as exc:
            self._record_failure(exc)
            if isinstance(exc, SQLAlchemyError):
                raise _store_error(exc, self.settings.database_url) from None
            raise
        finally:
            with contextlib.suppress(Exception):
                self.staging.drop()

    # -- fetching ------------------------------------------------------------------------------
    async def _walk(self, client: KnowBe4Client, step: Step, handle: Callable[[dict[str, Any]], None]) -> None:
        self.steps.append(step)
        before = client.stats.requests
        problems = len(client.stats.data_problems)
        n = 0
        group = step.endpoint
        async for obj in client.iter_raw(step.endpoint, **step.params):
            handle(obj)
            n += 1
            if n % 500 == 0:
                self.progress.advance(group, 500)
        self.progress.advance(group, n % 500)
        step.records = n
        step.requests = client.stats.requests - before
        # Records the client skipped (ids <= 0, repeats): warnings of this run, with their counts.
        self.warnings += client.stats.data_problems[problems:]

    async def _resource(
        self, client: KnowBe4Client, steps: list[Step], handle: Callable[[Step], Callable[[dict[str, Any]], None]]
    ) -> None:
        if not steps:
            return
        group = steps[0].endpoint
        known = [s.estimated_records for s in steps]
        self.progress.start(group, None if any(k is None for k in known) else sum(k or 0 for k in known))
        for step in steps:
            await self._walk(client, step, handle(step))
        self.progress.finish(group)

    def _parse(self, model: type[M], obj: dict[str, Any], step: Step) -> M:
        # The walk is sequential, so the record came in the last answer: its request id is the one to report.
        ids = self.client.stats.request_ids if self.client is not None else []
        where = f"GET {endpoint(step.endpoint).describe(step.params)} ({step.label})"
        return parse_record(model, obj, where, ids[-1] if ids else None)

    def _into(self, table: str, model: type[M], to_row: Callable[[M, dict[str, Any]], dict[str, Any]]) -> Handler:
        """A handler that validates each record and stages it as one row of `table`."""

        def factory(step: Step) -> Callable[[dict[str, Any]], None]:
            def handle(obj: dict[str, Any]) -> None:
                self.staging.add(table, to_row(self._parse(model, obj, step), obj))

            return handle

        return factory

    async def _fetch(self, client: KnowBe4Client) -> None:
        st, add = self.staging, self.staging.add
        fixed = {s.key: s for s in _fixed_steps(self.state, self.options)}

        # The account first: it carries the seat count, and so today's full budget.
        await self._resource(client, [fixed["account"]], self._into("account", Account, rows.account_row))
        st.complete("account")
        self._check_budget(client, estimate_plan(self.state, self.options, full=self.full), already=1)

        def on_user(step: Step) -> Callable[[dict[str, Any]], None]:
            def handle(obj: dict[str, Any]) -> None:
                user = self._parse(User, obj, step)
                add("users", rows.user_row(user, obj))
                for member in rows.member_rows(user):
                    add("group_members", member)
                if (user.status or "active").strip().lower() == "active":
                    self.active_users.add(user.id)

            return handle

        await self._resource(client, [fixed["users"]], on_user)
        st.complete("users")
        st.complete("group_members")

        if self.options.groups:
            await self._resource(client, [fixed["groups"]], self._into("groups", Group, rows.group_row))
            st.complete("groups")

        def on_campaign(step: Step) -> Callable[[dict[str, Any]], None]:
            def handle(obj: dict[str, Any]) -> None:
                camp = self._parse(TrainingCampaign, obj, step)
                add("training_campaigns", rows.training_campaign_row(camp, obj))
                for content in rows.content_rows(camp):
                    add("campaign_content", content)
                self.index.add_campaign(camp)
                self.campaigns[camp.campaign_id] = (camp.name, camp.status)

            return handle

        await self._resource(client, [fixed["training_campaigns"]], on_campaign)
        st.complete("training_campaigns")
        st.complete("campaign_content")
        await self._resource(
            client, [fixed["store_purchases"]], self._into("store_purchases", StorePurchase, rows.store_purchase_row)
        )
        st.complete("store_purchases")
        await self._resource(client, [fixed["policies"]], self._into("policies", Policy, rows.policy_row))
        st.complete("policies")

        # Enrollments: the plan is chosen now, with this run's campaign statuses and people.
        selected, warnings = resolve_selection(self.options, ((cid, name) for cid, (name, _) in self.campaigns.items()))
        self.warnings += warnings
        ep = plan_enrollments(self.options, selected, self.campaigns, self.state, self.active_users, full=self.full)
        self.plan.enrollments = ep
        if ep.skipped_finished:
            self.warnings.append(
                f"{len(ep.skipped_finished)} finished campaigns already stored were not fetched again (--full does)"
            )
        enrollment_steps = ep.steps({cid: name for cid, (name, _) in self.campaigns.items()})
        pending = list(enrollment_steps)
        if self.options.phishing:
            pending += _phishing_steps(self.state)
        self._check_budget(client, Plan(steps=pending, enrollments=ep), already=0)

        def on_enrollment(step: Step) -> Callable[[dict[str, Any]], None]:
            campaign_id = step.params.get("campaign_id")

            def handle(obj: dict[str, Any]) -> None:
                enrollment = self._parse(Enrollment, obj, step)
                if enrollment.completion_date is not None and enrollment.completion_date > self.started:
                    self.future_completions += 1
                row = rows.enrollment_row(enrollment, obj, self.index, campaign_id=campaign_id)
                add("enrollments", row)
                if row["campaign_id"] is not None:
                    self.campaign_counts[row["campaign_id"]] += 1

            return handle

        if ep.strategy == "campaigns":
            for step in enrollment_steps:
                self.campaign_counts[step.params["campaign_id"]] = 0
        await self._resource(client, enrollment_steps, on_enrollment)
        for step in enrollment_steps:
            field_name = "campaign_id" if "campaign_id" in step.params else "user_id"
            st.complete("enrollments", field_name, [step.params[field_name]])

        if self.options.phishing:
            await self._phishing(client)

    async def _phishing(self, client: KnowBe4Client) -> None:
        st, add = self.staging, self.staging.add
        first, tests_step, callback_step = _phishing_steps(self.state)
        phishing = self._into("phishing_campaigns", PhishingCampaign, rows.phishing_campaign_row)
        await self._resource(client, [first], phishing)
        st.complete("phishing_campaigns")

        def on_test(step: Step) -> Callable[[dict[str, Any]], None]:
            kind = str(step.params.get("campaign_type", "standard"))

            def handle(obj: dict[str, Any]) -> None:
                test = self._parse(SecurityTest, obj, step)
                add("security_tests", rows.security_test_row(test, obj, campaign_type=kind))
                self.tests[test.pst_id] = (test.status, kind)

            return handle

        await self._resource(client, [tests_step, callback_step], on_test)
        st.complete("security_tests")
        recipient_steps, _ = plan_recipients(self.tests, self.state, full=self.full)

        def on_recipient(step: Step) -> Callable[[dict[str, Any]], None]:
            pst_id = int(step.params["pst_id"])

            def handle(obj: dict[str, Any]) -> None:
                rec = self._parse(Recipient, obj, step)
                add("security_test_recipients", rows.recipient_row(rec, obj, pst_id=pst_id))
                self.recipient_counts[pst_id] += 1

            return handle

        for step in recipient_steps:
            self.recipient_counts[int(step.params["pst_id"])] = 0
        await self._resource(client, recipient_steps, on_recipient)
        if recipient_steps:
            st.complete("security_test_recipients", "pst_id", [int(s.params["pst_id"]) for s in recipient_steps])

    def _check_budget(self, client: KnowBe4Client, plan: Plan, *, already: int) -> None:
        """Refuse to start walks the day's remaining budget cannot pay for (estimates are lower bounds)."""
        needed = plan.estimated_requests - already
        remaining = client.budget.remaining
        lower = plan.estimate_is_lower_bound or any(
            s.estimated_records is None and s.pagination != "none" for s in plan.steps
        )
        if needed > remaining:
            raise QuotaExhausted(
                f"this sync needs {'at least ' if lower else 'about '}{needed:,} more "
                f"KnowBe4 requests but only {remaining:,} are left today",
                "run it after 00:00 UTC, or see the plan with `trainproof sync --dry-run`",
            )

    # -- committing ----------------------------------------------------------------------------
    def _outcome(self, client: KnowBe4Client, counts: Mapping[str, Any] | None = None) -> RunOutcome:
        ep = self.plan.enrollments
        budget_remaining: int | None = None
        with contextlib.suppress(Exception):
            budget_remaining = client.budget.remaining
        return RunOutcome(
            requests=client.stats.requests,
            retries=client.stats.retries,
            request_ids=list(client.stats.request_ids),
            minimum_requests=self.plan.minimum_requests(),
            planned_requests=self.plan.estimated_requests,
            strategy=ep.strategy if ep is not None else None,
            counts=counts,
            plan=self.plan.as_dict(),
            budget_remaining=budget_remaining,
        )

    def _commit(self, client: KnowBe4Client) -> SyncReport:
        assert self.run_id is not None
        ep = self.plan.enrollments
        self.staging.flush()
        with write_transaction(self.conn):
            merged = apply_staging(self.conn, self.staging, now=self.started, run_id=self.run_id)
            self._bookmarks()
            counts = {name: c.as_dict() for name, c in merged.items() if c.fetched or c.removed}
            finish_run(self.conn, self.run_id, self._outcome(client, counts), now=clock.now())
        finished = clock.now()
        enrollments = merged.get("enrollments", MergeCounts()).fetched
        if self.future_completions:
            n = self.future_completions
            self.warnings.append(
                f"{n:,} enrollment{'' if n == 1 else 's'} carr{'ies' if n == 1 else 'y'} a completion date after this "
                f"sync ({self.started.date().isoformat()} {self.started:%H:%M} UTC): stored as received, never "
                "counted before that date; `trainproof check` names them"
            )
        budget_remaining = budget_limit = None
        with contextlib.suppress(Exception):
            budget_remaining, budget_limit = client.budget.remaining, client.budget.limit
        return SyncReport(
            outcome="ok",
            run_id=self.run_id,
            full=self.full,
            plan=self.plan,
            started_at=self.started,
            finished_at=finished,
            duration_s=time.monotonic() - self.t0,
            requests=client.stats.requests,
            retries=client.stats.retries,
            users=self.staging.counts.get("users", 0),
            campaigns=len(ep.campaign_ids) if ep is not None and ep.strategy == "campaigns" else 0,
            people=len(ep.user_ids) if ep is not None and ep.strategy == "users" else 0,
            enrollments=enrollments,
            counts=counts,
            budget_remaining=budget_remaining,
            budget_limit=budget_limit,
            request_ids=list(client.stats.request_ids),
            warnings=self.warnings,
            future_completions=self.future_completions,
        )

    def _bookmarks(self) -> None:
        ep = self.plan.enrollments
        if ep is not None and ep.strategy == "campaigns" and ep.campaign_ids:
            c = schema.training_campaigns
            stmt = (
                update(c)
                .where(c.c.campaign_id == bindparam("cid"))
                .values(
                    enrollments_fetched_at=bindparam("at", type_=schema.UTCDateTime()),
                    enrollments_fetched_status=c.c.status,
                    enrollments_fetched_run_id=bindparam("run"),
                    enrollment_count=bindparam("n"),
                )
            )
            self.conn.execute(
                stmt,
                [
                    {"cid": cid, "at": self.started, "run": self.run_id, "n": self.campaign_counts.get(cid, 0)}
                    for cid in ep.campaign_ids
                ],
            )
        if ep is not None and ep.strategy == "users" and ep.user_ids:
            u = schema.users
            self.conn.execute(
                update(u)
                .where(u.c.id == bindparam("uid"))
                .values(enrollments_fetched_at=bindparam("at", type_=schema.UTCDateTime())),
                [{"uid": uid, "at": self.started} for uid in ep.user_ids],
            )
        if self.recipient_counts:
            t = schema.security_tests
            stmt = (
                update(t)
                .where(t.c.pst_id == bindparam("pid"))
                .values(
                    recipients_fetched_at=bindparam("at", type_=schema.UTCDateTime()),
                    recipients_fetched_status=t.c.status,
                    recipient_count=bindparam("n"),
                )
            )
            self.conn.execute(
                stmt, [{"pid": pid, "at": self.started, "n": n} for pid, n in self.recipient_counts.items()]
            )

    def _record_failure(self, exc: BaseException) -> None:
        if self.run_id is None:
            return
        if isinstance(exc, TrainproofError):
            message = exc.message
        elif isinstance(exc, KeyboardInterrupt | anyio.get_cancelled_exc_class()):
            message = "interrupted"
        elif isinstance(exc, SQLAlchemyError):
            message = _store_error(exc, self.settings.database_url).message
        else:
            message = f"unexpected {type(exc).__name__}"
        outcome = (
            self._outcome(self.client) if self.client is not None else RunOutcome(requests=0, retries=0, request_ids=[])
        )
        try:
            fail_run(self.conn, self.run_id, outcome, now=clock.now(), error=message[:2000])
        except Exception:  # the store itself may be what failed; the original error matters more
            # One line for the operator; the traceback only in a debug log (`trainproof --debug`).
            logger.warning("could not record the failed sync run in the store")
            logger.debug("recording the failed sync run failed", exc_info=True)
