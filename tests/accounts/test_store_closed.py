"""A command closes the store it opened: on PostgreSQL a connection left in an undisposed engine's pool is
only closed by the garbage collector, and psycopg warns "connection deleted while still open" (a leak a
long-lived caller, such as a worker running commands, would pile up)."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from running import Trainproof
from workers._world import StartSimulator, start_accounts

TRAININGS = '\n[trainings.sat]\ntitle = "Security Awareness"\ncampaigns = ["Security Awareness 2025"]\n'


def _open_connections_left(trainproof: Trainproof, args: list[str], env: dict[str, str]) -> list[str]:
    """The ResourceWarnings the garbage collector raises for what `trainproof ARGS` left open."""
    gc.collect()  # what earlier steps left is not this command's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = trainproof(*args, env=env)
        gc.collect()
    assert result.code in (0, 1), (args, result.stderr)
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


@pytest.mark.postgres
def test_every_store_command_closes_its_connections(
    simulator_factory: StartSimulator, pg_url: str, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = start_accounts(simulator_factory, ["acme", "globex"], tmp_path, pg_url, users=[10, 12])
    world.config.write_text(world.config.read_text() + TRAININGS)
    env = world.env()
    assert trainproof("--account", "acme", "sync", env=env).code == 0
    someone = str(world["acme"].sim.tenant.records("users")[0]["email"])
    commands = [
        ["people", "--format", "json"],
        ["status", "--format", "json"],
        ["check", "--format", "json"],
        ["person", someone, "--format", "json"],
        ["reset", someone, "--training", "sat", "--dry-run"],
        ["report", "overdue", "--format", "json"],
        ["evidence", "--training", "sat", "--out", str(tmp_path / "pack.zip")],
        ["certificates", "--training", "sat", "--out", str(tmp_path / "certificates")],
    ]
    left = {" ".join(c): _open_connections_left(trainproof, ["--account", "acme", *c], env) for c in commands}
    left["report accounts"] = _open_connections_left(trainproof, ["report", "accounts", "--format", "json"], env)
    assert {c: w for c, w in left.items() if w} == {}
