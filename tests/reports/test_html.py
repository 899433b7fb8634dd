"""`report html`: one self-contained page, checked as text and rendered in headless Chromium offline.

Chromium is driven over the DevTools protocol (`_chromium`), which reports every request the page makes,
so "no request leaves the page" is observed, not assumed; a control page with one remote image proves the
check would see it. All browser traffic goes to a dead-end proxy on 127.0.0.1. Chromium comes from Debian
(`.ci/chromium.sh` installs it); without it the browser tests are skipped with the reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._chromium import CHROMIUM, DeadEndProxy, render
from reports._cli import run
from reports._tenant import phishing_campaign, security_test, sync_into_store, user
from reports.test_departments_overdue import TOML, build
from trainproof.config import Settings
from trainproof.reports import build_html_report, render_html, report_html

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: run .ci/chromium.sh")


def build_html_tenant() -> dict[str, object]:
    """The departments tenant, plus a hostile department name and two phishing tests for the trend."""
    data = build()
    users = data["users"]
    assert isinstance(users, list)
    users.append(user(8, "Hal", "H", department="R&D <script>alert(1)</script>", joined="2024-01-01"))
    tests = [
        security_test(71, 70, "May", started="2026-05-05", categories=[], template="T", phish_prone=0.3, delivered=7),
        security_test(72, 70, "Aug", started="2026-08-05", categories=[], template="T", phish_prone=0.1, delivered=7),
    ]
    data["phishing_campaigns"] = [phishing_campaign(70, "Monthly", tests)]
    data["security_tests"] = tests
    return data


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build_html_tenant(), tmp_path_factory.mktemp("html"), TOML)


@pytest.fixture(scope="module")
def page(synced: tuple[Engine, Settings]) -> str:
    store, settings = synced
    return report_html(store, settings, at=AT)


def test_sections_hold_the_reports(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    report = build_html_report(store, settings, at=AT)
    assert report.account == "Acme"
    assert [(t.training, t.people, t.compliant, t.grace, t.completion_rate) for t in report.trainings] == [
        ("security_awareness", 8, 3, 1, 42.9),  # Ann, Dee, Gus of 7 due (Fay in grace; Hal not enrolled)
        ("hipaa", 8, 1, 0, 12.5),  # Dee only
    ]
    assert [p.quarter for p in report.trend] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert [p.phish_prone_percentage for p in report.trend] == [None, None, 30.0, 10.0]
    assert [m.manager_email for m in report.managers] == ["maya@acme.example", "omar@acme.example", None]
    assert [c.campaign_id for c in report.campaigns] == [301, 302]
    assert report.notes == []
    assert report.last_sync is not None


def test_page_is_self_contained_and_escaped(page: str) -> None:
    # The only URL is the SVG namespace, an identifier that is never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) == {"http://www.w3.org/2000/svg"}
    for needle in ("<link", "<img", "<iframe", "@import", "url(", " src=", " href="):
        assert needle not in page
    assert "default-src 'none'" in page
    assert "R&amp;D &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert page.count("<script>") == 1  # the self-check only
    assert "@media print" in page
    assert "@page" in page
    for section in ("summary", "departments", "trend", "overdue", "campaigns"):
        assert f'<section id="{section}">' in page
    assert 'aria-label="Completion by department: Security Awareness"' in page
    assert "Maya M &lt;maya@acme.example&gt;" in page  # the overdue list grouped by manager


def test_without_trainings_the_page_says_why(synced: tuple[Engine, Settings]) -> None:
    from dataclasses import replace

    store, settings = synced
    report = build_html_report(store, replace(settings, raw={}), at=AT)
    assert report.trainings == []
    assert report.notes == [
        "Compliance sections left out: no trainings are configured: "
        'add [trainings.security_awareness] campaigns = [101, "Campaign name"] to trainproof.toml '
        "(see `trainproof check`)"
    ]
    page = render_html(report)
    assert "Compliance sections left out" in page
    assert [c.campaign_id for c in report.campaigns] == [301, 302]


def test_cli_writes_a_private_file(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, settings = synced
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    out_file = tmp_path / "report.html"
    code, out, err = run(["report", "html", "--out", str(out_file)], capsys, monkeypatch)
    assert code == 0, err
    assert out == ""
    assert err.startswith(f"wrote {out_file} (")
    assert out_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out_file.stat().st_mode & 0o777 == 0o600


# --- headless Chromium ------------------------------------------------------------------------------


@pytest.fixture
def proxy() -> Iterator[DeadEndProxy]:
    p = DeadEndProxy()
    try:
        yield p
    finally:
        p.close()


@needs_chromium
def test_chromium_draws_every_chart_offline(page: str, tmp_path: Path, proxy: DeadEndProxy) -> None:
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    shown = render(html, tmp_path / "profile", proxy, screenshot=True)
    assert shown.requests == []  # the page asked for nothing beyond itself
    bars = page.count('class="tp-bar"')
    lines = page.count('class="tp-line"')
    assert bars >= 10
    assert lines >= 1
    # Every bar, line and chart has a non-zero size on screen.
    assert shown.dataset == {
        "drawnBars": str(bars),
        "drawnLines": str(lines),
        "drawnCharts": str(page.count('class="tp-chart ')),
    }

    from PIL import Image

    assert shown.screenshot is not None
    image = Image.open(io.BytesIO(shown.screenshot)).convert("RGB")
    assert image.size == (1100, 2200)
    colours = image.getcolors(maxcolors=1 << 22)
    assert colours is not None
    counts = {rgb: n for n, rgb in colours}
    # The charts' own colours (compliant green, incomplete amber, not-enrolled vermilion) are painted.
    for rgb in ((0x00, 0x9E, 0x73), (0xE6, 0x9F, 0x00), (0xD5, 0x5E, 0x00)):
        assert counts.get(rgb, 0) > 500, rgb


@needs_chromium
def test_a_page_that_fetches_is_caught(tmp_path: Path, proxy: DeadEndProxy) -> None:
    """Control: the same check does see a page that fetches something (and it goes to the dead end)."""
    html = tmp_path / "leaky.html"
    html.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/pixel.png"></body></html>')
    shown = render(html, tmp_path / "profile", proxy)
    assert shown.requests == ["http://example.invalid/pixel.png"]
    assert any("example.invalid" in r for r in proxy.requests)
