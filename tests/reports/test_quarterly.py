"""`report quarterly` on a tenant built for it: 2026Q3 judged on 2026-08-15 12:00 UTC (the quarter is not over,
so completions count up to then), with the three quarters before it as the trend.

Campaigns: 801 (Q4 2025), 802 (February to May 2026: active in Q1 and Q2), 803 (Q3 2026: Alpha + Charlie),
804 (cancelled, never counts), 805 (starts in Q4 2026).

| quarter | enrollments | completed by the quarter's end          | rate | phish-prone (weighted by delivered) |
|---------|-------------|-----------------------------------------|------|-------------------------------------|
| 2025Q4  | 4 (801)     | Ann 10 Oct, Bob 1 Nov (Cat: 5 Jan, late) | 50   | 40 (one test)                       |
| 2026Q1  | 4 (802)     | Ann 10 Feb                              | 25   | none                                |
| 2026Q2  | 4 (802)     | + Bob 10 Apr, Cat 20 May                | 75   | (30 x 10 + 10 x 30) / 40 = 15       |
| 2026Q3  | 6 (803)     | Ann x2, Bob Alpha (Eve's 20 Aug: later) | 50   | 20                                  |

Q3 by department: Sales (Ann, Bob) 3 of 4 = 75 %, IT (Cat, Eve) 0 of 2 = 0 %.
Modules: Alpha published 2023 (over two years), Charlie retired, both used by 803; Delta retired and old, unused.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import (
    campaign,
    enrollment,
    phishing_campaign,
    purchase,
    security_test,
    sync_into_store,
    tenant,
    user,
)
from trainproof.config import Settings
from trainproof.reports import ReportInputError, report_quarterly
from trainproof.reports.quarterly import Quarter

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)


def build() -> dict[str, object]:
    ann, bob = user(1, "Ann", "A", department="Sales"), user(2, "Bob", "B", department="Sales")
    cat, dan, eve = (
        user(3, "Cat", "C", department="IT"),
        user(4, "Dan", "D", department="IT"),
        user(5, "Eve", "E", department="IT"),
    )
    alpha = purchase(81, "Alpha Module", published="2023-01-01")
    bravo = purchase(82, "Bravo Module", published="2025-06-01")
    charlie = purchase(83, "Charlie Module", retired=True)
    delta = purchase(84, "Delta Module", retired=True, published="2020-01-01")
    q4 = campaign(801, "Q4 2025", [alpha], status="Closed", start="2025-10-01", end="2025-12-31")
    h1 = campaign(802, "H1 2026", [bravo], status="Closed", start="2026-02-01", end="2026-05-31")
    q3 = campaign(803, "Q3 2026", [alpha, charlie], start="2026-07-01", end="2026-09-30")
    cancelled = campaign(804, "Cancelled", [bravo], status="Cancelled", start="2026-07-05", end="2026-08-05")
    future = campaign(805, "Future", [bravo], status="Created", start="2026-10-01", end="2026-12-01")
    e = enrollment
    tests = [
        security_test(
            901, 951, "Q4 test", started="2025-11-01", categories=[], template="T", phish_prone=0.4, delivered=10
        ),
        security_test(
            902, 951, "May test", started="2026-05-01", categories=[], template="T", phish_prone=0.3, delivered=10
        ),
        security_test(
            903, 951, "June test", started="2026-06-01", categories=[], template="T", phish_prone=0.1, delivered=30
        ),
        security_test(
            904, 951, "Aug test", started="2026-08-01", categories=[], template="T", phish_prone=0.2, delivered=5
        ),
    ]
    return tenant(
        users=[ann, bob, cat, dan, eve],
        store_purchases=[alpha, bravo, charlie, delta],
        training_campaigns=[q4, h1, q3, cancelled, future],
        enrollments=[
            e(1, ann, q4, alpha, enrolled="2025-10-01", status="Passed", completed="2025-10-10"),
            e(2, bob, q4, alpha, enrolled="2025-10-01", status="Passed", completed="2025-11-01"),
            e(3, cat, q4, alpha, enrolled="2025-10-01", status="Passed", completed="2026-01-05"),
            e(4, dan, q4, alpha, enrolled="2025-10-01", status="Past Due"),
            e(5, ann, h1, bravo, enrolled="2026-02-01", status="Passed", completed="2026-02-10"),
            e(6, bob, h1, bravo, enrolled="2026-02-01", status="Passed", completed="2026-04-10"),
            e(7, cat, h1, bravo, enrolled="2026-02-01", status="Passed", completed="2026-05-20"),
            e(8, dan, h1, bravo, enrolled="2026-02-01", status="Past Due"),
            e(9, ann, q3, alpha, enrolled="2026-07-01", status="Passed", completed="2026-07-10"),
            e(10, ann, q3, charlie, enrolled="2026-07-01", status="Passed", completed="2026-07-11"),
            e(11, bob, q3, alpha, enrolled="2026-07-01", status="Passed", completed="2026-08-01"),
            e(12, bob, q3, charlie, enrolled="2026-07-01"),
            e(13, cat, q3, alpha, enrolled="2026-07-01", status="In Progress"),
            e(14, eve, q3, alpha, enrolled="2026-07-01", status="Passed", completed="2026-08-20"),
            e(15, dan, cancelled, bravo, enrolled="2026-07-05"),
        ],
        phishing_campaigns=[phishing_campaign(951, "Monthly", tests)],
        security_tests=tests,
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build(), tmp_path_factory.mktemp("quarterly"))


def test_quarter_review(synced: tuple[Engine, Settings]) -> None:
    store, _ = synced
    r = report_quarterly(store, quarter="2026Q3", at=AT)
    assert (r.quarter, r.start, r.end) == (
        "2026Q3",
        datetime(2026, 7, 1, tzinfo=UTC),
        datetime(2026, 10, 1, tzinfo=UTC),
    )
    assert [(c.campaign_id, c.enrollments, c.completed, c.completion_rate) for c in r.campaigns] == [(803, 6, 3, 50.0)]
    assert (r.enrollments, r.completed, r.completion_rate, r.change_vs_previous) == (6, 3, 50.0, -25.0)
    assert [
        (p.quarter, p.campaigns, p.enrollments, p.completed, p.completion_rate, p.phish_prone_percentage)
        for p in r.trend
    ] == [
        ("2025Q4", 1, 4, 2, 50.0, 40.0),
        ("2026Q1", 1, 4, 1, 25.0, None),
        ("2026Q2", 1, 4, 3, 75.0, 15.0),
        ("2026Q3", 1, 6, 3, 50.0, 20.0),
    ]
    assert [(p.quarter, p.phishing_tests) for p in r.trend] == [
        ("2025Q4", 1),
        ("2026Q1", 0),
        ("2026Q2", 2),
        ("2026Q3", 1),
    ]
    assert (r.phish_prone_percentage, r.phish_prone_change) == (20.0, 5.0)
    assert [(d.department, d.enrollments, d.completed, d.completion_rate) for d in r.lowest_departments] == [
        ("IT", 2, 0, 0.0),
        ("Sales", 4, 3, 75.0),
    ]
    assert [(m.name, m.reason, m.used_by) for m in r.stale_modules] == [
        ("Alpha Module", "published more than two years ago", ["Q3 2026"]),
        ("Charlie Module", "retired", ["Q3 2026"]),
        ("Delta Module", "retired and published more than two years ago", []),
    ]
    assert r.findings == [
        "completion 50.0% is down 25.0 points on 2026Q2",
        "lowest department: IT at 0.0%",
        "phish-prone 20.0% (worse: +5.0 points on 2026Q2)",
        "2 module(s) in use are retired or older than two years: rotate them",
    ]


def test_an_earlier_quarter_reads_the_same_later(synced: tuple[Engine, Settings]) -> None:
    store, _ = synced
    r = report_quarterly(store, quarter="2026Q2", at=AT)
    assert [c.campaign_id for c in r.campaigns] == [802]
    assert (r.completion_rate, r.change_vs_previous, r.phish_prone_percentage, r.phish_prone_change) == (
        75.0,
        50.0,
        15.0,
        None,
    )
    assert r.findings[0] == "completion 75.0% is up 50.0 points on 2026Q1"
    assert report_quarterly(store, at=AT).quarter == "2026Q3"  # the default: the quarter `at` falls in


def test_quarter_parsing_and_errors(synced: tuple[Engine, Settings]) -> None:
    store, _ = synced
    assert Quarter.parse("2026q1").label == "2026Q1"
    assert Quarter.parse("2026-Q4").end == datetime(2027, 1, 1, tzinfo=UTC)
    assert Quarter.parse("2026Q1").previous().label == "2025Q4"
    with pytest.raises(ReportInputError, match="'2026Q5' is not a quarter"):
        report_quarterly(store, quarter="2026Q5", at=AT)
    with pytest.raises(ReportInputError, match="2026Q4 has not started yet"):
        report_quarterly(store, quarter="2026Q4", at=AT)


def test_cli(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store, settings = synced
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    code, out, err = run(["report", "quarterly", "--quarter", "2026Q3", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert json.loads(out)["completion_rate"] == 50.0
    code, out, err = run(["report", "quarterly", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    assert (
        out.splitlines()[0]
        == "quarter,campaigns,enrollments,completed,completion_rate,phishing_tests,phish_prone_percentage"
    )
    assert len(out.splitlines()) == 5
    code, out, err = run(["report", "quarterly", "--section", "modules", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    assert "Delta Module" in out
    code, out, err = run(["report", "quarterly"], capsys, monkeypatch)
    assert code == 0, err
    assert out.startswith(
        "2026Q3: 1 campaign(s), 6 enrollments, completion 50.0%\n  - completion 50.0% is down 25.0 points"
    )
