"""`report html` with several KnowBe4 accounts: without --account the page across accounts holds exactly the
rows of `report accounts` (worst first) and no person of any account; with --account it is that account's
own report, with nothing of another (it may be forwarded to that customer). Three simulated accounts in one
store (SQLite and PostgreSQL); the page across accounts drawn offline in headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports._chromium import CHROMIUM, DeadEndProxy, render
from running import Trainproof
from trainproof.accounts import load_accounts
from trainproof.sync import run_sync
from workers._world import Accounts as World
from workers._world import StartSimulator, start_accounts

NAMES = ["acme", "globex", "initech"]
TRAININGS = """
[trainings.sat]
title = "Security Awareness"
campaigns = ["Security Awareness 2025"]
"""


class _Table(HTMLParser):
    """The text pieces of each cell of the table with class `tp-accounts`."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[list[str]]] = []
        self._inside = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "tp-accounts") in attrs:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag == "td":
            self._cell = []
            self.rows[-1].append(self._cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and data.strip():
            self._cell.append(data.strip())


def _cells(page: str) -> list[list[list[str]]]:
    parser = _Table()
    parser.feed(page)
    return [r for r in parser.rows if r]  # the header row has th cells only


def _world(simulator_factory: StartSimulator, tmp_path: Path, store_url: str) -> World:
    world = start_accounts(simulator_factory, NAMES, tmp_path, store_url, users=[20, 30, 40])
    world.config.write_text(world.config.read_text() + TRAININGS)
    for account in load_accounts(world.config, env=world.env()):
        assert run_sync(account.settings).outcome == "ok"
    return world


def _emails(world: World) -> dict[str, set[str]]:
    return {a.name: {str(u["email"]).lower() for u in a.sim.tenant.records("users")} for a in world.items}


def test_the_page_across_accounts_holds_report_accounts_rows_and_no_person(
    simulator_factory: StartSimulator, store_url: str, tmp_path: Path, trainproof: Trainproof
) -> None:
    world = _world(simulator_factory, tmp_path, store_url)
    env = world.env()
    emails = _emails(world)
    rows = json.loads(trainproof("report", "accounts", "--format", "json", env=env).stdout)
    assert sorted(r["account"] for r in rows) == NAMES  # one training: one row per account

    out = tmp_path / "accounts.html"
    made = trainproof("report", "html", "--out", str(out), env=env)
    assert made.code == 0, made.stderr
    page = out.read_text(encoding="utf-8")
    assert 'id="accounts"' in page
    assert 'id="departments"' not in page  # nothing of one account's own report
    shown = [
        (c[0][1], c[1][0], int(c[2][0]), int(c[3][0]), float(c[4][0].rstrip("%")), int(c[5][0])) for c in _cells(page)
    ]
    assert shown == [
        (r["account"], r["training"], r["in_scope"], r["compliant"], r["percent_compliant"], r["overdue"]) for r in rows
    ]  # the same rows, in the same (worst first) order
    assert [s[4] for s in shown] == sorted(s[4] for s in shown)
    assert '<div class="v">3</div><div class="k">Accounts</div>' in page
    lowered = page.lower()
    assert not [e for name in NAMES for e in emails[name] if e in lowered]

    # One account's report is that account's alone: no accounts section, nobody of another account.
    own = tmp_path / "acme.html"
    assert trainproof("--account", "acme", "report", "html", "--out", str(own), env=env).code == 0
    acme = own.read_text(encoding="utf-8").lower()
    assert 'id="accounts"' not in acme
    assert 'id="departments"' in acme
    assert any(e in acme for e in emails["acme"])
    assert not [e for name in ("globex", "initech") for e in emails[name] if e in acme]
    assert "initech" not in acme
    assert "globex" not in acme


@pytest.fixture
def proxy() -> Iterator[DeadEndProxy]:
    p = DeadEndProxy()
    try:
        yield p
    finally:
        p.close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: run .ci/chromium.sh")
def test_chromium_draws_the_accounts_chart_offline(
    simulator_factory: StartSimulator, tmp_path: Path, trainproof: Trainproof, proxy: DeadEndProxy
) -> None:
    world = _world(simulator_factory, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    out = tmp_path / "accounts.html"
    assert trainproof("report", "html", "--out", str(out), env=world.env()).code == 0
    page = out.read_text(encoding="utf-8")
    shown = render(out, tmp_path / "profile", proxy)
    assert shown.requests == []
    bars = page.count('class="tp-bar"')
    assert bars == len(NAMES)  # one training, three accounts
    assert shown.dataset["drawnBars"] == str(bars)
    assert shown.dataset["drawnCharts"] == "1"
