"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from running import Trainproof

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
def trainproof() -> Trainproof:
    """`trainproof(*args, env=None, now=None, cwd=None, timeout=120)` -> CliResult(code, stdout, stderr):
    the CLI run in process through `trainproof.cli.main`, as a user runs it (tests/running.py). For the
    few tests where the process boundary itself is under test, `running.as_process`."""
    return Trainproof()


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


# --- stores: a real SQLite file, or a real PostgreSQL schema of its own (store and sync tests) ---------


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards (runs stay isolated)."""
    base = os.environ.get("TRAINPROOF_TEST_PG_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TRAINPROOF_TEST_PG_URL (`bash .ci/postgres.sh` starts one and prints it)")
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '20s'")
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store under test: a SQLite file in tmp_path, or a PostgreSQL schema (skipped without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trainproof.db'}"
    return str(request.getfixturevalue("pg_url"))
