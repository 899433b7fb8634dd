"""Odd completion dates end to end: sync warns of future ones, nobody is compliant from them, `check` names them.

A simulator on 127.0.0.1 serves a tenant where one completion is stamped 9999-12-31 (a broken import),
one a few days after the sync (a clock ahead), one 0001-01-01 and one before its enrollment; the CLI
runs through its entry point as a user runs it, with TRAINPROOF_NOW pinning each step's "now".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reports._tenant import campaign, enrollment, purchase, tenant, user
from running import CliResult, in_process
from trainproof.simulator import Simulator
from trainproof.store import load_enrollments, open_store

MA = purchase(1, "Module A")
A = campaign(101, "Campaign A", [MA], start="2026-08-01", end="2026-09-30")
ADA, BOB, CY = user(1, "Ada", "Astronaut"), user(2, "Bob", "Future"), user(3, "Cy", "Early")
DEE, EVE = user(4, "Dee", "Placeholder"), user(5, "Eve", "Backdated")
TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
campaigns = [101]
"""
NIGHT1, NIGHT2 = "2026-09-01T12:00:00Z", "2026-09-20T12:00:00Z"


def far_tenant() -> dict[str, Any]:
    future = enrollment(12, BOB, A, MA, status="Passed", started="2026-08-05")
    future["completion_date"] = "9999-12-31T00:00:00.000Z"
    return tenant(
        users=[ADA, BOB, CY, DEE, EVE],
        store_purchases=[MA],
        training_campaigns=[A],
        enrollments=[
            enrollment(11, ADA, A, MA, status="Passed", started="2026-08-10", completed="2026-08-10"),
            future,
            enrollment(13, CY, A, MA, status="Completed", started="2026-08-06", completed="2026-09-10"),
            {**enrollment(14, DEE, A, MA, status="Passed"), "completion_date": "0001-01-01T00:00:00.000Z"},
            enrollment(15, EVE, A, MA, status="Passed", enrolled="2026-08-20", completed="2026-08-02"),
        ],
    )


class Run:
    def __init__(self, sim: Simulator, root: Path) -> None:
        self.root = root
        (root / "trainproof.toml").write_text(TOML, encoding="utf-8")
        self.store_url = f"sqlite:///{root / 'store.db'}"
        self.env = {
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
            "TRAINPROOF_CONFIG": str(root / "trainproof.toml"),
            "TRAINPROOF_DATABASE_URL": self.store_url,
            "TRAINPROOF_STATE_DIR": str(root / "state"),
        }

    def __call__(self, *args: str, now: str) -> CliResult:
        result = in_process(list(args), {**self.env, "TRAINPROOF_NOW": now}, cwd=self.root)
        assert result.code == 0, f"{args}: {result.stderr}"
        assert "Traceback" not in result.stderr
        return result

    def states(self, *, now: str, as_of: str | None = None) -> dict[int, tuple[str, bool]]:
        extra = ["--as-of", as_of] if as_of else []
        rows = json.loads(self("people", "--format", "json", *extra, now=now).stdout)
        return {r["user_id"]: (r["state"], r["sticky"]) for r in rows}


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    with Simulator(far_tenant(), limits="off") as sim:
        yield Run(sim, tmp_path)


def test_future_dated_completions_warn_do_not_count_and_are_listed(run: Run) -> None:
    sync = run("sync", now=NIGHT1)
    assert (
        "warning: 2 enrollments carry a completion date after this sync (2026-09-01 12:00 UTC): stored as "
        "received, never counted before that date; `trainproof check` names them"
    ) in sync.stderr
    # Not compliant today, and not kept (sticky) either; the other odd dates count as KnowBe4 sent them.
    assert run.states(now=NIGHT1) == {
        1: ("compliant", True), 2: ("incomplete", False), 3: ("incomplete", False), 4: ("compliant", True),
        5: ("compliant", True),
    }  # fmt: skip

    check = run("check", now=NIGHT1)  # data problems are warnings: the configuration itself is fine
    assert "warning: 2 completions in the selected campaigns are dated after now (2026-09-01 12:00 UTC)" in check.stdout
    assert "enrollment 12 of 'bob@acme.example' in 'Campaign A' completed 9999-12-31" in check.stdout
    assert "enrollment 13 of 'cy@acme.example' in 'Campaign A' completed 2026-09-10" in check.stdout
    assert "enrollment 14 of 'dee@acme.example' in 'Campaign A' completed 0001-01-01" in check.stdout
    assert "enrollment 15 of 'eve@acme.example' in 'Campaign A' completed 2026-08-02 (enrolled 2026-08-20)" in (
        check.stdout
    )
    problems = json.loads(run("check", "--format", "json", now=NIGHT1).stdout)
    assert [(p["code"], p["count"]) for p in problems] == [
        ("completion_after_now", 2), ("completion_placeholder_date", 1), ("completion_before_enrollment", 1),
    ]  # fmt: skip
    problem = problems[0]
    assert [(x["email"], x["campaign"], x["completion_date"]) for x in problem["examples"]] == [
        ("bob@acme.example", "Campaign A", "9999-12-31T00:00:00+00:00"),
        ("cy@acme.example", "Campaign A", "2026-09-10T00:00:00+00:00"),
    ]

    # The rows stay in the store as KnowBe4 sent them.
    engine = open_store(run.store_url)
    try:
        with engine.connect() as conn:
            stored = {e.enrollment_id: e.completion_date for e in load_enrollments(conn)}
    finally:
        engine.dispose()
    assert stored[12] == datetime(9999, 12, 31, tzinfo=UTC)
    assert stored[13] == datetime(2026, 9, 10, tzinfo=UTC)

    # Later, Cy's date has come: compliant since then, and answers for dates before and after it agree.
    report = json.loads(run("sync", "--format", "json", now=NIGHT2).stdout)
    assert report["future_completions"] == 1
    assert any(w.startswith("1 enrollment carries a completion date after this sync") for w in report["warnings"])
    assert {u: s for u, s in run.states(now=NIGHT2).items() if u <= 3} == {
        1: ("compliant", True), 2: ("incomplete", False), 3: ("compliant", True),
    }  # fmt: skip
    assert run.states(now=NIGHT2, as_of="2026-09-09")[3] == ("incomplete", False)
    assert run.states(now=NIGHT2, as_of="2026-09-11")[3][0] == "compliant"
    assert run.states(now=NIGHT2, as_of="2026-09-11")[2][0] == "incomplete"
    problem = json.loads(run("check", "--format", "json", now=NIGHT2).stdout)[0]
    assert (problem["code"], problem["count"], problem["examples"][0]["enrollment_id"]) == (
        "completion_after_now", 1, 12,
    )  # fmt: skip


def test_nightly_says_what_its_sync_warned_about(run: Run) -> None:
    nightly = run("nightly", "--out", str(run.root / "certificates"), now=NIGHT1)
    assert "warning: 2 enrollments carry a completion date after this sync" in nightly.stderr
    assert "nightly:" in nightly.stdout
