"""Several KnowBe4 accounts: the console started for one (`trainproof --account acme serve`) shows
`report accounts`' rows on its Accounts page, names the command that opens another account's console, and
serves only its own account's people."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from console._world import start_console, stop_console
from console.test_security import signed_in
from running import Trainproof
from workers._world import StartSimulator, start_accounts

NAMES = ["acme", "globex"]
TRAININGS = '\n[trainings.sat]\ntitle = "Security Awareness"\ncampaigns = ["Security Awareness 2025"]\n'


@dataclass
class Place:
    env: dict[str, str]
    root: Path


def test_the_accounts_page_is_report_accounts(
    simulator_factory: StartSimulator, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = start_accounts(simulator_factory, NAMES, tmp_path, f"sqlite:///{tmp_path / 'store.db'}", users=[12, 30])
    world.config.write_text(world.config.read_text() + TRAININGS)
    env = world.env()
    for name in NAMES:
        assert trainproof("--account", name, "sync", env=env).code == 0
    served = start_console(Place({**env, "TRAINPROOF_ACCOUNT": "acme"}, tmp_path))
    try:
        with signed_in(served) as client:
            rows = client.get("/accounts.json").json()
            page = client.get("/accounts").text
            people = client.get("/people.json").json()
            overview = client.get("/").text
    finally:
        stop_console(served)
    assert rows == json.loads(trainproof("report", "accounts", "--format", "json", env=env).stdout)
    assert {r["account"] for r in rows} == set(NAMES)
    assert "<code>trainproof --account globex serve</code>" in page
    assert "This console serves the account <strong>acme</strong>" in page
    assert '<a href="/accounts"' in overview
    assert "account acme" in overview
    acme = json.loads(trainproof("--account", "acme", "people", "--format", "json", env=env).stdout)
    assert people == acme, "the console serves the account it was started for, and only it"
    globex = json.loads(trainproof("--account", "globex", "people", "--format", "json", env=env).stdout)
    assert not {p["email"] for p in globex} & {p["email"] for p in people}
