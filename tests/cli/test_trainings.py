"""`trainproof trainings`: select, unselect, add and remove preview who would change, and write only when told.

A simulator on 127.0.0.1 serves three people and two HIPAA campaigns. HIPAA counts "HIPAA 2025" (400)
only; "HIPAA 2026" (401) is also synced (`[sync] campaigns = "all"`) so the store can judge it:

- Ada completed 400 (compliant, kept by the first sync) and has not started 401;
- Bo is enrolled in 401 only and completed it;
- Cy is enrolled in 401 only and has not started it.

Selecting 401 flips Bo (not_enrolled -> compliant) and Cy (not_enrolled -> incomplete) and leaves Ada
compliant only by her kept record (the new selection alone says incomplete), which the preview says.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from cli._hipaa_tenant import CONFIG, hipaa_tenant
from running import CliResult, Trainproof
from trainproof.simulator import Simulator

Run = Callable[..., CliResult]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "trainproof.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def run(simulator_factory: Callable[..., Simulator], trainproof: Trainproof, tmp_path: Path, config: Path) -> Run:
    """`run(*args)`: `trainproof *args` in process against the simulator, the config above and a store in tmp_path."""
    sim = simulator_factory(hipaa_tenant(), limits="off")
    env = {
        "KNOWBE4_BASE_URL": sim.base_url,
        "KNOWBE4_API_KEY": sim.token,
        "TRAINPROOF_CONFIG": str(config),
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }

    def call(*args: str) -> CliResult:
        return trainproof(*args, env=env, now="2026-09-01T12:00:00Z", cwd=tmp_path)

    return call


def _states(run: Run, training: str) -> dict[str, str]:
    rows = run("people", "--training", training, "--format", "json").json()
    return {r["email"]: r["state"] for r in rows}


def test_select_previews_the_flips_and_leaves_the_file_byte_identical(run: Run, config: Path) -> None:
    assert run("sync").code == 0
    assert _states(run, "hipaa") == {
        "ada@acme.example": "compliant",
        "bo@acme.example": "not_enrolled",
        "cy@acme.example": "not_enrolled",
    }

    result = run("trainings", "select", "hipaa", "401")
    assert result.code == 0, result.stderr
    out = result.stdout
    assert "+ HIPAA 2026 (id 401)" in out
    assert "3 people in scope; enrolled in a selected campaign 1 -> 3; compliant 1 -> 2" in out
    assert "people whose state would change: 2" in out
    flips = [line for line in out.splitlines() if "->" in line and "@" in line]
    assert any("bo@acme.example" in line and "not_enrolled -> compliant" in line for line in flips), out
    assert any("cy@acme.example" in line and "not_enrolled -> incomplete" in line for line in flips), out
    assert "1 person(s) stay compliant by a kept record" in out
    assert any("ada@acme.example" in line and "incomplete" in line for line in out.splitlines())
    assert "trainproof reset EMAIL... --training hipaa" in out
    assert "not changed: run again with --yes" in result.stderr
    assert config.read_bytes() == CONFIG.encode()  # byte-identical without --yes


def test_select_with_yes_writes_keeps_the_comments_and_the_next_sync_judges_by_it(run: Run, config: Path) -> None:
    assert run("sync").code == 0
    result = run("trainings", "select", "hipaa", "401", "--yes")
    assert result.code == 0, result.stderr
    assert "wrote" in result.stderr
    text = config.read_text(encoding="utf-8")
    assert "# HIPAA: the campaigns our auditor agreed to count" in text
    assert "campaigns = [400, 401]  # last year's" in text
    assert run("sync").code == 0
    assert _states(run, "hipaa") == {
        "ada@acme.example": "compliant",  # kept: Drata does not drop compliance on a selection change
        "bo@acme.example": "compliant",
        "cy@acme.example": "incomplete",
    }

    again = run("trainings", "select", "hipaa", "HIPAA 2026")
    assert "'HIPAA 2026' (id 401) is already selected by hipaa" in again.stderr
    assert "nothing to change" in again.stderr


def test_unselect_by_name_removes_the_id_written_for_it(run: Run, config: Path) -> None:
    assert run("sync").code == 0
    assert run("trainings", "select", "hipaa", "401", "--yes").code == 0
    result = run("trainings", "unselect", "hipaa", "HIPAA 2026", "--yes", "--format", "json")
    assert result.code == 0, result.stderr
    preview = json.loads(result.stdout)
    assert preview["written"] is True
    assert preview["trainings"][0]["removed"] == [{"campaign_id": 401, "name": "HIPAA 2026"}]
    assert config.read_text(encoding="utf-8") == CONFIG


def test_add_and_remove_a_training(run: Run, config: Path) -> None:
    assert run("sync").code == 0
    added = run("trainings", "add", "gdpr", "--title", "GDPR Awareness", "--yes")
    assert added.code == 0, added.stderr
    assert "gdpr (GDPR Awareness): new training" in added.stdout
    listing = run("trainings")
    assert "gdpr (GDPR Awareness): renewal none, new-hire grace none" in listing.stdout
    assert "no campaign selected: trainproof trainings select gdpr CAMPAIGN..." in listing.stdout
    assert "HIPAA 2025 (id 400)" in listing.stdout
    assert "3 people in scope, 1 enrolled in a selected campaign, 1 compliant (33%)" in listing.stdout
    removed = run("trainings", "remove", "gdpr", "--yes")
    assert removed.code == 0, removed.stderr
    assert "gdpr (GDPR Awareness): training removed" in removed.stdout
    assert config.read_text(encoding="utf-8") == CONFIG


def test_a_reference_that_selects_nothing_is_one_line_and_changes_nothing(run: Run, config: Path) -> None:
    assert run("sync").code == 0
    result = run("trainings", "select", "hipaa", "HIPAA 2027")
    assert result.code == 2
    assert result.err_lines == [
        "error: [trainings.hipaa] campaigns: no campaign is named 'HIPAA 2027': did you mean 'HIPAA 2026' (id 401) "
        "or 'HIPAA 2025' (id 400)? Names must match exactly; `trainproof api training-campaigns` lists them"
    ]
    unknown = run("trainings", "select", "gdpr", "401")
    assert unknown.code == 2
    assert "no training [trainings.gdpr]" in unknown.stderr
    assert config.read_bytes() == CONFIG.encode()


def test_before_a_first_sync_the_campaigns_come_from_knowbe4(run: Run, config: Path) -> None:
    result = run("trainings", "select", "hipaa", "401")
    assert result.code == 0, result.stderr
    assert "+ HIPAA 2026 (id 401)" in result.stdout
    assert "note: no store yet: people are judged after the first `trainproof sync`" in result.stdout
    assert config.read_bytes() == CONFIG.encode()


def test_on_a_terminal_the_change_waits_for_a_yes(run: Run, config: Path, tmp_path: Path) -> None:
    """Run as a process on a pseudo-terminal: "n" leaves the file as it was, "y" writes it."""
    assert run("sync").code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KNOWBE4_", "TRAINPROOF_"))}
    env.update(
        TRAINPROOF_CONFIG=str(config),
        TRAINPROOF_DATABASE_URL=f"sqlite:///{tmp_path / 'store.db'}",
        TRAINPROOF_NOW="2026-09-01T12:00:00Z",
        TRAINPROOF_NO_KEYRING="1",
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    for key, written in (("n", False), ("y", True)):
        child = pexpect.spawn(
            sys.executable,
            ["-m", "trainproof", "trainings", "select", "hipaa", "401"],
            cwd=str(tmp_path),
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 140),
        )
        try:
            child.expect("people whose state would change: 2")
            child.expect("Write trainproof.toml")
            child.send(key)
            child.expect(pexpect.EOF)
        finally:
            child.close(force=True)
        assert child.exitstatus == 0
        assert ("[400, 401]" in config.read_text(encoding="utf-8")) is written
