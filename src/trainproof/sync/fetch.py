"""The walk of KnowBe4 into the staging tables: every list a sync needs, validated record by record.

The order matters: the account first (its seat count sets today's full budget), then users, groups,
training campaigns and the module catalogue; then the enrollment plan is chosen with this run's
campaign statuses and people (see `plan.py`) and walked; then phishing data. Before the bulk walks the
plan is checked against the day's remaining request budget, so a sync never starts what it cannot
finish. Nothing here writes to the store's own tables: `engine.py` merges the staging in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from trainproof.client import (
    Account,
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
from trainproof.store import rows
from trainproof.store.staging import Staging
from trainproof.sync.estimate import estimate_plan, fixed_steps, phishing_steps
from trainproof.sync.plan import Plan, Step, plan_enrollments, plan_recipients
from trainproof.sync.report import Progress
from trainproof.sync.state import StoreState, SyncOptions, selected_campaigns

__all__ = ["Fetch"]

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[Step], Callable[[dict[str, Any]], None]]


class Fetch:
    """One run's walk of KnowBe4 into `staging`, and what it learned on the way (for the run's record)."""

    def __init__(
        self,
        client: KnowBe4Client,
        staging: Staging,
        state: StoreState,
        options: SyncOptions,
        *,
        full: bool,
        progress: Progress,
        started: datetime,
    ) -> None:
        self.client = client
        self.staging = staging
        self.state = state
        self.options = options
        self.full = full
        self.progress = progress
        self.started = started
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
        ids = self.client.stats.request_ids
        where = f"GET {endpoint(step.endpoint).describe(step.params)} ({step.label})"
        return parse_record(model, obj, where, ids[-1] if ids else None)

    def _into(self, table: str, model: type[M], to_row: Callable[[M, dict[str, Any]], dict[str, Any]]) -> Handler:
        """A handler that validates each record and stages it as one row of `table`."""

        def factory(step: Step) -> Callable[[dict[str, Any]], None]:
            def handle(obj: dict[str, Any]) -> None:
                self.staging.add(table, to_row(self._parse(model, obj, step), obj))

            return handle

        return factory

    async def walk(self) -> None:
        """Walk every list the options ask for, in the order the module docstring gives."""
        client = self.client
        st, add = self.staging, self.staging.add
        fixed = {s.key: s for s in fixed_steps(self.state, self.options)}

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
        selected = selected_campaigns(self.options, self.campaigns, self.state)  # fails as compliance would
        ep = plan_enrollments(self.options, selected, self.campaigns, self.state, self.active_users, full=self.full)
        self.plan.enrollments = ep
        if ep.skipped_finished:
            self.warnings.append(
                f"{len(ep.skipped_finished)} finished campaigns already stored were not fetched again (--full does)"
            )
        enrollment_steps = ep.steps({cid: name for cid, (name, _) in self.campaigns.items()})
        pending = list(enrollment_steps)
        if self.options.phishing:
            pending += phishing_steps(self.state)
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
        first, tests_step, callback_step = phishing_steps(self.state)
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
