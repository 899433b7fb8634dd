"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from trainproof.simulator import Simulator

# Tests must never pick up a developer's real token, keyring or config.
os.environ.pop("KNOWBE4_API_KEY", None)
os.environ.pop("KNOWBE4_REGION", None)
os.environ.pop("KNOWBE4_BASE_URL", None)
os.environ.pop("TRAINPROOF_CONFIG", None)
os.environ.pop("TRAINPROOF_DATABASE_URL", None)
os.environ["TRAINPROOF_NO_KEYRING"] = "1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own state dir (daily API usage) so runs never share budgets."""
    monkeypatch.setenv("TRAINPROOF_STATE_DIR", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    """A running KnowBe4 simulator on 127.0.0.1: limits off, a generated 50-person tenant (seed 1).

    Use `simulator.base_url`, `simulator.token` / `simulator.headers`, `simulator.stats`, and change the
    data between requests with `simulator.tenant.update(...)` (see `trainproof.simulator`).
    """
    from trainproof.simulator import Simulator, generate_tenant

    with Simulator(generate_tenant(50, seed=1), limits="off") as sim:
        yield sim


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., Simulator]]:
    """Start simulators with options: `simulator_factory(tenant, limits="real", time_scale=0.01, ...)`.

    Takes exactly `Simulator`'s arguments (note its default `limits="real"`); every one started is stopped
    at teardown.
    """
    from trainproof.simulator import Simulator

    started: list[Simulator] = []

    def start(*args: Any, **kwargs: Any) -> Simulator:
        sim = Simulator(*args, **kwargs).start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()
