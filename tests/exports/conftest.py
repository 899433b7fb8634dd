"""A synced store of four people (two compliant) and the Vanta and Drata stand-ins, for the export tests.

The KnowBe4 simulator serves a hand-built tenant on 127.0.0.1, `trainproof sync` fills a SQLite store,
and every export runs through the CLI's entry point with TRAINPROOF_NOW pinned, as a user runs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reports._tenant import campaign, enrollment, purchase, tenant, user
from running import CliResult, in_process
from trainproof.simulator import Simulator

from .standins import DrataStandIn, VantaStandIn, serving

NOW = "2026-09-01T12:00:00Z"
MA, MB = purchase(1, "Module A"), purchase(2, "Module B")
A = campaign(101, "Campaign A", [MA], start="2026-08-01", end="2026-09-30")
B = campaign(102, "Campaign B", [MB], start="2026-08-01", end="2026-09-30")
ASTRONAUT = user(1, "Ada", "Astronaut", department="Eng")
WIZARD = user(2, "Wanda", "Wizard", department="Eng")
SUPERHERO = user(3, "Sam", "Superhero", department="Sales")
NINJA = user(4, "Nia", "Ninja", department="Sales")
PEOPLE = (ASTRONAUT, WIZARD, SUPERHERO, NINJA)
EMAILS = tuple(p["email"] for p in PEOPLE)

TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = [101, 102]

[exports.vanta]
resource_id = "res-1"
"""


def done(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any], day: str) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="Passed", started=day, completed=day)


def todo(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any]) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="In Progress", started="2026-08-05")


def four_people() -> dict[str, Any]:
    """Ada and Sam completed both campaigns (compliant); Wanda and Nia did not."""
    return tenant(
        users=list(PEOPLE),
        store_purchases=[MA, MB],
        training_campaigns=[A, B],
        enrollments=[
            done(11, ASTRONAUT, A, MA, "2026-08-10"),
            done(12, ASTRONAUT, B, MB, "2026-08-12"),
            todo(21, WIZARD, A, MA),
            done(22, WIZARD, B, MB, "2026-08-11"),
            done(31, SUPERHERO, A, MA, "2026-08-15"),
            done(32, SUPERHERO, B, MB, "2026-08-16"),
            todo(42, NINJA, B, MB),
        ],
    )


class World:
    """The simulator, a config, a synced store and the environment the exports run in."""

    def __init__(self, sim: Simulator, root: Path) -> None:
        self.sim = sim
        self.root = root
        self.config = root / "trainproof.toml"
        self.config.write_text(TOML, encoding="utf-8")
        self.store = root / "store.db"
        self.env: dict[str, str | None] = {
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
            "TRAINPROOF_CONFIG": str(self.config),
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{self.store}",
            "TRAINPROOF_STATE_DIR": str(root / "state"),
        }

    def run(self, *args: str, now: str = NOW, env: dict[str, str | None] | None = None) -> CliResult:
        return in_process(list(args), {**self.env, **(env or {}), "TRAINPROOF_NOW": now}, cwd=self.root)

    def ok(self, *args: str, now: str = NOW, env: dict[str, str | None] | None = None) -> CliResult:
        result = self.run(*args, now=now, env=env)
        assert result.code == 0, f"{args}: {result.stderr}"
        return result

    def add_config(self, text: str) -> None:
        self.config.write_text(self.config.read_text(encoding="utf-8") + text, encoding="utf-8")

    def files_text(self) -> bytes:
        """Every byte trainproof wrote under the test folder (store, state, outputs)."""
        return b"".join(p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file())


@pytest.fixture(scope="session")
def synced_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four people synced once; each test starts from a copy (a sync takes a second)."""
    root = tmp_path_factory.mktemp("synced")
    with Simulator(four_people(), limits="off") as sim:
        World(sim, root).ok("sync")
    return root / "store.db"


@pytest.fixture
def world(tmp_path: Path, synced_store: Path) -> Iterator[World]:
    with Simulator(four_people(), limits="off") as sim:
        w = World(sim, tmp_path)
        for suffix in ("", "-wal", "-shm"):
            source = synced_store.with_name(synced_store.name + suffix)
            if source.exists():
                shutil.copy2(source, w.store.with_name(w.store.name + suffix))
        yield w


@pytest.fixture
def vanta() -> Iterator[tuple[VantaStandIn, str]]:
    stand_in = VantaStandIn()
    with serving(stand_in.app) as url:
        yield stand_in, url


@pytest.fixture
def drata() -> Iterator[tuple[DrataStandIn, str]]:
    stand_in = DrataStandIn(people=EMAILS)
    with serving(stand_in.app) as url:
        yield stand_in, url + "/public/v2"
