"""Fixtures of the console tests: the synced store, a running console, and Chromium driven by Playwright."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (no browser download), started and stopped within each module.

    Not pytest-playwright's session-wide `browser`: Playwright's sync API keeps an asyncio loop running
    in the main thread while it is started, and the suite's anyio tests that run after this folder cannot
    start their own loop beside it. Every address but loopback goes to a closed port as proxy, so nothing
    the pages ask for can leave the machine.
    """
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`bash .ci/chromium.sh` installs Debian's)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--proxy-server=http://127.0.0.1:9",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no cookie) per test."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 800})
    yield context.new_page()
    context.close()
