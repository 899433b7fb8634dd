"""`trainproof sync --all`: accounts synced side by side in one process, each within its own limits, one
account's failure named and never the others' end."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainproof.accounts import load_accounts
from trainproof.client import KnowBe4Client
from trainproof.sync.many import sync_accounts

from ._world import StartSimulator, start_accounts


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trainproof.db'}"


def test_healthy_accounts_sync_fully_and_the_broken_are_named(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, sqlite_url: str
) -> None:
    accounts = start_accounts(simulator_factory, ["alpha", "revoked", "storm", "omega"], tmp_path, sqlite_url)
    accounts["revoked"].token = "a-token-knowbe4-no-longer-knows"
    accounts["storm"].sim.set_faults({"kind": "rate_limit"})  # every request answered 429, past the retry budget

    result = trainproof("sync", "--all", env=accounts.env())

    assert result.code == 1
    lines = dict(line.split(": ", 1) for line in result.out_lines[:-1])
    assert list(lines) == ["alpha", "revoked", "storm", "omega"]  # the configuration's order
    for healthy in ("alpha", "omega"):
        assert lines[healthy].startswith(f"synced {accounts[healthy].enrollments:,} enrollments"), lines[healthy]
        assert accounts[healthy].sim.stats.count("/v1/account") == 1
    assert lines["revoked"].startswith("failed: ")
    assert "token" in lines["revoked"]
    assert lines["storm"].startswith("failed: ")
    assert "429" in lines["storm"], lines["storm"]
    assert result.out_lines[-1].startswith("2 of 4 accounts synced")
    assert result.out_lines[-1].endswith("2 failed: revoked, storm")
    assert result.err_lines[-1] == (
        "error: 2 of 4 accounts failed to sync (revoked, storm): each line names why; the other accounts are "
        "stored: fix these and run `trainproof --account NAME sync`"
    )
    assert "a-token-knowbe4-no-longer-knows" not in result.stdout + result.stderr

    # what the healthy accounts stored is theirs alone, and complete: the JSON twin says the same
    again = trainproof("sync", "--all", "--format", "json", env=accounts.env())
    assert again.code == 1
    body = __import__("json").loads(again.stdout)
    assert body["failed"] == ["revoked", "storm"]
    assert [a["account"] for a in body["accounts"]] == ["alpha", "revoked", "storm", "omega"]


def test_a_dead_account_does_not_hold_the_others_back(simulator_factory: StartSimulator, tmp_path: Path) -> None:
    """An account whose server never answers in time fails on its own clock; the healthy ones finish first."""
    accounts = start_accounts(
        simulator_factory, ["healthy", "down"], tmp_path, f"sqlite:///{tmp_path / 'trainproof.db'}"
    )
    accounts["down"].sim.set_faults({"kind": "slow", "seconds": 3})  # past timeout_s = 2 on every request
    accounts.write_config(own_limits={"down": "retry_budget_s = 1000"})  # it keeps trying for 10 s (scaled)
    env = accounts.env()
    settings = [a.settings for a in load_accounts(accounts.config, env=env)]
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        report = sync_accounts(settings)

    healthy, down = report.by_account["healthy"], report.by_account["down"]
    assert healthy.ok
    assert not down.ok
    assert down.error is not None
    assert "no answer within 2 s" in down.error
    assert down.duration_s > 9.0
    assert healthy.duration_s < down.duration_s / 2, "the healthy account waited on the dead one"


def test_wall_time_is_the_slowest_account_not_the_sum(
    simulator_factory: StartSimulator, tmp_path: Path, sqlite_url: str
) -> None:
    """Under KnowBe4's limits (time-scaled), three accounts take about as long as the slowest alone."""
    accounts = start_accounts(
        simulator_factory, ["a", "b", "c"], tmp_path, sqlite_url, users=[40, 60, 80], limits="real", time_scale=0.2
    )
    env = accounts.env()
    settings = [a.settings for a in load_accounts(accounts.config, env=env)]
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        report = sync_accounts(settings)

    assert not report.failed
    assert report.requests == report.minimum_requests
    durations = [o.duration_s for o in report.outcomes]
    assert report.duration_s < 0.7 * sum(durations), (report.duration_s, durations)
    assert report.duration_s < max(durations) + 1.0
    for a in accounts.items:  # each within its own limits: the simulator's real limits never answered 429
        assert a.sim.stats.count(status=429) == 0


def test_accounts_of_one_host_do_not_share_a_rate_limiter(tmp_path: Path) -> None:
    """KnowBe4 limits each API key: two tokens on one region are paced apart, one token always together."""
    from trainproof.config import load_settings

    settings = load_settings(env={"TRAINPROOF_STATE_DIR": str(tmp_path), "TRAINPROOF_NO_KEYRING": "1"})
    one = KnowBe4Client(settings, token="token-one")
    other = KnowBe4Client(settings, token="token-two")
    same = KnowBe4Client(settings, token="token-one")
    assert one.base_url == other.base_url
    assert one.limiter is not other.limiter
    assert one.limiter is same.limiter


def test_nightly_all_writes_each_accounts_certificates_in_its_folder(
    trainproof, simulator_factory: StartSimulator, tmp_path: Path, sqlite_url: str
) -> None:
    accounts = start_accounts(simulator_factory, ["north", "south"], tmp_path, sqlite_url, users=15)
    accounts.write_config(
        limits='\n[trainings.hipaa]\ntitle = "HIPAA"\ncampaigns = ["HIPAA Privacy and Security 2026"]\n'
        "renew_every_days = 365\n"
    )
    out = tmp_path / "certificates"
    result = trainproof("nightly", "--all", "--out", str(out), env=accounts.env(), now="2026-11-03T08:00:00+00:00")

    assert result.code == 0, result.stderr
    for name in ("north", "south"):
        note = next(line for line in result.out_lines if line.startswith(f"{name}: nightly: "))
        written = sorted((out / name).glob("*.pdf"))
        assert note.endswith(f"{len(written)} new certificate(s) in {out / name}")
        assert written, f"{name} earned no certificate"
    north = {p.name for p in (out / "north").glob("*.pdf")}
    south = {p.name for p in (out / "south").glob("*.pdf")}
    assert not north & south  # different people in different customers' folders
    assert result.out_lines[-1].startswith("2 of 2 accounts synced")
