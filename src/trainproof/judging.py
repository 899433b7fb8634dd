"""The one path from the store to compliance decisions, shared by the CLI, sync, reports and MCP.

Load the facts for the as-of date, resolve the trainings' campaign names, evaluate, and (only for
"now") keep the sticky records the evaluation earned. Every consumer goes through here so that
`trainproof status`, `report departments` and the MCP tools can never disagree.

Named judging, not decisions: `compliance/decision.py` holds what a decision is (the domain type);
this module is the use case that produces decisions from the store for a command or a tool.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trainproof import clock
from trainproof.compliance.engine import Evaluation, evaluate
from trainproof.compliance.trainings import TrainingsConfig, load_trainings, resolve_campaigns
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.store.campaigns import load_campaigns
from trainproof.store.facts import Facts, load_facts
from trainproof.store.handle import StoreConnection
from trainproof.store.sticky import save_sticky_records

__all__ = ["Judged", "configured_trainings", "judge", "keep_sticky"]


def configured_trainings(settings: Settings, trainings: list[str] | None = None) -> TrainingsConfig:
    """The trainings of trainproof.toml (or the ones asked for); a ConfigError when there are none."""
    policy = load_trainings(settings)
    if not policy.trainings:
        raise ConfigError(
            "no trainings are configured",
            'add [trainings.security_awareness] campaigns = [101, "Campaign name"] to trainproof.toml '
            "(see `trainproof check`)",
        )
    return policy.only(trainings or None)


@dataclass(frozen=True, slots=True)
class Judged:
    """An evaluation together with the facts it was made from (evidence needs both)."""

    evaluation: Evaluation
    facts: Facts
    as_of: datetime
    point_in_time: bool  # True when an explicit --as-of was given


def judge(
    conn: StoreConnection,
    settings: Settings,
    *,
    as_of: datetime | None = None,
    at: datetime | None = None,
    trainings: list[str] | None = None,
    policy: TrainingsConfig | None = None,
) -> Judged:
    """Evaluate every configured training (or `trainings`) from the store.

    `as_of` answers for a past date (facts as they stood then); without it the current facts are judged
    at `at` (default: now), which reports and tests use to pin "now".
    """
    chosen = policy if policy is not None else configured_trainings(settings, trainings)
    if as_of is None and at is None:
        at = clock.now()
    at = as_of if as_of is not None else at
    assert at is not None
    resolved = resolve_campaigns(chosen, load_campaigns(conn, as_of))
    wanted = sorted({cid for t in resolved.trainings for cid in t.campaign_ids})
    facts = load_facts(conn, as_of, campaign_ids=wanted, include_removed=True)
    evaluation = evaluate(
        facts.people, facts.campaigns, facts.enrollments, resolved, facts.sticky, at, recorded_at=clock.now()
    )
    return Judged(evaluation=evaluation, facts=facts, as_of=at, point_in_time=as_of is not None)


def keep_sticky(conn: StoreConnection, judged: Judged, *, actor: str = "trainproof") -> int:
    """Persist the sticky records a current evaluation earned (never for a point-in-time answer).

    Runs in the caller's transaction; returns how many records were kept.
    """
    if judged.point_in_time or not judged.evaluation.new_sticky:
        return 0
    return len(save_sticky_records(conn, judged.evaluation.new_sticky, actor=actor))


def keep_after_sync(settings: Settings, *, actor: str = "trainproof sync") -> tuple[Judged | None, int, str | None]:
    """After a sync: judge now and keep the compliance it earned, so later KnowBe4 resets cannot undo it.

    Returns (judged, records kept, warning). With no trainings configured there is nothing to keep;
    a configuration problem the sync does not check itself (a malformed [scope], an unknown framework) is a
    warning here, not a failed sync; campaign references already failed the sync (`trainproof.selection`).
    """
    from trainproof.store import open_store

    if not load_trainings(settings).trainings:
        return None, 0, None
    engine = open_store(settings.database_url, account=settings.account)
    try:
        with engine.begin() as conn:
            judged = judge(conn, settings)
            kept = keep_sticky(conn, judged, actor=actor)
    except ConfigError as exc:
        return None, 0, f"compliance not evaluated: {exc.message} (see `trainproof check`)"
    finally:
        engine.dispose()
    return judged, kept, None
