"""Three simulated KnowBe4 accounts in one store (SQLite and PostgreSQL): every KnowBe4 id is the same in
each (the simulator numbers people from 700001), the people differ, and nothing of one account appears
in another's `people`, reports, evidence pack or `report accounts` row."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from running import Trainproof
from workers._world import StartSimulator, start_accounts

NAMES = ["acme", "globex", "initech"]
TRAININGS = '\n[trainings.sat]\ntitle = "Security Awareness"\ncampaigns = ["Security Awareness 2025"]\n'


def test_nothing_of_one_account_appears_in_another(
    simulator_factory: StartSimulator, store_url: str, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = start_accounts(simulator_factory, NAMES, tmp_path, store_url, users=[20, 30, 40])
    world.config.write_text(world.config.read_text() + TRAININGS)
    env = world.env()
    emails = {a.name: {str(u["email"]).lower() for u in a.sim.tenant.records("users")} for a in world.items}
    assert not emails["acme"] & emails["globex"]  # the worlds differ, so a leak would show
    for name in NAMES:
        result = trainproof("--account", name, "sync", env=env)
        assert result.code == 0, result.stderr

    for name in NAMES:
        others = set().union(*(emails[o] for o in NAMES if o != name))
        people = json.loads(trainproof("--account", name, "people", "--format", "json", env=env).stdout)
        seen = {str(p["email"]).lower() for p in people}
        assert seen, name
        assert seen <= emails[name]
        assert not seen & others
        overdue = trainproof("--account", name, "report", "overdue", "--format", "json", env=env)
        assert overdue.code == 0, overdue.stderr
        assert {str(r["email"]).lower() for r in json.loads(overdue.stdout)} <= emails[name]
        pack = tmp_path / f"{name}.zip"
        built = trainproof("--account", name, "evidence", "--training", "sat", "--out", str(pack), env=env)
        assert built.code == 0, built.stderr
        with zipfile.ZipFile(pack) as zf:
            text = b"".join(zf.read(n) for n in zf.namelist() if not n.endswith(".pdf")).decode("utf-8", "replace")
        assert any(e in text for e in emails[name])
        assert not [e for e in others if e in text]

    rows = json.loads(trainproof("report", "accounts", "--format", "json", env=env).stdout)
    by_account = {r["account"]: r for r in rows}
    assert set(by_account) == set(NAMES)
    for name in NAMES:
        people = json.loads(trainproof("--account", name, "people", "--format", "json", env=env).stdout)
        assert by_account[name]["in_scope"] == len(people)
        assert by_account[name]["training"] == "sat"
    assert [r["percent_compliant"] for r in rows] == sorted(r["percent_compliant"] for r in rows)  # worst first


def test_a_command_without_account_names_the_accounts(
    simulator_factory: StartSimulator, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = start_accounts(simulator_factory, NAMES, tmp_path, f"sqlite:///{tmp_path / 'store.db'}", users=10)
    result = trainproof("status", env=world.env())
    assert result.code == 2
    assert "this configuration has 3 accounts (acme, globex, initech): say which with --account NAME" in result.stderr
    unknown = trainproof("--account", "umbrella", "status", env=world.env())
    assert "no account 'umbrella': the accounts are acme, globex, initech" in unknown.stderr


def test_accounts_lists_and_checks_every_account(
    simulator_factory: StartSimulator, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = start_accounts(simulator_factory, NAMES, tmp_path, f"sqlite:///{tmp_path / 'store.db'}", users=10)
    world["initech"].token = "revoked"
    env = world.env()
    assert trainproof("--account", "acme", "sync", env=env).code == 0
    states = {s["account"]: s for s in json.loads(trainproof("accounts", "--format", "json", env=env).stdout)}
    assert states["acme"]["health"] == "ok"
    assert states["acme"]["requests_today"] > 0
    assert states["globex"]["health"] == "never"
    assert states["globex"]["requests_today"] == 0
    check = trainproof("accounts", "check", "--format", "json", env=env)
    assert check.code == 1
    ok = {c["account"]: c["ok"] for c in json.loads(check.stdout)}
    assert ok == {"acme": True, "globex": True, "initech": False}


@pytest.mark.parametrize("name", ["acme"])
def test_a_single_account_file_needs_no_account(name: str, simulator_factory: StartSimulator, tmp_path: Path) -> None:
    from trainproof.accounts import load_accounts

    world = start_accounts(simulator_factory, [name], tmp_path, f"sqlite:///{tmp_path / 'store.db'}", users=5)
    assert load_accounts(world.config, env=world.env()).choose(None).name == name
