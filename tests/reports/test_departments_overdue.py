"""`report departments` and `report overdue` on a tenant built for them, judged on 2026-08-15 12:00 UTC.

Two trainings. security_awareness = campaign 301 (Specific End Date, ended 10 August; Basics + Phishing),
with a 30-day new-hire grace. hipaa = campaign 302 (Relative End Date, two weeks from enrollment).

| person | dept  | division   | location | manager | security_awareness            | hipaa                         |
|--------|-------|------------|----------|---------|-------------------------------|-------------------------------|
| Ann    | Sales | Commercial | London   | Maya    | both passed: compliant        | enrolled 5 Aug, due 19 Aug    |
| Bob    | Sales | Commercial | London   | Maya    | Phishing Past Due: incomplete | enrolled 20 Jul, due 3 Aug    |
| Cat    | Sales | Commercial | Paris    | Maya    | not enrolled                  | not enrolled                  |
| Dee    | IT    | Operations | Paris    | Omar    | both passed: compliant        | passed 25 Jul: compliant      |
| Eli    | IT    | Operations | London   | Omar    | in progress: incomplete       | not enrolled                  |
| Fay    | IT    | Operations | London   | Omar    | started 1 Aug: grace          | not enrolled                  |
| Gus    | -     | -          | -        | -       | both passed: compliant        | not enrolled                  |
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import campaign, enrollment, group, purchase, sync_into_store, tenant, user
from trainproof.config import Settings
from trainproof.reports import by_manager, report_departments, report_overdue

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)
MAYA = ("Maya M", "maya@acme.example")
OMAR = ("Omar O", "omar@acme.example")

TOML = """
[trainings.security_awareness]
title = "Security Awareness"
campaigns = [301]
new_hire_grace_days = 30

[trainings.hipaa]
title = "HIPAA"
campaigns = ["HIPAA 2026"]
"""


def build() -> dict[str, object]:
    def person(
        uid: int, first: str, dept: str | None, div: str | None, loc: str | None, mgr: tuple[str, str] | None, **kw: str
    ) -> dict[str, object]:
        return user(uid, first, first[0], department=dept, division=div, location=loc, manager=mgr, **kw)

    ann = person(1, "Ann", "Sales", "Commercial", "London", MAYA)
    bob = person(2, "Bob", "Sales", "Commercial", "London", MAYA)
    cat = person(3, "Cat", "Sales", "Commercial", "Paris", MAYA)
    dee = person(4, "Dee", "IT", "Operations", "Paris", OMAR)
    eli = person(5, "Eli", "IT", "Operations", "London", OMAR)
    fay = person(6, "Fay", "IT", "Operations", "London", OMAR, joined="2026-08-01", start="2026-08-01")
    gus = person(7, "Gus", None, None, None, None)
    basics = purchase(31, "Basics")
    phishing = purchase(32, "Phishing")
    privacy = purchase(33, "Privacy Rule")
    sa = campaign(301, "Annual SA", [basics, phishing], start="2026-07-01", end="2026-08-10")
    hipaa = campaign(
        302, "HIPAA 2026", [privacy], duration_type="Relative End Date", start="2026-07-01", relative="2 weeks"
    )
    e = enrollment
    return tenant(
        users=[ann, bob, cat, dee, eli, fay, gus],
        groups=[group(1, "Everyone", 7)],
        store_purchases=[basics, phishing, privacy],
        training_campaigns=[sa, hipaa],
        enrollments=[
            e(1, ann, sa, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-05"),
            e(2, ann, sa, phishing, enrolled="2026-07-01", status="Passed", completed="2026-07-06"),
            e(3, bob, sa, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-09"),
            e(4, bob, sa, phishing, enrolled="2026-07-01", status="Past Due"),
            e(5, dee, sa, basics, enrolled="2026-07-01", status="Completed", completed="2026-07-02"),
            e(6, dee, sa, phishing, enrolled="2026-07-01", status="Completed", completed="2026-07-03"),
            e(7, eli, sa, basics, enrolled="2026-07-01", status="In Progress", started="2026-07-20"),
            e(8, eli, sa, phishing, enrolled="2026-07-01"),
            e(9, gus, sa, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-11"),
            e(10, gus, sa, phishing, enrolled="2026-07-01", status="Passed", completed="2026-07-12"),
            e(11, ann, hipaa, privacy, enrolled="2026-08-05"),
            e(12, bob, hipaa, privacy, enrolled="2026-07-20"),
            e(13, dee, hipaa, privacy, enrolled="2026-07-20", status="Passed", completed="2026-07-25"),
        ],
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build(), tmp_path_factory.mktemp("departments"), TOML)


def _table(rows: list[object]) -> list[tuple[object, ...]]:
    return [
        (r.training, r.group, r.people, r.compliant, r.incomplete, r.not_enrolled, r.grace, r.completion_rate)  # type: ignore[attr-defined]
        for r in rows
    ]


def test_departments_lowest_first(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    rows = report_departments(store, settings, at=AT)
    assert _table(rows) == [
        # training, group, people, compliant, incomplete, not enrolled, grace, rate
        ("hipaa", "Sales", 3, 0, 2, 1, 0, 0.0),  # ties on 0 %: the bigger group first
        ("hipaa", "(none)", 1, 0, 0, 1, 0, 0.0),
        ("hipaa", "IT", 3, 1, 0, 2, 0, 33.3),
        ("security_awareness", "Sales", 3, 1, 1, 1, 0, 33.3),
        ("security_awareness", "IT", 3, 1, 1, 0, 1, 50.0),  # Fay is in grace: 1 of 2 due
        ("security_awareness", "(none)", 1, 1, 0, 0, 0, 100.0),
    ]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("manager", [("Maya M <maya@acme.example>", 33.3), ("Omar O <omar@acme.example>", 50.0), ("(none)", 100.0)]),
        ("location", [("London", 33.3), ("Paris", 50.0), ("(none)", 100.0)]),  # London: Ann, Bob, Eli (+ Fay)
        ("division", [("Commercial", 33.3), ("Operations", 50.0), ("(none)", 100.0)]),
    ],
)
def test_departments_by_other_groupings(
    synced: tuple[Engine, Settings], by: str, expected: list[tuple[str, float]]
) -> None:
    store, settings = synced
    rows = report_departments(store, settings, training="security_awareness", by=by, at=AT)  # type: ignore[arg-type]
    assert [(r.group, r.completion_rate) for r in rows] == expected


def test_overdue_grouped_by_manager(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    rows = report_overdue(store, settings, at=AT)
    got = [(r.manager_email, r.name, r.training, r.state, r.deadline, r.days_overdue, r.past_due) for r in rows]
    d = lambda day, month=8: datetime(2026, month, day, tzinfo=UTC)  # noqa: E731
    assert got == [
        # Not enrolled in hipaa: due as if enrolled when the campaign started (1 July + two weeks), 31 days ago.
        ("maya@acme.example", "Cat C", "hipaa", "not_enrolled", d(15, 7), 31, True),
        ("maya@acme.example", "Bob B", "hipaa", "incomplete", d(3), 12, True),  # two weeks from 20 July
        ("maya@acme.example", "Bob B", "security_awareness", "incomplete", d(10), 5, True),  # KnowBe4: Past Due
        # Not enrolled in 301: due at its end (her new-hire grace ended long before, in February 2024).
        ("maya@acme.example", "Cat C", "security_awareness", "not_enrolled", d(10), 5, True),
        ("maya@acme.example", "Ann A", "hipaa", "incomplete", d(19), 0, False),  # not due yet
        ("omar@acme.example", "Eli E", "hipaa", "not_enrolled", d(15, 7), 31, True),
        ("omar@acme.example", "Eli E", "security_awareness", "incomplete", d(10), 5, True),
        # Fay started 1 August: two weeks from her start, due this very day (grace is for security_awareness only).
        ("omar@acme.example", "Fay F", "hipaa", "not_enrolled", d(15), 0, True),
        (None, "Gus G", "hipaa", "not_enrolled", d(15, 7), 31, True),
    ]
    assert rows[1].outstanding == ["HIPAA 2026"]
    assert rows[2].outstanding == ["Annual SA"]
    assert rows[2].modules == ["Phishing"]
    assert rows[6].modules == ["Basics", "Phishing"]
    assert rows[0].outstanding == ["not enrolled (check group membership)"]
    assert rows[0].manager == "Maya M <maya@acme.example>"
    assert rows[-1].manager == "(no manager)"
    summary = [(m.manager_email, m.people, m.past_due, m.max_days_overdue) for m in by_manager(rows)]
    assert summary == [("maya@acme.example", 3, 2, 31), ("omar@acme.example", 2, 2, 31), (None, 1, 1, 31)]
    only = report_overdue(store, settings, training="security_awareness", at=AT)
    assert [r.name for r in only] == ["Bob B", "Cat C", "Eli E"]


def test_cli(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store, settings = synced
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    code, out, err = run(["report", "departments", "--training", "hipaa", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert [(r["group"], r["completion_rate"]) for r in json.loads(out)] == [
        ("Sales", 0.0),
        ("(none)", 0.0),
        ("IT", 33.3),
    ]
    code, out, err = run(["report", "overdue", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    assert len(out.splitlines()) == 10
    assert "Annual SA" in out
    code, out, err = run(["report", "departments", "--by", "team"], capsys, monkeypatch)
    assert code == 2
    code, out, err = run(["report", "overdue", "--training", "gdpr"], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith("error: unknown training 'gdpr'")


def test_no_trainings_configured(synced: tuple[Engine, Settings], tmp_path: Path) -> None:
    store, settings = synced
    from dataclasses import replace

    bare = replace(settings, raw={})
    with pytest.raises(Exception, match="no trainings are configured"):
        report_departments(store, bare, at=AT)
