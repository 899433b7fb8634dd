"""The console in a real browser: Debian's Chromium driven by Playwright against `trainproof serve`.

Signing in through the printed link, a person's page with Reset and its history entry, the certificate
and evidence-pack downloads checked as the CLI checks them, a hostile name shown as text, keyboard
reach of the controls, and nothing requested from anywhere but the console itself.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from console._world import XSS, Served, World

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def signed_in(page: Page, console: Served) -> Iterator[Page]:
    """A page that opened the printed sign-in link; afterwards every request it made must have stayed on the
    console, and the browser must have logged no error (a script failing, or the CSP refusing something)."""
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(console.login_url)
    yield page
    elsewhere = [u for u in asked if not u.startswith(console.base + "/")]
    assert elsewhere == [], f"the console's pages asked for {elsewhere}"
    assert errors == [], "no script error and nothing the Content-Security-Policy had to refuse"


def test_sign_in_lands_on_the_overview_without_the_token(signed_in: Page, console: Served) -> None:
    expect(signed_in).to_have_url(console.base + "/")
    expect(signed_in.get_by_role("heading", name="Overview")).to_be_visible()
    expect(signed_in.get_by_role("row", name="Security Awareness Training")).to_contain_text("4")


def test_the_overview_draws_the_trend_and_names_problems(signed_in: Page, console: Served) -> None:
    """The chart's one inline style is allowed by its hash (computed, not refused: the fixture sees no CSP
    error); check's warning names Mallory's enrollment."""
    page = signed_in
    chart = page.get_by_role("region", name="Trend").get_by_role("img", name="Completion and phish-prone")
    expect(chart).to_be_visible()
    assert chart.evaluate("svg => getComputedStyle(svg).maxWidth") == "100%"
    expect(page.get_by_role("region", name="KnowBe4 requests today")).to_contain_text("requests left today")
    problems = page.get_by_role("region", name="Problems")
    expect(problems).to_contain_text("enrollment 42 of 'mallory@acme.example' in 'Campaign B' completed 2026-08-21")


def test_filter_people_then_open_a_person(signed_in: Page, console: Served) -> None:
    page = signed_in
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.locator("#matched")).to_contain_text("8 rows match")
    page.get_by_label("State").select_option("incomplete")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/people\?.*state=incomplete"))
    rows = page.locator("#people tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Sam Superhero")).to_have_count(2)
    expect(rows.filter(has_text="Wanda Wizard")).to_contain_text("Campaign A: Module A")
    page.get_by_label("Search").fill("wanda")
    page.get_by_label("Search").press("Enter")
    expect(rows).to_have_count(1)
    page.reload()  # the address holds the filters: a bookmark opens the same list
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Wanda Wizard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wanda Wizard")


def test_a_person_reset_and_its_history(signed_in: Page, console: Served, world: World) -> None:
    page = signed_in
    page.goto(console.base + "/people/ada@acme.example")
    section = page.get_by_role("region", name="Security Awareness Training")
    expect(section).to_contain_text("compliant")
    expect(section).to_contain_text("kept")
    page.on("dialog", lambda dialog: dialog.accept())
    section.get_by_label("Reason (kept in the history)").fill("auditor asked for a re-check")
    section.get_by_role("button", name="Reset Security Awareness Training").click()
    history = page.get_by_role("region", name="History of decisions and resets")
    expect(history.get_by_role("row").filter(has_text="auditor asked for a re-check")).to_contain_text("reset")
    expect(history).to_contain_text("trainproof console")
    person = world.run("person", "ada@acme.example", "--format", "json").json()
    resets = [e for e in person["events"] if e["kind"] == "reset" and e["training"] == "security_awareness"]
    assert [e["reason"] for e in resets] == ["auditor asked for a re-check"]


def test_certificate_and_evidence_pack_downloads(
    signed_in: Page, console: Served, world: World, tmp_path: Path
) -> None:
    page = signed_in
    page.goto(console.base + "/people/mallory@acme.example")
    with page.expect_download() as got:
        page.get_by_role("region", name="HIPAA Privacy and Security").get_by_role(
            "link", name="Download the certificate (PDF)"
        ).click()
    pdf = tmp_path / got.value.suggested_filename
    got.value.save_as(pdf)
    reader = PdfReader(pdf)
    record = json.loads(reader.attachments["evidence.json"][0])
    assert record["person"] == {"user_id": 4, "email": "mallory@acme.example", "name": f"Mallory {XSS}"}
    assert record["training"]["key"] == "hipaa"
    world.run("certificates", "--training", "hipaa", "--out", str(tmp_path / "cli"))
    assert (tmp_path / "cli" / pdf.name).is_file(), "the CLI certifies the same evidence (the name holds its hash)"

    page.goto(console.base + "/evidence")
    with page.expect_download() as got:
        page.get_by_role("group", name="HIPAA Privacy and Security").get_by_role(
            "button", name="Download the evidence pack"
        ).click()
    pack = tmp_path / got.value.suggested_filename
    got.value.save_as(pack)
    assert zipfile.is_zipfile(pack)
    key = tmp_path / "key.pem"
    key.write_text(world.run("evidence", "key").stdout, encoding="utf-8")
    verified = world.run("evidence", "verify", str(pack), "--public-key", str(key))
    assert verified.stdout.startswith(f"{pack.name}: OK, signed by the key given")


def test_verify_an_uploaded_pack(signed_in: Page, console: Served, world: World, tmp_path: Path) -> None:
    from console.test_evidence import altered_copy

    pack = tmp_path / "evidence-security_awareness.zip"
    world.run("evidence", "--training", "security_awareness", "--out", str(pack))
    page = signed_in
    page.goto(console.base + "/evidence")
    form = page.get_by_role("region", name="Verify a pack")
    result = form.get_by_role("status")
    form.get_by_label("Evidence pack").set_input_files(pack)
    form.get_by_role("button", name="Verify the pack").click()
    expect(result).to_contain_text(f"Verified: {pack.name}")
    expect(result).to_contain_text("Proved: the pack is byte for byte what the holder of that key")
    form.get_by_label("Evidence pack").set_input_files(altered_copy(pack, tmp_path / "edited.zip"))
    form.get_by_role("button", name="Verify the pack").click()
    expect(result).to_contain_text("Not verified: edited.zip (1 problem)")
    expect(result).to_contain_text("population.csv: edited: its SHA-256 is")
    expect(result).to_contain_text("What to do: the pack was changed after it was written")


def test_a_hostile_name_is_text(signed_in: Page, console: Served) -> None:
    page = signed_in
    page.goto(console.base + "/people?search=mallory")
    expect(page.locator("#people tbody tr").first.get_by_role("link")).to_have_text(f"Mallory {XSS}")
    page.goto(console.base + "/people/mallory@acme.example")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mallory {XSS}")
    assert page.title() != "owned"
    assert page.evaluate("document.querySelectorAll('main img, main script').length") == 0


def test_the_controls_are_reached_by_keyboard(signed_in: Page, console: Served) -> None:
    page = signed_in
    page.goto(console.base + "/people/ada@acme.example")
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.textContent || document.activeElement.id"))
    assert "People" in reached
    assert any(r.startswith("reason-") for r in reached)
    assert any(r.startswith("Reset ") for r in reached)


def test_sync_now_shows_progress_then_a_new_run(signed_in: Page, console: Served) -> None:
    page = signed_in
    page.get_by_role("link", name="Sync").click()
    runs = page.locator("#runs tbody tr")
    count = runs.count()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status")).to_contain_text("synced ", timeout=60_000)
    expect(page.locator("#sync-progress")).to_contain_text("users")
    page.reload()
    expect(runs).to_have_count(count + 1)
    expect(runs.first).to_contain_text("ok")


def test_screenshot_for_the_readme(signed_in: Page, console: Served) -> None:
    page = signed_in
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto(console.base + "/people/wanda@acme.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wanda Wizard")
    shot = page.screenshot(full_page=False)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    (ROOT / "docs" / "console.png").write_bytes(shot)
