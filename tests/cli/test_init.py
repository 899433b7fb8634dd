"""`trainproof init`: asked on a terminal (pexpect), or answered by options; the token never reaches a file.

Two simulators on 127.0.0.1 stand for two KnowBe4 regions through TRAINPROOF_REGION_URLS (which accepts
loopback servers only, so a real token cannot be sent elsewhere by it): "us" knows another token, "eu"
knows ours, so the search must say us refused and eu answered. The tenant is `_hipaa_tenant`'s.
"""

from __future__ import annotations

import os
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from cli._hipaa_tenant import hipaa_tenant
from running import CliResult, Trainproof
from trainproof.simulator import Simulator

TOKEN = "eu-token-5f1e9c"  # what a person pastes; it must end up in no file
DOWN = "\x1b[B"

Run = Callable[..., CliResult]


@pytest.fixture
def regions(simulator_factory: Callable[..., Simulator]) -> dict[str, Simulator]:
    tenant = hipaa_tenant()
    return {
        "us": simulator_factory(tenant, limits="off", token="a-us-token"),
        "eu": simulator_factory(tenant, limits="off", token=TOKEN),
    }


@pytest.fixture
def region_urls(regions: dict[str, Simulator]) -> str:
    return ",".join(f"{name}={sim.base_url}" for name, sim in regions.items())


@pytest.fixture
def run(trainproof: Trainproof, tmp_path: Path, region_urls: str) -> Run:
    """`run(*args, **env)`: `trainproof *args` in process in tmp_path (no terminal), the token in the environment."""

    def call(*args: str, **env: str | None) -> CliResult:
        base: dict[str, str | None] = {
            "KNOWBE4_API_KEY": TOKEN,
            "TRAINPROOF_REGION_URLS": region_urls,
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        }
        return trainproof(*args, env={**base, **env}, now="2026-09-01T12:00:00Z", cwd=tmp_path)

    return call


def _files_holding(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_init_asks_on_a_terminal_finds_the_region_and_writes_no_token(tmp_path: Path, region_urls: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KNOWBE4_", "TRAINPROOF_"))}
    env.update(
        TRAINPROOF_REGION_URLS=region_urls,
        TRAINPROOF_STATE_DIR=str(tmp_path / "state"),
        TRAINPROOF_NOW="2026-09-01T12:00:00Z",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",  # offered, and honestly not kept
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "trainproof", "init"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 140),
    )
    transcript: list[str] = []

    def answer(prompt: str, keys: str) -> None:
        child.expect(prompt)
        transcript.append(child.before + child.after)
        time.sleep(0.2)  # prompt_toolkit reads keys once its prompt is drawn
        child.send(keys)

    try:
        answer(r"Reporting API token \(hidden\)", TOKEN + "\r")
        answer("Keep it in the OS keyring", "y")
        answer("us: token not known there", "")
        answer("eu: accepted the token", "")
        answer("Campaigns for Security Awareness Training", "101")  # type to filter: the id is in each line
        answer(r"id 101\)", " \r")
        answer("Campaigns for HIPAA Training", "400")
        answer(r"id 400\)", " \r")
        answer("Campaigns for AI Awareness Training", "\r")  # none: the training is left out
        answer("Another training to add", "\r")
        answer("How does compliance renew", DOWN + DOWN + "\r")  # a fixed date each year
        answer(r"Renewal date each year \(MM-DD\)", "02-30\r")  # no year has it: asked again
        answer("a month and day, e.g. 01-15", "\x08" * 5 + "01-15\r")
        answer(r"New-hire grace in days", "30\r")
        answer(r"hipaa \(HIPAA Training\): 1 campaign\(s\), renewal each year on 01-15; covers 1 of 3 people", "")
        answer("Write trainproof.toml", "y")
        answer("Run the first `trainproof sync` now", "n")
        child.expect(pexpect.EOF)
        transcript.append(child.before)
    finally:
        child.close(force=True)
    seen = "".join(transcript)
    assert child.exitstatus == 0, seen
    assert "the OS keyring did not keep it" in seen
    assert "the token is not stored: set KNOWBE4_API_KEY" in seen
    assert "next: trainproof sync, then trainproof status" in seen
    assert TOKEN not in seen  # typed hidden, never echoed
    written = (tmp_path / "trainproof.toml").read_text(encoding="utf-8")
    assert tomllib.loads(written) == {
        "knowbe4": {"region": "eu"},
        "trainings": {
            "security_awareness": {"campaigns": [101], "renew_on": "01-15", "new_hire_grace_days": 30},
            "hipaa": {"campaigns": [400], "renew_on": "01-15", "new_hire_grace_days": 30},
        },
    }
    assert "101, # Annual Security Awareness 2026" in written
    assert _files_holding(tmp_path, TOKEN) == []


def test_init_from_options_writes_syncs_and_never_overwrites(run: Run, tmp_path: Path) -> None:
    result = run(
        "init",
        "--yes",
        "--select",
        "security_awareness=101",
        "--select",
        "hipaa=HIPAA 2025,401",
        "--renew-every-days",
        "365",
        "--grace-days",
        "14",
        "--sync",
    )
    assert result.code == 0, result.stderr
    assert result.err_lines[:3] == [
        "finding the token's KnowBe4 region:",
        "  us: token not known there",
        "  eu: accepted the token",
    ]
    assert "KnowBe4 account Acme (region eu" in result.stderr
    assert (
        "  hipaa (HIPAA Training): 2 campaign(s), renewal 365 days after completion; "
        "covers 3 of 3 people, 1 compliant now (33%)"
    ) in result.err_lines
    config = tmp_path / "trainproof.toml"
    assert tomllib.loads(config.read_text(encoding="utf-8"))["trainings"]["hipaa"] == {
        "campaigns": [400, 401],
        "renew_every_days": 365,
        "new_hire_grace_days": 14,
    }
    assert result.stdout.startswith("synced ")
    assert _files_holding(tmp_path, TOKEN) == []
    env = {"KNOWBE4_BASE_URL": None, "TRAINPROOF_CONFIG": str(config)}
    people = run("people", "--training", "hipaa", "--format", "json", **env).json()
    assert {r["email"]: r["state"] for r in people} == {
        "ada@acme.example": "incomplete",  # 2025 done, 2026 not started: both are selected
        "bo@acme.example": "compliant",
        "cy@acme.example": "incomplete",
    }

    before = config.read_bytes()
    again = run("init", "--yes", "--select", "hipaa=400")
    assert again.code == 2
    assert again.err_lines == [
        "error: trainproof.toml already exists and is left as it is: `trainproof trainings` changes its "
        "campaigns; pass --force to replace it"
    ]
    assert config.read_bytes() == before
    forced = run("init", "--yes", "--force", "--select", "hipaa=400")
    assert forced.code == 0, forced.stderr
    assert tomllib.loads(config.read_text(encoding="utf-8"))["trainings"] == {"hipaa": {"campaigns": [400]}}


def test_without_a_terminal_and_without_yes_init_says_what_to_pass(run: Run, tmp_path: Path) -> None:
    result = run("init")
    assert result.code == 2
    assert result.err_lines == [
        "error: init asks its questions on a terminal; without one pass --region REGION, --select KEY=CAMPAIGNS "
        "(repeatable), --renew-every-days N or --renew-on MM-DD, --grace-days N, and --yes"
    ]
    assert not (tmp_path / "trainproof.toml").exists()


def test_a_region_given_or_a_base_url_is_checked_with_one_request(
    run: Run, tmp_path: Path, regions: dict[str, Simulator]
) -> None:
    wrong = run("init", "--yes", "--region", "us", "--select", "hipaa=400")
    assert wrong.code == 2
    assert wrong.err_lines[-1].startswith("error: KnowBe4 rejected the API token")
    assert regions["eu"].stats.count("/v1/account") == 0  # us was asked, and only us
    assert not (tmp_path / "trainproof.toml").exists()

    direct = run("init", "--yes", "--select", "hipaa=400", KNOWBE4_BASE_URL=regions["eu"].base_url)
    assert direct.code == 0, direct.stderr
    assert "finding" not in direct.stderr
    assert "knowbe4" not in tomllib.loads((tmp_path / "trainproof.toml").read_text(encoding="utf-8"))


def test_a_403_explains_platinum_and_diamond(run: Run, regions: dict[str, Simulator]) -> None:
    regions["eu"].configure(platinum=False)
    result = run("init", "--yes", "--select", "hipaa=400")
    assert result.code == 2
    assert "403 Forbidden" in result.err_lines[-1]
    assert "Platinum or Diamond" in result.err_lines[-1]


def test_region_stand_ins_must_be_loopback(run: Run, tmp_path: Path) -> None:
    result = run("init", "--yes", "--select", "hipaa=400", TRAINPROOF_REGION_URLS="us=https://example.com")
    assert result.code == 2
    assert result.err_lines == [
        "error: TRAINPROOF_REGION_URLS us is not a loopback address: it replaces KnowBe4's servers by local "
        "simulators only (127.0.0.1, ::1 or localhost)"
    ]


def test_a_campaign_reference_that_selects_nothing_stops_before_writing(run: Run, tmp_path: Path) -> None:
    result = run("init", "--yes", "--select", "hipaa=HIPAA 2024")
    assert result.code == 2
    assert result.err_lines[-1].startswith(
        "error: [trainings.hipaa] campaigns: no campaign is named 'HIPAA 2024': did you mean"
    )
    bad_date = run("init", "--yes", "--select", "hipaa=400", "--renew-on", "02-30")
    assert bad_date.code == 2
    assert "renew_on" in bad_date.err_lines[-1]
    assert not (tmp_path / "trainproof.toml").exists()
