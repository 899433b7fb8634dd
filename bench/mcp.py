"""Benchmark: the MCP server's compliance tools on a 50,000-user store, and API requests per live call.

1. Generates a tenant (default 50,000 users, ~580,000 enrollments), serves it with the simulator (limits
   off) and syncs it into a SQLite store with `run_sync` (or reuses `--store DIR` from an earlier run).
2. Store mode: starts the server in process, waits for the first compliance answer (the decisions are
   computed once per sync, in the background from server start: "ready"), then times each compliance
   tool `--runs` times through the official `mcp.Client` and prints p50 and p95. The "server" columns
   repeat the runs with the client's JSON-schema re-validation of each result switched off, which is
   the client's cost, not the server's.
3. Live mode: a server with `source = "live"` against the same simulator. First a compliance call with
   the default `[mcp] live_compliance_max_requests` (refused with an estimate, at the cost of one
   request); then, with the limit lifted, each tool is called twice and the KnowBe4 requests each call
   spent are printed (from the answer's `source.requests_made`, checked against the simulator's own
   request counter).

    .venv/bin/python bench/mcp.py [--users 50000] [--runs 100] [--store DIR] [--skip-live]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named mcp.py: when run as a script its directory comes first on sys.path and would
# shadow the `mcp` package it benchmarks with.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import anyio
from mcp import Client
from mcp.client.session import ClientSession

from trainproof.config import Settings, load_settings
from trainproof.mcp_server import create_server
from trainproof.simulator import Simulator, generate_tenant
from trainproof.sync import run_sync

TOML = """
[knowbe4.limits]          # client pacing off: the simulator's limits are off too
per_second = 10000
per_minute = 1000000
daily_base = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365

[trainings.hipaa]
title = "HIPAA Training"
campaigns = ["HIPAA Privacy and Security 2026"]
new_hire_grace_days = 30

[trainings.ai_awareness]
title = "AI Awareness Training"
campaigns = ["AI Acceptable Use 2026"]
"""

COMPLIANCE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("knowbe4_training_compliance_summary", {}),
    ("knowbe4_training_compliance_summary", {"training": "hipaa"}),
    ("knowbe4_training_person_status", {"person": "700001"}),
    ("knowbe4_training_list_noncompliant", {"training": "hipaa"}),
    ("knowbe4_training_list_noncompliant", {"training": "hipaa", "group_by": "manager", "state": "overdue"}),
    ("knowbe4_training_list_noncompliant", {"training": "security_awareness", "group_by": "department", "page": 3}),
    ("knowbe4_training_sync_status", {}),
]

LIVE_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("knowbe4_training_list_campaigns", {}),
    ("knowbe4_training_list_campaigns", {"status": "active"}),
    ("knowbe4_training_get_campaign", {"campaign_id": 4215}),
    ("knowbe4_training_list_enrollments", {"campaign_id": 4215}),
    ("knowbe4_training_list_enrollments", {"campaign_id": 4215, "page": 20}),
    ("knowbe4_training_list_enrollments", {"campaign_id": 4215, "status": "past_due"}),
    ("knowbe4_training_get_enrollment", {"enrollment_id": 1425001}),
    ("knowbe4_training_list_modules", {}),
    ("knowbe4_training_get_module", {"module_id": 6401}),
    ("knowbe4_training_list_store_purchases", {}),
    ("knowbe4_training_get_store_purchase", {"store_purchase_id": 6401}),
    ("knowbe4_training_compliance_summary", {}),
    ("knowbe4_training_person_status", {"person": "700001"}),
    ("knowbe4_training_list_noncompliant", {"training": "hipaa", "state": "overdue"}),
    ("knowbe4_training_sync_status", {}),
]


def settings_for(directory: Path, sim: Simulator | None, extra: str = "", name: str = "trainproof.toml") -> Settings:
    config = directory / name
    config.write_text(TOML + extra, encoding="utf-8")
    env = {
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{directory / 'store.db'}",
        "TRAINPROOF_STATE_DIR": str(directory / "state"),
        "TRAINPROOF_NO_KEYRING": "1",
    }
    if sim is not None:
        env.update(KNOWBE4_API_KEY=sim.token, KNOWBE4_BASE_URL=sim.base_url)
    return load_settings(config, env=env)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def client_validation(enabled: bool) -> Iterator[None]:
    """Switch the official client's re-validation of results against the output schema on or off."""
    original = ClientSession.validate_tool_result
    if not enabled:

        async def skip(self: ClientSession, name: str, result: Any) -> None:
            return None

        ClientSession.validate_tool_result = skip  # type: ignore[method-assign]
    try:
        yield
    finally:
        ClientSession.validate_tool_result = original  # type: ignore[method-assign]


async def bench_store(settings: Settings, runs: int) -> None:
    print(f"\nstore mode: the first call of each question, then {runs} runs of it (times in ms)")
    t0 = time.perf_counter()
    async with Client(create_server(settings, source="store")) as client:
        first = await client.call_tool("knowbe4_training_compliance_summary", {})
        ready = time.perf_counter() - t0
        assert not first.is_error, first.content
        print(f"ready: first compliance answer {ready:.1f} s after server start (decisions computed once per sync)")
        print(f"{'tool':<40} {'arguments':<58} {'1st':>6} {'p50':>6} {'p95':>6} {'server p50':>10} {'p95':>6}")
        for tool, args in COMPLIANCE_CALLS:
            t = time.perf_counter()
            result = await client.call_tool(tool, args)  # the first time this question is asked
            first_ms = (time.perf_counter() - t) * 1000
            assert not result.is_error, (tool, result.content)
            timings: dict[bool, list[float]] = {}
            for validate in (True, False):
                with client_validation(validate):
                    xs: list[float] = []
                    for _ in range(runs):
                        t = time.perf_counter()
                        await client.call_tool(tool, args)
                        xs.append((time.perf_counter() - t) * 1000)
                timings[validate] = xs
            shown = ", ".join(f"{k}={v}" for k, v in args.items())
            e2e, server = timings[True], timings[False]
            print(
                f"{tool:<40} {shown:<58} {first_ms:6.1f} {pct(e2e, 0.5):6.1f} {pct(e2e, 0.95):6.1f} "
                f"{pct(server, 0.5):10.1f} {pct(server, 0.95):6.1f}"
            )


async def bench_live(settings: Settings, guarded: Settings, sim: Simulator) -> None:
    async with Client(create_server(guarded, source="live")) as client:
        before = sim.stats.total
        result = await client.call_tool("knowbe4_training_compliance_summary", {})
        spent = sim.stats.total - before
        spent_text = f"{spent} request" + ("" if spent == 1 else "s")
        print(f"\nlive compliance, default [mcp] live_compliance_max_requests = 100 ({spent_text} spent):")
        if result.is_error:
            print("  refused: " + " ".join(getattr(c, "text", "") for c in result.content))
        else:
            print("  answered")
    print("\nlive mode: KnowBe4 requests spent per call (first call, then the same call again)")
    print(f"{'tool':<40} {'arguments':<45} {'1st':>6} {'2nd':>6} {'1st s':>7}")
    async with Client(create_server(settings, source="live")) as client:
        for tool, args in LIVE_CALLS:
            spent: list[int] = []
            seconds = 0.0
            for i in range(2):
                before = sim.stats.total
                t = time.perf_counter()
                result = await client.call_tool(tool, args)
                if i == 0:
                    seconds = time.perf_counter() - t
                assert not result.is_error, (tool, result.content)
                made = sim.stats.total - before
                out = result.structured_content or {}
                if "source" in out:
                    assert out["source"]["requests_made"] == made, (tool, out["source"], made)
                spent.append(made)
            shown = ", ".join(f"{k}={v}" for k, v in args.items())
            print(f"{tool:<40} {shown:<45} {spent[0]:6d} {spent[1]:6d} {seconds:7.2f}")


def main() -> None:
    logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per request is noise here
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--store", type=Path, help="directory to keep (and reuse) the synced store in")
    parser.add_argument("--skip-live", action="store_true")
    args = parser.parse_args()

    load, python = os.getloadavg()[0], sys.version.split()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start; Python {python}")
    directory = args.store or Path(tempfile.mkdtemp(prefix="trainproof-bench-mcp-"))
    directory.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    tenant = generate_tenant(args.users, seed=args.seed)
    print(
        f"tenant: {tenant.count('users'):,} users, {tenant.count('enrollments'):,} enrollments, "
        f"{tenant.count('training_campaigns')} campaigns (generated in {time.perf_counter() - t:.1f} s)"
    )
    with Simulator(tenant, limits="off") as sim:
        settings = settings_for(directory, sim)
        if not (directory / "store.db").exists():
            t = time.perf_counter()
            report = run_sync(settings)
            print(f"sync: {report.summary()} in {time.perf_counter() - t:.1f} s")
        else:
            print(f"store: reusing {directory / 'store.db'}")
        anyio.run(bench_store, settings, args.runs)
        if not args.skip_live:
            unguarded = settings_for(directory, sim, "\n[mcp]\nlive_compliance_max_requests = 1000000\n", "live.toml")
            anyio.run(bench_live, unguarded, settings, sim)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    if args.store:
        print(f"store kept in {directory}")


if __name__ == "__main__":
    sys.exit(main())
