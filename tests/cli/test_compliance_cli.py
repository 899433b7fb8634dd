"""Compliance end to end through the CLI: four people, sticky decisions, resets, --as-of, evidence.

A real simulator on 127.0.0.1 serves a hand-built tenant; `trainproof nightly` (sync + keep + certify),
`status`, `reset`, `certificates` and `evidence` run through the CLI's entry point the way a user runs
them, with the clock pinned by TRAINPROOF_NOW so each step happens on a known day.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reports._tenant import campaign, enrollment, purchase, tenant, ts, user
from running import CliResult, in_process
from trainproof.simulator import Simulator

MA, MB, MC = purchase(1, "Module A"), purchase(2, "Module B"), purchase(3, "Module C")
A = campaign(101, "Campaign A", [MA], start="2026-08-01", end="2026-09-30")
B = campaign(102, "Campaign B", [MB], start="2026-08-01", end="2026-09-30")
C = campaign(103, "Campaign C", [MC], start="2026-08-01", end="2026-09-30")
ASTRONAUT = user(1, "Ada", "Astronaut", department="Eng")
WIZARD = user(2, "Wanda", "Wizard", department="Eng")
SUPERHERO = user(3, "Sam", "Superhero", department="Sales")
NINJA = user(4, "Nia", "Ninja", department="Sales")

TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = [101, "Campaign B"]
"""


def done(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any], day: str) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="Passed", started=day, completed=day)


def todo(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any]) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="In Progress", started="2026-08-05")


def four_people_tenant() -> dict[str, Any]:
    """Four people, campaigns A and B selected, C not; every person is also in C (ignored)."""
    return tenant(
        users=[ASTRONAUT, WIZARD, SUPERHERO, NINJA],
        store_purchases=[MA, MB, MC],
        training_campaigns=[A, B, C],
        enrollments=[
            done(11, ASTRONAUT, A, MA, "2026-08-10"),
            done(12, ASTRONAUT, B, MB, "2026-08-12"),
            todo(13, ASTRONAUT, C, MC),
            todo(21, WIZARD, A, MA),
            done(22, WIZARD, B, MB, "2026-08-11"),
            todo(23, WIZARD, C, MC),
            done(31, SUPERHERO, A, MA, "2026-08-15"),
            todo(33, SUPERHERO, C, MC),
            todo(42, NINJA, B, MB),
            done(43, NINJA, C, MC, "2026-08-20"),
        ],
    )


class World:
    def __init__(self, sim: Simulator, root: Path) -> None:
        self.sim = sim
        self.root = root
        (root / "trainproof.toml").write_text(TOML, encoding="utf-8")
        self.env = {
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
            "TRAINPROOF_CONFIG": str(root / "trainproof.toml"),
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
            "TRAINPROOF_STATE_DIR": str(root / "state"),
        }

    def run(self, *args: str, now: str, ok: bool = True) -> CliResult:
        result = in_process(list(args), {**self.env, "TRAINPROOF_NOW": now}, cwd=self.root)
        if ok:
            assert result.code == 0, f"{args}: {result.stderr}"
        return result

    def status(self, *, now: str, as_of: str | None = None) -> dict[int, dict[str, Any]]:
        extra = ["--as-of", as_of] if as_of else []
        rows = json.loads(self.run("people", "--format", "json", *extra, now=now).stdout)
        return {r["user_id"]: r for r in rows}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with Simulator(four_people_tenant(), limits="off") as sim:
        yield World(sim, tmp_path)


def states(rows: dict[int, dict[str, Any]]) -> dict[int, str]:
    return {uid: r["state"] for uid, r in sorted(rows.items())}


def test_four_people_sticky_reset_as_of_and_evidence(world: World) -> None:
    day1, day2 = "2026-09-01T12:00:00Z", "2026-10-01T12:00:00Z"

    # Night 1: two of the four are compliant.
    out = world.run("nightly", "--out", "certs", now=day1).stdout
    assert "2 new certificate(s)" in out
    first = world.status(now=day1)
    assert states(first) == {1: "compliant", 2: "incomplete", 3: "compliant", 4: "incomplete"}
    assert [c["campaign_id"] for c in first[1]["campaigns"]] == [101, 102]  # campaign C is ignored
    assert first[2]["campaigns"][0]["outstanding_modules"] == ["Module A"]
    assert first[1]["sticky"] is True  # nightly kept it

    # KnowBe4 changes: the astronaut's progress is reset, the superhero's enrollment deleted,
    # and the wizard completes campaign A on 2026-09-15.
    world.sim.tenant.update("enrollments", 11, status="Not Started", start_date=None, completion_date=None)
    world.sim.tenant.delete("enrollments", 31)
    world.sim.tenant.update(
        "enrollments", 21, status="Completed", completion_date=ts("2026-09-15"), start_date=ts("2026-09-14")
    )
    world.run("nightly", "--out", "certs", now=day2)
    second = world.status(now=day2)
    assert states(second) == {1: "compliant", 2: "compliant", 3: "compliant", 4: "incomplete"}
    assert second[1]["sticky"] is True
    assert second[3]["sticky"] is True
    assert second[1]["compliant_since"] == first[1]["compliant_since"]

    # Point in time: the answer of night 1, after later completions and resets.
    then = world.status(now=day2, as_of="2026-09-01")
    assert states(then) == states(first)

    # Reset: preview first, then the astronaut is judged from KnowBe4's current data (progress reset).
    preview = world.run(
        "reset", ASTRONAUT["email"], "--training", "security_awareness", "--dry-run", "--format", "json", now=day2
    )
    assert json.loads(preview.stdout) == [
        {
            "email": ASTRONAUT["email"],
            "name": "Ada Astronaut",
            "before": "compliant",
            "after": "incomplete",
            "flips": True,
        }
    ]
    assert states(world.status(now=day2))[1] == "compliant"  # a dry run changes nothing
    world.run("reset", ASTRONAUT["email"], "--training", "security_awareness", now=day2)
    after = world.status(now=day2)
    assert after[1]["state"] == "incomplete"
    assert after[1]["sticky"] is False
    assert after[3]["state"] == "compliant"  # the superhero was not reset
    person = json.loads(world.run("person", ASTRONAUT["email"], "--format", "json", now=day2).stdout)
    kinds = [e["kind"] for e in person["events"]]
    assert "compliant" in kinds
    assert "reset" in kinds  # the earlier record stays in the history
    # ...and the reset does not rewrite the past.
    assert states(world.status(now=day2, as_of="2026-09-01")) == states(first)

    # Certificates are valid PDFs that name the person and the training.
    world.run("certificates", "--out", "all-certs", now=day2)
    pdfs = sorted((world.root / "all-certs").glob("*.pdf"))
    assert len(pdfs) == 2  # wizard and superhero are compliant now
    text = " ".join(page.extract_text() for pdf in pdfs for page in PdfReader(pdf).pages)
    assert "Wanda Wizard" in text
    assert "Sam Superhero" in text
    assert "Security Awareness Training" in text

    # Evidence pack: verifies, and any edit is caught.
    world.run("evidence", "--training", "security_awareness", "--out", "pack.zip", now=day2)
    pack = world.root / "pack.zip"
    assert world.run("evidence", "verify", str(pack), now=day2).code == 0
    with zipfile.ZipFile(pack) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    population = members["population.csv"].decode()
    assert "nia" in population.lower()
    members["population.csv"] = population.replace("incomplete", "compliant").encode()
    tampered = world.root / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    bad = world.run("evidence", "verify", str(tampered), now=day2, ok=False)
    assert bad.code == 1
    assert "population.csv" in bad.stdout + bad.stderr
    assert "Traceback" not in bad.stderr


def test_check_reports_unknown_campaign(world: World) -> None:
    world.run("nightly", "--out", "certs", now="2026-09-01T12:00:00Z")
    (world.root / "trainproof.toml").write_text(
        TOML.replace('[101, "Campaign B"]', '[101, 999, "Campain B"]'), encoding="utf-8"
    )
    proc = world.run("check", now="2026-09-01T12:00:00Z", ok=False)
    assert proc.code == 2  # a configuration error, the one `status` and `sync` stop with too
    assert "999" in proc.stdout
    assert "Campaign B" in proc.stdout  # the near match is suggested
    assert proc.stderr == (
        "error: [trainings.security_awareness] campaigns: no campaign has id 999: check the id; "
        "`trainproof api training-campaigns` lists them\n"
    )
    assert "Traceback" not in proc.stderr


def test_status_without_store_is_one_line(tmp_path: Path) -> None:
    proc = in_process(["status"], {"TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'missing.db'}"}, cwd=tmp_path)
    assert proc.code != 0
    assert proc.stderr.count("\n") == 1
    assert "trainproof sync" in proc.stderr
