"""Fixtures of the console tests: the synced store, a running console, and Chromium for pytest-playwright."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from console._world import CHROMIUM, Served, World, console_tenant, start_console, stop_console
from trainproof.simulator import Simulator


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Synced and judged once per module (nightly keeps Ada's and Mallory's compliance)."""
    with Simulator(console_tenant(), limits="off") as sim:
        w = World(sim, tmp_path_factory.mktemp("console"))
        w.run("nightly", "--out", "certs")
        yield w


@pytest.fixture
def console(world: World) -> Iterator[Served]:
    served = start_console(world)
    yield served
    stop_console(served)


@pytest.fixture(scope="module")
def shared_console(world: World) -> Iterator[Served]:
    """One console for a module whose tests change nothing."""
    served = start_console(world)
    yield served
    stop_console(served)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (no browser download). Every address but loopback goes
    to a closed port as proxy, so nothing the pages ask for can leave the machine."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`bash .ci/chromium.sh` installs Debian's)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--proxy-server=http://127.0.0.1:9",
        ],
    }
