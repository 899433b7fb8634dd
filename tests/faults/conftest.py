"""Fixtures of the reliability suite: the fault world (see `_world`) and per-test settings for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trainproof.config import load_settings
from trainproof.simulator import Simulator
from trainproof.sync import run_sync

from ._world import (
    NOW,
    NOW_BEFORE,
    TIME_SCALE,
    World,
    bounded,
    change_tenant,
    copy_sqlite,
    dump_of,
    fault_tenant,
    toml_text,
)


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The simulator (limits off, time scaled) with the changed tenant, a store synced before the change,
    and the canonical dump a clean sync of the changed tenant writes into a copy of that store."""
    root = tmp_path_factory.mktemp("fault-world")
    config = root / "trainproof.toml"
    config.write_text(toml_text(), encoding="utf-8")
    with Simulator(fault_tenant(), limits="off", time_scale=TIME_SCALE) as sim, pytest.MonkeyPatch.context() as mp:

        def sync_into(db: Path, now: str) -> int:
            mp.setenv("TRAINPROOF_NOW", now)
            env = {
                "KNOWBE4_API_KEY": sim.token,
                "KNOWBE4_BASE_URL": sim.base_url,
                "TRAINPROOF_DATABASE_URL": f"sqlite:///{db}",
                "TRAINPROOF_STATE_DIR": str(root / "state"),
                "TRAINPROOF_NO_KEYRING": "1",
            }
            settings = load_settings(config, env=env)
            report = bounded(lambda: run_sync(settings), 60)
            assert report.outcome == "ok"
            return report.requests

        base = root / "base.db"
        sync_into(base, NOW_BEFORE)
        before = dump_of(f"sqlite:///{base}")
        change_tenant(sim.tenant)
        clean = root / "clean.db"
        copy_sqlite(base, clean)
        requests = sync_into(clean, NOW)
        expected = dump_of(f"sqlite:///{clean}")
        assert expected != before  # the change is visible: a sync that wrote nothing could not pass
        sim.reset()
        yield World(sim=sim, base_db=base, before=before, expected=expected, clean_requests=requests)


@pytest.fixture
def fault_store(world: World, tmp_path: Path) -> str:
    """A private copy of the previous store for one test; the URL."""
    db = tmp_path / "trainproof.db"
    copy_sqlite(world.base_db, db)
    return f"sqlite:///{db}"


EnvFor = Callable[..., dict[str, str]]


@pytest.fixture
def env_for(world: World, fault_store: str, tmp_path: Path) -> EnvFor:
    """`env_for(**toml_options)`: the environment of a `trainproof sync` of the fault world into the copy."""

    def make(*, token: str | None = None, **options: object) -> dict[str, str]:
        config = tmp_path / "trainproof.toml"
        config.write_text(toml_text(**options), encoding="utf-8")  # type: ignore[arg-type]
        return {
            "KNOWBE4_API_KEY": world.sim.token if token is None else token,
            "KNOWBE4_BASE_URL": world.sim.base_url,
            "TRAINPROOF_DATABASE_URL": fault_store,
            "TRAINPROOF_CONFIG": str(config),
            "TRAINPROOF_NOW": NOW,
            "TRAINPROOF_NO_KEYRING": "1",
        }

    return make
