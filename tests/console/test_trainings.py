"""Choosing campaigns in the browser, like Drata's drawer: tick, preview who flips, save, see them flip.

HIPAA selects Campaign B; Nia is enrolled in Campaign A only (done), so she is not enrolled for HIPAA.
Ticking Campaign A for HIPAA makes her compliant; Wanda, who has done only B, would now be incomplete
but keeps her compliance by its kept record (Drata's rule), which the preview says. The preview is
`trainings select`'s; the file is written with its comments kept, and `people` agrees afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from console._world import Served, World, console_tenant
from trainproof.simulator import Simulator

TOML = """# Compliance trainings, kept by the compliance lead.
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = [101, 102]

[trainings.hipaa]
title = "HIPAA Privacy and Security"
campaigns = [102]  # the 2026 HIPAA course
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with Simulator(console_tenant(with_nia=True), limits="off") as sim:
        w = World(sim, tmp_path_factory.mktemp("trainings"), toml=TOML)
        w.run("sync")
        yield w


def hipaa_of(world: World, email: str) -> str:
    rows = world.run("people", "--training", "hipaa", "--search", email, "--format", "json").json()
    return str(rows[0]["state"])


def test_tick_preview_save_and_people_flip(page: Page, console: Served, world: World) -> None:
    assert hipaa_of(world, "nia@acme.example") == "not_enrolled"
    page.goto(console.login_url)
    page.get_by_role("link", name="Trainings").click()
    hipaa = page.get_by_role("group", name="HIPAA Privacy and Security")
    expect(hipaa.get_by_label("Campaign B")).to_be_checked()
    hipaa.get_by_label("Campaign A").check()
    page.get_by_role("button", name="Preview").click()
    flips = page.locator("#flips tbody tr")
    expect(flips).to_have_count(1)
    expect(flips).to_contain_text("Nia Ninja")
    expect(flips.locator("td").nth(3)).to_have_text("not_enrolled")
    expect(flips.locator("td").nth(4)).to_have_text("compliant")
    expect(page.locator("#preview")).to_contain_text("1 person(s) stay compliant by a kept record")
    assert world.config.read_text(encoding="utf-8") == TOML, "a preview writes nothing"

    page.get_by_role("button", name="Save to trainproof.toml").click()
    expect(page.get_by_role("heading", name="Saved to trainproof.toml")).to_be_visible()
    written = world.config.read_text(encoding="utf-8")
    assert written.startswith("# Compliance trainings, kept by the compliance lead.\n")
    hipaa_table = written.split("[trainings.hipaa]")[1]
    assert "102" in hipaa_table
    assert "101" in hipaa_table
    assert "# the 2026 HIPAA course" in written
    assert hipaa_of(world, "nia@acme.example") == "compliant"
    assert hipaa_of(world, "wanda@acme.example") == "compliant"

    page.goto(console.base + "/people?training=hipaa&state=compliant")
    expect(page.locator("#people tbody tr").filter(has_text="Nia Ninja")).to_have_count(1)
    page.goto(console.base + "/trainings")
    expect(page.get_by_role("group", name="HIPAA Privacy and Security").get_by_label("Campaign A")).to_be_checked()


def test_read_only_shows_the_selection_without_controls(page: Page, world: World, tmp_path: Path) -> None:
    from console._world import start_console, stop_console

    served = start_console(world, "--read-only")
    try:
        page.goto(served.login_url)
        page.goto(served.base + "/trainings")
        expect(
            page.get_by_role("group", name="Security Awareness Training").get_by_label("Campaign A")
        ).to_be_disabled()
        expect(page.get_by_role("button", name="Preview")).to_have_count(0)
    finally:
        stop_console(served)
