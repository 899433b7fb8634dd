"""What a sync reports: the progress callbacks while it runs, and the figures it ends with.

`SyncReport` is what `trainproof sync` prints (its one summary line, or JSON) and what the MCP server
returns; the same figures are kept in `sync_runs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from trainproof.sync.plan import Plan

__all__ = ["NoProgress", "Progress", "SyncReport"]


class Progress(Protocol):
    """Progress callbacks, one bar per resource (the CLI draws them with Rich on a terminal)."""

    def start(self, resource: str, total: int | None) -> None: ...

    def advance(self, resource: str, records: int) -> None: ...

    def finish(self, resource: str) -> None: ...


class NoProgress:
    """Progress that draws nothing: what a sync uses when its caller passes none."""

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
