"""Every report reads the same rows from PostgreSQL as from SQLite.

Reports read their rows as plain driver tuples (`store.cursor`: SQLite text dates, PostgreSQL datetimes
and parsed JSON), so one generated tenant is synced into both, then changed (people and enrollments
removed, someone archived) and synced again; each reader and each report must answer the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import astuple
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from trainproof.config import Settings, load_settings
from trainproof.reports import (
    build_html_report,
    report_campaigns,
    report_departments,
    report_new_hires,
    report_overdue,
    report_quarterly,
    report_remediation,
    report_reminders,
)
from trainproof.reports.departments import GROUPINGS
from trainproof.simulator import Simulator, generate_tenant
from trainproof.store import open_store
from trainproof.store.enrollments import load_enrollment_rows
from trainproof.store.people import load_user_rows
from trainproof.sync import run_sync

pytestmark = pytest.mark.postgres

AT = datetime(2026, 6, 15, 12, tzinfo=UTC)
TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[sync]
campaigns = "all"

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365
new_hire_grace_days = 30

[trainings.hipaa]
title = "HIPAA Privacy and Security"
campaigns = ["HIPAA Privacy and Security 2026"]

[onboarding]
campaigns = ["New Hire Onboarding"]
"""


def _settings(folder: Path, url: str, sim: Simulator) -> Settings:
    env = {
        "KNOWBE4_API_KEY": sim.token,
        "KNOWBE4_BASE_URL": sim.base_url,
        "TRAINPROOF_DATABASE_URL": url,
        "TRAINPROOF_NO_KEYRING": "1",
        "TRAINPROOF_STATE_DIR": str(folder / "state"),
    }
    return load_settings(folder / "trainproof.toml", env=env)


@pytest.fixture
def stores(tmp_path: Path, pg_url: str) -> Iterator[list[tuple[Engine, Settings]]]:
    (tmp_path / "trainproof.toml").write_text(TOML, encoding="utf-8")
    urls = [f"sqlite:///{tmp_path / 'store.db'}", pg_url]
    tenant = generate_tenant(users=80, seed=5, reference_date=date(2026, 6, 15))
    with Simulator(tenant, limits="off") as sim:
        configs = [_settings(tmp_path, url, sim) for url in urls]
        for cfg in configs:
            assert run_sync(cfg).outcome == "ok"
        users = [u["id"] for u in tenant.records("users")]
        tenant.delete("users", *users[:3])
        tenant.update("users", users[3], status="archived", archived_at="2026-05-01T00:00:00.000Z")
        gone = [e["enrollment_id"] for e in tenant.records("enrollments")[:10]]
        tenant.delete("enrollments", *gone)
        for cfg in configs:
            assert run_sync(cfg, full=True).outcome == "ok"
    engines = [open_store(url) for url in urls]
    yield list(zip(engines, configs, strict=True))
    for engine in engines:
        engine.dispose()


def _answers(engine: Engine, cfg: Settings) -> dict[str, Any]:
    with engine.connect() as conn:
        users = {
            removed: {k: astuple(v) for k, v in load_user_rows(conn, include_removed=removed).items()}
            for removed in (False, True)
        }
        enrollments = {
            (removed, done): [
                astuple(e) for e in load_enrollment_rows(conn, include_removed=removed, completed_only=done)
            ]
            for removed in (False, True)
            for done in (False, True)
        }
    html = build_html_report(engine, cfg, at=AT).model_dump()
    for own in ("account", "last_sync"):  # the store's own: its name, when each sync ran
        html.pop(own)
    return {
        "users": users,
        "enrollments": enrollments,
        "campaigns": [r.row() for r in report_campaigns(engine, at=AT)],
        "departments": {by: [r.row() for r in report_departments(engine, cfg, by=by, at=AT)] for by in GROUPINGS},
        "overdue": [r.row() for r in report_overdue(engine, cfg, at=AT)],
        "reminders": [r.row() for r in report_reminders(engine, at=AT)],
        "remediation": [r.row() for r in report_remediation(engine, cfg, at=AT)],
        "new_hires": [r.row() for r in report_new_hires(engine, cfg, days=400, include_enrolled=True, at=AT)],
        "quarterly": report_quarterly(engine, at=AT).model_dump(),
        "html": html,
    }


def test_every_report_reads_the_same_on_sqlite_and_postgresql(stores: list[tuple[Engine, Settings]]) -> None:
    sqlite, postgres = (_answers(engine, cfg) for engine, cfg in stores)
    # The stores hold what the rows must survive: removed people and enrollments, an archived person.
    assert len(sqlite["users"][True]) > len(sqlite["users"][False])
    assert len(sqlite["enrollments"][(True, False)]) > len(sqlite["enrollments"][(False, False)])
    for name in sqlite["departments"], sqlite["overdue"], sqlite["remediation"], sqlite["new_hires"]:
        assert name  # every report has rows to compare
    for key, answer in sqlite.items():
        assert postgres[key] == answer, key
