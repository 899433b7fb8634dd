"""The daily request budget (2,000 + seats, per UTC day) across runs and processes.

- What one process spends, the next one knows: `--dry-run` after a `trainproof sync` process shows the
  plan against what is left, and says when the plan does not fit;
- a sync the budget cannot pay for says so before it fetches anything but the account (which carries
  the seat count, and so the day's budget), and changes nothing;
- a sync whose real cost turns out higher than planned stops exactly at the budget, never one request
  beyond it, and changes nothing;
- two processes syncing at once never spend more than the budget between them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from running import CliResult, Trainproof, as_process
from trainproof.client import DailyBudget
from trainproof.config import Secret
from trainproof.simulator import Simulator, generate_tenant

from ._world import FAULT_SEATS, NOW, World, big_campaign, copy_sqlite, dump_of, runs_of, toml_text
from .conftest import EnvFor

TIMEOUT_S = 90.0


def _json(result: CliResult) -> dict[str, Any]:
    return result.json()


def _used(sim: Simulator, daily_base: int = 2000) -> int:
    """Requests counted today by every process using this simulator's URL and token (the state dir)."""
    return DailyBudget(
        Path(os.environ["TRAINPROOF_STATE_DIR"]), sim.base_url, Secret(sim.token).fingerprint(), daily_base
    ).used


def test_another_process_knows_what_was_spent_and_a_sync_that_would_exceed_says_so_first(
    world: World, fault_store: str, env_for: EnvFor, monkeypatch: pytest.MonkeyPatch, trainproof: Trainproof
) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", NOW)
    sim = world.sim
    sim.reset()
    first = _json(as_process(["sync", "--format", "json"], env_for(), timeout=TIMEOUT_S))
    spent, limit = first["requests"], first["budget_limit"]
    seats = limit - 2000
    assert spent == sim.stats.total == _used(sim)
    after_first = dump_of(fault_store)

    plan = _json(trainproof("sync", "--dry-run", "--format", "json", env=env_for(), timeout=TIMEOUT_S))
    assert sim.stats.total == spent  # a dry run calls nothing
    assert plan["outcome"] == "dry_run"
    assert plan["budget_remaining"] == limit - spent  # learned from the other process
    needed = plan["planned_requests"]
    assert needed > 2

    # Tomorrow's budget is smaller: one request short of the plan.
    env = env_for(daily_base=spent + needed - 1 - seats)
    shown = trainproof("sync", "--dry-run", env=env, timeout=TIMEOUT_S)
    assert shown.code == 0, shown.stderr
    assert f"note: this plan needs {needed} requests but only {needed - 1} are left today" in shown.stdout
    assert shown.out_lines[-1].startswith(f"plan: {needed} requests (minimum ")
    assert shown.out_lines[-1].endswith(f"{needed - 1} of {spent + needed - 1} requests left today")
    assert sim.stats.total == spent

    refused = as_process(["sync"], env, timeout=TIMEOUT_S)
    assert refused.code == 1
    assert refused.err_lines == [
        f"error: this sync needs about {needed - 1} more KnowBe4 requests but only {needed - 2} are left today: "
        "run it after 00:00 UTC, or see the plan with `trainproof sync --dry-run`"
    ]
    assert sim.stats.total == spent + 1  # the account only
    assert _used(sim) == spent + 1
    assert dump_of(fault_store) == after_first
    assert runs_of(fault_store)[0]["outcome"] == "failed"


def test_a_sync_costlier_than_planned_stops_exactly_at_the_budget(
    simulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trainproof: Trainproof
) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", NOW)
    sim: Simulator = simulator_factory(generate_tenant(50, seed=1, seats=FAULT_SEATS), limits="off")
    config = tmp_path / "trainproof.toml"
    env = {
        "KNOWBE4_API_KEY": sim.token,
        "KNOWBE4_BASE_URL": sim.base_url,
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "TRAINPROOF_CONFIG": str(config),
        "TRAINPROOF_NOW": NOW,
    }
    config.write_text(toml_text(), encoding="utf-8")
    first = _json(trainproof("sync", "--format", "json", env=env, timeout=TIMEOUT_S))
    spent, seats = first["requests"], first["budget_limit"] - 2000
    before = dump_of(env["TRAINPROOF_DATABASE_URL"])

    # KnowBe4 grew: the biggest open campaign now needs two pages where the store remembers one. Two, not
    # more: with a budget this small (under 60 a day) one list may spend two pages before the runaway-list
    # guard stops it, and that guard is not what this test is about.
    cid = big_campaign(sim.tenant)
    own = [e for e in sim.tenant.records("enrollments") if e["campaign_id"] == cid]
    sim.tenant.upsert("enrollments", *[dict(own[i % len(own)], enrollment_id=2_100_000 + i) for i in range(600)])
    assert 500 < len(own) + 600 <= 1000
    planned = _json(trainproof("sync", "--dry-run", "--format", "json", env=env, timeout=TIMEOUT_S))["planned_requests"]

    config.write_text(toml_text(daily_base=spent + planned - seats), encoding="utf-8")  # exactly the plan left
    sim.reset_stats()
    result = trainproof("sync", env=env, timeout=TIMEOUT_S)

    limit = spent + planned
    assert result.code == 1
    assert result.err_lines == [
        f"error: the daily KnowBe4 request budget is spent ({limit:,} of {limit:,} requests used today, UTC): "
        "it resets at 00:00 UTC: run again then (KnowBe4 allows 2,000 + licensed seats a day; "
        "[knowbe4.limits] daily_base sets the base)"
    ]
    assert sim.stats.total == planned  # up to the budget, and not one request beyond
    assert _used(sim) == limit
    assert dump_of(env["TRAINPROOF_DATABASE_URL"]) == before
    failed = runs_of(env["TRAINPROOF_DATABASE_URL"])[0]
    assert failed["outcome"] == "failed"
    assert failed["requests"] == planned


def test_two_processes_at_once_never_spend_more_than_the_budget(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", NOW)
    sim = world.sim
    sim.reset()
    sim.set_faults({"kind": "slow", "seconds": 0.03})  # long enough for the two runs to overlap
    seats = sim.tenant.seats()
    limit = world.clean_requests + world.clean_requests // 2  # one sync fits, two do not
    config = tmp_path / "trainproof.toml"
    config.write_text(toml_text(daily_base=limit - seats), encoding="utf-8")
    stores = [tmp_path / f"store{i}.db" for i in (1, 2)]
    procs: list[subprocess.Popen[str]] = []
    try:
        for db in stores:
            copy_sqlite(world.base_db, db)
            env = {
                **os.environ,
                "KNOWBE4_API_KEY": sim.token,
                "KNOWBE4_BASE_URL": sim.base_url,
                "TRAINPROOF_DATABASE_URL": f"sqlite:///{db}",
                "TRAINPROOF_CONFIG": str(config),
            }
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "trainproof", "sync"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL,
                    text=True,
                )
            )
        outputs = [p.communicate(timeout=TIMEOUT_S) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        sim.clear_faults()

    assert sim.stats.total <= limit
    assert _used(sim, limit - seats) == sim.stats.total  # every request sent was counted, by one process or the other
    codes = [p.returncode for p in procs]
    assert 1 in codes, outputs
    for db, proc, (_, err) in zip(stores, procs, outputs, strict=True):
        url = f"sqlite:///{db}"
        if proc.returncode == 0:
            assert dump_of(url) == world.expected
            continue
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert "error: the daily KnowBe4 request budget is spent" in lines[0] or "are left today" in lines[0]
        assert dump_of(url) == world.before
        assert runs_of(url)[0]["outcome"] == "failed"
