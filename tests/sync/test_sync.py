"""`run_sync` against the simulator over HTTP: contents, request counts, plans, history, failures, locking."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from tests.sync.conftest import SettingsFor, sync_env

from running import Trainproof, as_process
from trainproof.client import AuthError, MalformedResponse, QuotaExhausted, ResponseValidationError, ServerError
from trainproof.compliance.facts import StickyRecord
from trainproof.errors import ConfigError, SyncInProgressError
from trainproof.simulator import Simulator, generate_tenant
from trainproof.statuses import is_finished_campaign
from trainproof.store import (
    StoreLock,
    canonical_dump,
    enrollment_history,
    load_facts,
    open_store,
    save_sticky_records,
    schema,
    sync_runs,
    write_transaction,
)
from trainproof.sync import SyncReport, run_sync

ENROLLMENTS = "/v1/training/enrollments"
Factory = Callable[..., Simulator]


def _dump(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return canonical_dump(conn)
    finally:
        engine.dispose()


def _campaign_ids_requested(sim: Simulator, since: int = 0) -> list[int]:
    out: list[int] = []
    for record in sim.stats.requests[since:]:
        if record.path == ENROLLMENTS:
            out.extend(int(p.split("=", 1)[1]) for p in record.query.split("&") if p.startswith("campaign_id="))
    return out


# --- contents and request counts ---------------------------------------------------------------------


def test_first_sync_mirrors_the_tenant(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    tenant = simulator.tenant
    report = run_sync(settings_for(simulator, store_url))

    assert report.outcome == "ok"
    assert report.requests == simulator.stats.total
    assert report.requests == report.minimum_requests
    assert report.enrollments == tenant.count("enrollments")
    assert report.users == tenant.count("users")
    assert report.campaigns == tenant.count("training_campaigns")  # no training configured: every campaign
    dump = _dump(store_url)
    assert len(dump["users"]) == tenant.count("users")
    assert len(dump["enrollments"]) == tenant.count("enrollments")
    assert len(dump["training_campaigns"]) == tenant.count("training_campaigns")
    assert len(dump["security_tests"]) == tenant.count("security_tests")  # callback tests included
    assert len(dump["security_test_recipients"]) == tenant.count("recipients")
    stored = {e["enrollment_id"]: e for e in dump["enrollments"]}
    for record in tenant.records("enrollments"):
        row = stored[record["enrollment_id"]]
        assert json.loads(row["raw"]) == record  # the API's own JSON, kept verbatim
        assert row["campaign_id"] == record["campaign_id"]
        assert row["module_key"].startswith(("store_purchase:", "policy:"))  # module resolved to an id
    engine = open_store(store_url)
    with engine.connect() as conn:
        (run,) = sync_runs(conn)
    engine.dispose()
    assert run["outcome"] == "ok"
    assert run["requests"] == report.requests
    assert run["minimum_requests"] == report.minimum_requests
    assert len(run["request_ids"]) == report.requests
    assert run["counts"]["enrollments"]["new"] == tenant.count("enrollments")


def test_second_sync_fetches_less_and_skips_finished_campaigns(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    settings = settings_for(simulator, store_url)
    first = run_sync(settings)
    seen = simulator.stats.total
    second = run_sync(settings)

    assert second.requests < first.requests
    assert second.requests == second.minimum_requests
    finished = {
        c["campaign_id"] for c in simulator.tenant.records("training_campaigns") if is_finished_campaign(c["status"])
    }
    assert finished
    refetched = set(_campaign_ids_requested(simulator, since=seen))
    assert refetched
    assert not refetched & finished
    assert set(second.plan.enrollments.skipped_finished) == finished if second.plan.enrollments else False
    assert second.counts["enrollments"]["changed"] == 0
    assert second.counts["enrollments"]["removed"] == 0
    full = run_sync(settings, full=True)
    assert full.requests == first.requests
    assert full.campaigns == first.campaigns


def test_dry_run_calls_nothing_and_predicts_the_next_run(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    settings = settings_for(simulator, store_url)
    new_store = run_sync(settings, dry_run=True)
    assert new_store.dry_run
    assert new_store.plan.estimate_is_lower_bound
    assert simulator.stats.total == 0
    run_sync(settings)
    before = simulator.stats.total
    plan = run_sync(settings, dry_run=True)
    assert simulator.stats.total == before
    assert not plan.plan.estimate_is_lower_bound
    real = run_sync(settings)
    assert plan.planned_requests == real.requests
    assert plan.summary().startswith(f"plan: {real.requests} requests (minimum {real.requests})")
    assert plan.budget_remaining is not None
    assert plan.budget_remaining - real.requests == real.budget_remaining


def test_only_the_campaigns_trainings_select(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    toml = """
[trainings.security_awareness]
campaigns = [4215, "HIPAA Privacy and Security 2026"]

[sync]
phishing = false
groups = false
"""
    report = run_sync(settings_for(simulator, store_url, toml=toml))
    assert sorted(set(_campaign_ids_requested(simulator))) == [4212, 4215]
    assert report.campaigns == 2
    assert report.requests == report.minimum_requests
    assert report.warnings == []
    assert simulator.stats.count(prefix="/v1/phishing") == 0
    assert simulator.stats.count("/v1/groups") == 0


def test_a_reference_that_selects_no_campaign_fails_the_sync_before_enrollments(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    """The first sync resolves names against the campaign list it has just fetched, as compliance will."""
    toml = '[trainings.sat]\ncampaigns = [4215, "HIPAA Privacy and Security 2062"]\n[sync]\nphishing = false\n'
    with pytest.raises(ConfigError) as info:
        run_sync(settings_for(simulator, store_url, toml=toml))
    assert info.value.exit_code == 2
    assert info.value.message == (
        "[trainings.sat] campaigns: no campaign is named 'HIPAA Privacy and Security 2062': did you mean "
        "'HIPAA Privacy and Security 2026' (id 4212) or 'HIPAA Privacy and Security 2025' (id 4205)? Names must "
        "match exactly; `trainproof api training-campaigns` lists them"
    )
    assert simulator.stats.count(ENROLLMENTS) == 0
    assert _dump(store_url)["users"] == []  # atomic: nothing of the failed run was kept
    assert _failed_run(store_url)["outcome"] == "failed"


def test_dry_run_notes_a_reference_the_store_cannot_resolve(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    """Before asking KnowBe4 the store is all there is: a failing reference is a note, the real run fails."""
    bad = '[trainings.sat]\ncampaigns = ["Security Awareness 2026 - Part C"]\n'
    new_store = run_sync(settings_for(simulator, store_url, toml=bad), dry_run=True)
    assert not any("[trainings.sat]" in w for w in new_store.warnings)  # a new store knows no campaign yet
    run_sync(settings_for(simulator, store_url))
    plan = run_sync(settings_for(simulator, store_url, toml=bad), dry_run=True)
    assert plan.warnings[0].startswith("[trainings.sat] campaigns: no campaign is named 'Security Awareness 2026 - ")
    assert plan.warnings[0].endswith("(the sync fails unless KnowBe4 now lists it)")
    with pytest.raises(ConfigError, match=r"did you mean 'Security Awareness 2026 - Part B' \(id \d+\)"):
        run_sync(settings_for(simulator, store_url, toml=bad))


def test_per_person_plan_when_few_people_remain(
    simulator_factory: Factory, store_url: str, settings_for: SettingsFor
) -> None:
    sim = simulator_factory(generate_tenant(1500, seed=3), limits="off")
    toml = '[trainings.sat]\ncampaigns = ["Security Awareness 2026 - Part B"]\n[sync]\nphishing = false\n'
    settings = settings_for(sim, store_url, toml=toml)
    first = run_sync(settings)
    assert first.strategy == "campaigns"
    campaign_cost = sum(s.requests or 0 for s in first.plan.steps if s.key.startswith("enrollments:"))
    assert campaign_cost >= 3

    # Everyone but two people is already compliant (sticky): fetching those two is cheaper.
    engine = open_store(store_url)
    with engine.connect() as conn:
        active = sorted(
            conn.execute(select(schema.users.c.id).where(schema.users.c.status == "active")).scalars().all()
        )
        now = datetime(2026, 11, 1, tzinfo=UTC)
        records = [StickyRecord(uid, "sat", now, (), now) for uid in active[2:]]
        with write_transaction(conn):
            save_sticky_records(conn, records)
    engine.dispose()
    before = sim.stats.total
    second = run_sync(settings)
    assert second.strategy == "users", second.plan.enrollments.reason if second.plan.enrollments else ""
    assert second.people == 2
    assert sorted(s.params["user_id"] for s in second.plan.steps if s.key.startswith("enrollments:")) == active[:2]
    enrollment_requests = sum(1 for r in sim.stats.requests[before:] if r.path == ENROLLMENTS)
    assert enrollment_requests == 2
    assert second.requests == second.minimum_requests
    assert "per-person plan" in second.summary()


# --- history across syncs ---------------------------------------------------------------------------


def test_changes_between_syncs_are_kept_as_history(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    settings = settings_for(simulator, store_url)
    first = run_sync(settings)
    tenant = simulator.tenant
    open_campaign = 4215  # Security Awareness 2026 - Part B, In Progress
    in_campaign = [e for e in tenant.records("enrollments") if e["campaign_id"] == open_campaign]
    done = next(e for e in in_campaign if e["status"] in ("Completed", "Passed"))
    todo = next(e for e in in_campaign if e["status"] in ("Not Started", "In Progress"))
    gone = next(e for e in in_campaign if e["enrollment_id"] not in (done["enrollment_id"], todo["enrollment_id"]))
    tenant.update("enrollments", done["enrollment_id"], status="Not Started", start_date=None, completion_date=None)
    tenant.update("enrollments", todo["enrollment_id"], status="Passed", completion_date="2026-10-30T10:00:00.000Z")
    tenant.delete("enrollments", gone["enrollment_id"])

    report = run_sync(settings)
    assert report.counts["enrollments"]["changed"] == 2
    assert report.counts["enrollments"]["removed"] == 1

    engine = open_store(store_url)
    with engine.connect() as conn:
        reset = enrollment_history(conn, done["enrollment_id"])
        completed = enrollment_history(conn, todo["enrollment_id"])
        removed = enrollment_history(conn, gone["enrollment_id"])
        row = conn.execute(
            select(schema.enrollments).where(schema.enrollments.c.enrollment_id == gone["enrollment_id"])
        ).one()
        current = {e.enrollment_id: e for e in load_facts(conn, include_removed=True).enrollments}
    engine.dispose()
    assert [v["kind"] for v in reset] == ["new", "changed"]
    assert reset[0]["status"] == done["status"]
    assert reset[0]["completion_date"] is not None
    assert reset[1]["status"] == "Not Started"
    assert reset[1]["completion_date"] is None
    assert [v["status"] for v in completed] == [todo["status"], "Passed"]
    assert completed[1]["completion_date"] == datetime(2026, 10, 30, 10, tzinfo=UTC)
    assert [v["kind"] for v in removed] == ["new", "removed"]
    assert row.removed_at == report.started_at  # kept, marked removed
    assert row.last_seen_at == first.started_at  # ...with the time it was last seen
    assert json.loads(row.raw) == gone
    assert current[gone["enrollment_id"]].removed_at == report.started_at


def test_sqlite_and_postgresql_hold_the_same_content(
    simulator: Simulator, tmp_path: Any, pg_url: str, settings_for: SettingsFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", "2026-11-02T08:00:00+00:00")
    sqlite_url = f"sqlite:///{tmp_path / 'same.db'}"
    for url in (sqlite_url, pg_url):
        run_sync(settings_for(simulator, url))
    simulator.tenant.delete("enrollments", next(iter(simulator.tenant.records("enrollments")))["enrollment_id"])
    monkeypatch.setenv("TRAINPROOF_NOW", "2026-11-03T08:00:00+00:00")
    for url in (sqlite_url, pg_url):
        run_sync(settings_for(simulator, url), full=True)
    lite, pg = _dump(sqlite_url), _dump(pg_url)
    assert lite.keys() == pg.keys()
    for table in lite:
        assert lite[table] == pg[table], table
    assert len(lite["enrollment_versions"]) == simulator.tenant.count("enrollments") + 2  # new + one removal


# --- failures change nothing but the run record ---------------------------------------------------------


def _failed_run(url: str) -> dict[str, Any]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            return sync_runs(conn, limit=1)[0]
    finally:
        engine.dispose()


FAULTS = {
    "5xx-after-retries": ({"kind": "status", "status": 503, "path": ENROLLMENTS, "skip": 3}, ServerError),
    "truncated-json": ({"kind": "truncate", "path": ENROLLMENTS, "skip": 2, "times": 1}, MalformedResponse),
    "wrong-types": ({"kind": "wrong_types", "path": "/v1/users", "times": 1}, ResponseValidationError),
}


def _fails_and_changes_nothing(sim: Simulator, url: str, settings_for: SettingsFor, name: str) -> None:
    fault, error = FAULTS[name]
    settings = settings_for(sim, url)
    run_sync(settings)
    before = _dump(url)
    for e in list(sim.tenant.records("enrollments"))[:20]:
        sim.tenant.update("enrollments", e["enrollment_id"], status="Past Due")
    sim.set_faults(fault)
    with pytest.raises(error):
        run_sync(settings, full=True)
    assert _dump(url) == before
    failed = _failed_run(url)
    assert failed["outcome"] == "failed"
    assert failed["error"]
    assert failed["requests"] > 0
    sim.set_faults()
    assert run_sync(settings, full=True).counts["enrollments"]["changed"] >= 1  # and the next sync works


def test_a_failed_sync_changes_nothing(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    _fails_and_changes_nothing(simulator, store_url, settings_for, "5xx-after-retries")


@pytest.mark.parametrize("name", ["truncated-json", "wrong-types"])
def test_a_malformed_payload_changes_nothing(
    simulator: Simulator, tmp_path: Any, settings_for: SettingsFor, name: str
) -> None:
    _fails_and_changes_nothing(simulator, f"sqlite:///{tmp_path / 'faults.db'}", settings_for, name)


def test_bad_token_fails_cleanly(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    run_sync(settings_for(simulator, store_url))
    before = _dump(store_url)
    with pytest.raises(AuthError) as info:
        run_sync(settings_for(simulator, store_url, KNOWBE4_API_KEY="not-the-token"))
    assert info.value.exit_code == 2
    assert "not-the-token" not in info.value.message
    assert _dump(store_url) == before
    failed = _failed_run(store_url)
    assert failed["outcome"] == "failed"
    assert "token" in failed["error"]
    assert "not-the-token" not in failed["error"]


def test_a_sync_the_budget_cannot_pay_for_stops_before_it_starts(
    simulator_factory: Factory, store_url: str, settings_for: SettingsFor
) -> None:
    sim = simulator_factory(generate_tenant(50, seed=1, seats=3), limits="off")
    toml = "[knowbe4.limits]\ndaily_base = 2\n"  # 2 + 3 seats = 5 requests a day
    with pytest.raises(QuotaExhausted, match="needs at least 8 more KnowBe4 requests but only 4 are left today"):
        run_sync(settings_for(sim, store_url, toml=toml))
    assert sim.stats.total == 1  # the account only: it says how many seats, and so the day's budget
    dump = _dump(store_url)
    assert dump["users"] == []
    assert _failed_run(store_url)["outcome"] == "failed"


# --- two syncs at once ----------------------------------------------------------------------------------


def test_a_second_sync_exits_or_waits_bounded(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    settings = settings_for(simulator, store_url)
    engine = open_store(store_url)
    try:
        with StoreLock(engine):
            with pytest.raises(SyncInProgressError) as info:
                run_sync(settings)
            assert info.value.exit_code == 3
            with pytest.raises(SyncInProgressError, match=r"after waiting 0\.3 s"):
                run_sync(settings, wait_s=0.3)
            if store_url.startswith("sqlite"):  # another process, as the lock is meant for (once: it costs seconds)
                proc = as_process(["sync"], sync_env(simulator, store_url))
                assert proc.code == 3
                assert proc.stderr.strip().splitlines() == [
                    "error: another trainproof sync is running on this store: let it finish, or run again with --wait"
                ]
        assert simulator.stats.total == 0
        assert run_sync(settings).outcome == "ok"  # the lock is free again
    finally:
        engine.dispose()


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(
    simulator: Simulator, store_url: str, settings_for: SettingsFor
) -> None:
    engine = open_store(store_url)
    with engine.connect() as conn, write_transaction(conn):
        conn.execute(
            schema.sync_runs.insert().values(started_at=datetime(2026, 1, 1, tzinfo=UTC), outcome="running", full=False)
        )
    run_sync(settings_for(simulator, store_url))
    with engine.connect() as conn:
        runs = sync_runs(conn)
    engine.dispose()
    assert [r["outcome"] for r in runs] == ["ok", "interrupted"]


# --- progress and the command line ----------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.started: list[tuple[str, int | None]] = []
        self.advanced: dict[str, int] = {}
        self.finished: list[str] = []

    def start(self, resource: str, total: int | None) -> None:
        self.started.append((resource, total))

    def advance(self, resource: str, records: int) -> None:
        self.advanced[resource] = self.advanced.get(resource, 0) + records

    def finish(self, resource: str) -> None:
        self.finished.append(resource)


def test_progress_per_resource(simulator: Simulator, store_url: str, settings_for: SettingsFor) -> None:
    progress = _Recorder()
    report = run_sync(settings_for(simulator, store_url), progress=progress)
    resources = [r for r, _ in progress.started]
    assert resources[:3] == ["account", "users", "groups"]
    assert "enrollments" in resources
    assert progress.finished == resources
    assert progress.advanced["enrollments"] == report.enrollments
    assert progress.advanced["users"] == report.users


def test_cli_json_and_text(simulator: Simulator, store_url: str, trainproof: Trainproof) -> None:
    env = sync_env(simulator, store_url)
    data = trainproof("sync", "--format", "json", env=env).json()
    for key in ("requests", "minimum_requests", "users", "campaigns", "enrollments", "duration_s"):
        assert key in data
    assert data["requests"] == data["minimum_requests"] == simulator.stats.total
    text = trainproof("sync", env=env)
    assert text.code == 0
    last = text.stdout.strip().splitlines()[-1]
    assert last.startswith("synced ")
    assert "requests (minimum " in last
    assert "requests left today" in last
    plan = trainproof("sync", "--dry-run", env=env)
    assert plan.code == 0
    assert plan.stdout.strip().splitlines()[-1].startswith("plan: ")


def test_report_summary_line_shape() -> None:
    from trainproof.sync.plan import EnrollmentPlan, Plan

    now = datetime(2026, 11, 1, tzinfo=UTC)
    ep = EnrollmentPlan("campaigns", list(range(14)), [], [], 31, None, "by campaign")
    report = SyncReport(
        outcome="ok", run_id=1, full=False, plan=Plan(steps=[], enrollments=ep), started_at=now, finished_at=now,
        duration_s=1.0, requests=31, enrollments=12034, budget_remaining=2019, budget_limit=2050,
    )  # fmt: skip
    assert report.summary() == (
        "synced 12,034 enrollments in 14 campaigns with 31 requests (minimum 0), 0 retried; "
        "2,019 of 2,050 requests left today"
    )
