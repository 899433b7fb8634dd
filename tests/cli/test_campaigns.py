"""`trainproof campaigns`: the campaigns to choose from, live before a first sync, from the store after one.

The tenant of `_hipaa_tenant` on a simulator (127.0.0.1): HIPAA selects 400, security awareness 101.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cli._hipaa_tenant import CONFIG, hipaa_tenant
from running import CliResult, Trainproof
from trainproof.simulator import Simulator

Run = Callable[..., CliResult]


@pytest.fixture
def run(simulator_factory: Callable[..., Simulator], trainproof: Trainproof, tmp_path: Path) -> Run:
    sim = simulator_factory(hipaa_tenant(), limits="off")
    config = tmp_path / "trainproof.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {
        "KNOWBE4_BASE_URL": sim.base_url,
        "KNOWBE4_API_KEY": sim.token,
        "TRAINPROOF_CONFIG": str(config),
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
    }

    def call(*args: str) -> CliResult:
        return trainproof(*args, env=env, now="2026-09-01T12:00:00Z", cwd=tmp_path)

    return call


def _by_id(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["campaign_id"]: r for r in rows}


def test_before_a_first_sync_the_list_is_live_and_whole(run: Run, tmp_path: Path) -> None:
    result = run("campaigns", "--format", "json")
    rows = _by_id(result.json())
    assert set(rows) == {101, 400, 401}
    assert rows[400] == {
        "campaign_id": 400,
        "name": "HIPAA 2025",
        "status": "Completed",
        "state": "closed",
        "content": 1,
        "enrolled": None,  # not known without reading every enrollment
        "completion": None,
        "start_date": "2025-02-01T00:00:00+00:00",
        "end_date": "2025-04-30T00:00:00+00:00",
        "selected_by": ["hipaa"],
    }
    assert rows[401]["selected_by"] == []
    assert "live from KnowBe4" in result.stderr
    assert not (tmp_path / "store.db").exists()  # asking created no store


def test_after_a_sync_the_store_counts_people_and_completion(run: Run) -> None:
    assert run("sync").code == 0
    result = run("campaigns", "--format", "json")
    rows = _by_id(result.json())
    assert (rows[401]["enrolled"], rows[401]["completion"]) == (3, 33.3)  # Bo completed, Ada and Cy not
    assert (rows[400]["enrolled"], rows[400]["completion"]) == (1, 100.0)
    assert rows[101]["selected_by"] == ["security_awareness"]
    assert result.stderr == ""


def test_filters_and_formats(run: Run) -> None:
    assert run("sync").code == 0
    closed = run("campaigns", "--status", "closed", "--format", "json").json()
    assert [r["campaign_id"] for r in closed] == [400]
    found = run("campaigns", "--search", "hipaa", "--format", "csv")
    assert found.out_lines[0] == "id,name,status,content,enrolled,completion,start,end,selected by"
    assert sorted(line.split(",")[0] for line in found.out_lines[1:]) == ["400", "401"]
    by_id = run("campaigns", "--search", "101", "--format", "json").json()
    assert [r["name"] for r in by_id] == ["Annual Security Awareness 2026"]
    table = run("campaigns", "--search", "2025")
    assert table.code == 0
    assert (
        "│ 400 │ HIPAA 2025 │ Completed │ 1       │ 1        │ 100.0%     │ 2025-02-01 │ 2025-04-30 │ hipaa"
        in table.stdout
    )
    assert "security_awareness" not in table.stdout
    bad = run("campaigns", "--status", "finished")
    assert bad.code == 2
    assert bad.err_lines[0].startswith("error: unknown campaign status 'finished'")
