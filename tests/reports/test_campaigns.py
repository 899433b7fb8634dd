"""`report campaigns` on a tenant built for it: every count, rate and flag worked out by hand.

Judged on 2026-08-15 12:00 UTC. Five people: Ann and Bob (Sales), Cat and Eve (IT), Dan (IT, archived on
1 August: his enrollments no longer count). Modules: Security Basics (15 min), Passwords (retired),
Old Module, New Module.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import campaign, enrollment, group, purchase, sync_into_store, tenant, user
from trainproof.reports import ReportInputError, report_campaigns

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)


def build() -> dict[str, object]:
    ann = user(1, "Ann", "A", department="Sales", groups=[1, 3])
    bob = user(2, "Bob", "B", department="Sales", groups=[1, 3])
    cat = user(3, "Cat", "C", department="IT", groups=[1, 2])
    dan = user(4, "Dan", "D", department="IT", groups=[1, 2], status="archived", archived="2026-08-01")
    eve = user(5, "Eve", "E", department="IT", groups=[1, 2])
    basics = purchase(11, "Security Basics", duration=15)
    passwords = purchase(12, "Passwords", duration=10, retired=True)
    old = purchase(13, "Old Module", duration=20)
    new = purchase(14, "New Module", duration=20)
    annual = campaign(101, "Annual 2026", [basics, passwords], start="2026-08-01", end="2026-08-31")
    refresher = campaign(
        102,
        "IT Refresher",
        [basics],
        groups=[(2, "IT")],
        duration_type="Relative End Date",
        start="2026-07-01",
        relative="2 weeks",
    )
    launched = campaign(103, "Just Launched", [new], groups=[(3, "Sales")], start="2026-08-13", end="2026-09-13")
    stalled = campaign(104, "Stalled", [old], start="2026-07-01", end="2026-08-10")
    closed = campaign(105, "Annual 2025", [basics], status="Closed", start="2025-01-01", end="2025-02-01")
    e = enrollment
    return tenant(
        users=[ann, bob, cat, dan, eve],
        groups=[group(1, "Everyone", 5), group(2, "IT", 3), group(3, "Sales", 2)],
        store_purchases=[basics, passwords, old, new],
        training_campaigns=[annual, refresher, launched, stalled, closed],
        enrollments=[
            e(1, ann, annual, basics, status="Passed", completed="2026-08-05"),
            e(2, ann, annual, passwords, status="Passed", completed="2026-08-06"),
            e(3, ann, annual, basics, enrolled="2026-08-07"),  # a repeat of a module she already passed
            e(4, bob, annual, basics, status="In Progress", started="2026-08-02", time_spent=900),
            e(5, bob, annual, passwords),
            e(6, cat, annual, basics, status="Completed", completed="2026-08-10"),
            e(7, cat, annual, passwords),
            e(8, dan, annual, basics, status="Passed", completed="2026-08-03"),  # archived: not counted
            e(9, cat, refresher, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-20"),  # late
            e(10, eve, refresher, basics, enrolled="2026-08-10"),  # due 24 August
            e(11, ann, launched, new, enrolled="2026-08-13"),
            e(12, bob, launched, new, enrolled="2026-08-13"),
            e(13, bob, stalled, old, enrolled="2026-07-01", status="Past Due"),
            e(14, eve, stalled, old, enrolled="2026-07-01"),
            e(15, ann, closed, basics, enrolled="2025-01-01", status="Passed", completed="2025-01-10"),
        ],
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    engine, _ = sync_into_store(build(), tmp_path_factory.mktemp("campaigns"))
    return engine


def test_counts_rates_deadlines_and_flags(store: Engine) -> None:
    rows = {r.campaign_id: r for r in report_campaigns(store, at=AT)}
    annual = rows[101]
    # Counted: Ann x3, Bob x2, Cat x2 (Dan is archived) = 7 enrollments.
    assert (annual.enrollments, annual.not_started, annual.in_progress, annual.completed, annual.past_due) == (
        7,
        3,
        1,
        3,
        0,
    )
    assert annual.completion_rate == 42.9  # 3 / 7
    assert (annual.users_complete, annual.enrolled_users, annual.user_completion_rate) == (1, 3, 33.3)  # Ann only
    assert (annual.target_users, annual.enrollment_rate) == (4, 75.0)  # Ann, Bob, Cat, Eve; Eve not enrolled
    assert annual.deadline == datetime(2026, 8, 31, tzinfo=UTC)
    assert annual.days_to_deadline == 16
    assert annual.overdue == 0
    assert annual.flags == [
        "duplicate enrollments: 1 repeat enrollments in this campaign, 1 also enrolled in the same module by "
        "another campaign (multiple enrollments not allowed)",
        "retired modules: Passwords",
        "1 people in the target groups are not enrolled: check group membership",
        "1 in progress after the module's full time: an assessment may need a retake",
    ]

    refresher = rows[102]  # Relative End Date: each person has two weeks from their enrollment
    assert (refresher.deadline, refresher.days_to_deadline, refresher.relative_duration) == (None, None, "2 weeks")
    assert (refresher.enrollments, refresher.completed, refresher.completion_rate) == (2, 1, 50.0)
    assert (refresher.target_users, refresher.enrollment_rate) == (2, 100.0)  # Cat and Eve (Dan archived)
    assert refresher.overdue == 0  # Eve's deadline is 24 August
    assert refresher.flags == [
        "1 completed after the deadline (marked past due, then completed)",  # Cat: due 15 July, done 20 July
        "duplicate enrollments: 1 also enrolled in the same module by another campaign "
        "(multiple enrollments not allowed)",
    ]

    assert rows[103].flags == ["zero completion: the campaign just started, allow time"]
    assert rows[103].days_to_deadline == 29

    stalled = rows[104]
    assert stalled.flags == [
        "zero completion after 45 days: check that people received it",
        "2 people in the target groups are not enrolled: check group membership",  # Ann and Cat
    ]
    assert (stalled.overdue, stalled.past_due, stalled.days_to_deadline) == (2, 1, -5)

    closed = rows[105]  # a closed campaign re-using Security Basics is history, not a duplicate
    assert (closed.state, closed.completion_rate, closed.flags) == ("closed", 100.0, [])


def test_order_and_status_filter(store: Engine) -> None:
    # Active first, nearest deadline first, relative deadlines after; then closed.
    assert [r.campaign_id for r in report_campaigns(store, at=AT)] == [104, 101, 103, 102, 105]
    assert [r.campaign_id for r in report_campaigns(store, status="closed", at=AT)] == [105]
    assert [r.campaign_id for r in report_campaigns(store, status="In Progress", at=AT)] == [104, 101, 103, 102]
    with pytest.raises(ReportInputError, match="unknown campaign status 'finished'"):
        report_campaigns(store, status="finished", at=AT)


def test_cli_json_and_csv(
    store: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    monkeypatch.chdir(tmp_path)  # no trainproof.toml here
    code, out, err = run(["report", "campaigns", "--status", "active", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert [r["campaign_id"] for r in data] == [104, 101, 103, 102]
    assert data[1]["flags"][1] == "retired modules: Passwords"
    code, out, err = run(["report", "campaigns", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("campaign_id,name,status,state,")
    assert len(lines) == 6
    code, out, err = run(["report", "campaigns", "--status", "nope"], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith("error: unknown campaign status 'nope'")


def test_cli_without_a_store_says_sync_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    code, _, err = run(["report", "campaigns"], capsys, monkeypatch)
    assert code == 1
    assert (
        err == f"error: no store at {tmp_path / 'none.db'}: run `trainproof sync` first (or `trainproof demo` to try)\n"
    )
    assert not (tmp_path / "none.db").exists()
