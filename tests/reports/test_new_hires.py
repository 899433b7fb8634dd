"""`report new-hires` on a tenant built for it, judged on 2026-08-15 12:00 UTC, window 30 days (from 16 July 12:00).

Onboarding campaigns: 701 (by id) and "Onboarding Policies" (702, by name); 703 is not onboarding.

| who | started                         | onboarding enrollment | listed?                          |
|-----|---------------------------------|-----------------------|----------------------------------|
| Ann | 1 Aug (HR start date)           | 701                   | only with --all (14 days)        |
| Bob | 10 Aug                          | none                  | yes, 5 days                      |
| Cat | joined KnowBe4 20 Jul, no HR date | 702                 | only with --all (26 days)        |
| Dan | 10 Jul                          | none                  | only with --days 40 (36 days)    |
| Eve | 12 Aug, archived 14 Aug         | none                  | no: archived                     |
| Fay | 17 Jul                          | 703 only              | yes, 29 days                     |
| Gus | 1 Sep (not started yet)         | none                  | no                               |
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import campaign, enrollment, purchase, sync_into_store, tenant, user
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.reports import report_new_hires

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)
TOML = '[onboarding]\ncampaigns = [701, "Onboarding Policies"]\n'


def build() -> dict[str, object]:
    ann = user(1, "Ann", "A", joined="2026-07-25", start="2026-08-01")
    bob = user(2, "Bob", "B", joined="2026-08-10", start="2026-08-10", department="Sales")
    cat = user(3, "Cat", "C", joined="2026-07-20")
    dan = user(4, "Dan", "D", joined="2026-07-10", start="2026-07-10")
    eve = user(5, "Eve", "E", joined="2026-08-12", start="2026-08-12", status="archived", archived="2026-08-14")
    fay = user(6, "Fay", "F", joined="2026-07-17", start="2026-07-17", manager=("Maya M", "maya@acme.example"))
    gus = user(7, "Gus", "G", joined="2026-08-14", start="2026-09-01")
    m = purchase(71, "Welcome")
    onboarding = campaign(701, "New Hire Training", [m], duration_type="Relative End Date", relative="14 days")
    policies = campaign(702, "Onboarding Policies", [m], duration_type="Relative End Date", relative="14 days")
    other = campaign(703, "Annual", [m], start="2026-07-01", end="2026-09-30")
    return tenant(
        users=[ann, bob, cat, dan, eve, fay, gus],
        store_purchases=[m],
        training_campaigns=[onboarding, policies, other],
        enrollments=[
            enrollment(1, ann, onboarding, m, enrolled="2026-08-01"),
            enrollment(2, cat, policies, m, enrolled="2026-07-20"),
            enrollment(3, fay, other, m, enrolled="2026-07-17"),
        ],
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build(), tmp_path_factory.mktemp("new_hires"), TOML)


def test_new_hires_not_enrolled(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    rows = report_new_hires(store, settings, at=AT)
    assert [(r.name, r.days_since_start, r.start_source, r.enrolled) for r in rows] == [
        ("Fay F", 29, "employee_start_date", False),
        ("Bob B", 5, "employee_start_date", False),
    ]
    assert rows[0].manager_email == "maya@acme.example"
    assert rows[1].department == "Sales"


def test_all_and_days(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    everyone = report_new_hires(store, settings, include_enrolled=True, at=AT)
    assert [(r.name, r.days_since_start, r.onboarding_campaigns) for r in everyone] == [
        ("Fay F", 29, []),
        ("Cat C", 26, ["Onboarding Policies"]),  # joined KnowBe4 on 20 July, no HR start date
        ("Ann A", 14, ["New Hire Training"]),
        ("Bob B", 5, []),
    ]
    assert everyone[1].start_source == "joined_on"
    assert [r.name for r in report_new_hires(store, settings, days=40, at=AT)] == ["Dan D", "Fay F", "Bob B"]


def test_configuration_errors(synced: tuple[Engine, Settings]) -> None:
    store, settings = synced
    with pytest.raises(ConfigError, match=r"no onboarding campaigns configured"):
        report_new_hires(store, replace(settings, raw={}), at=AT)
    with pytest.raises(ConfigError) as info:  # the trainings' resolver: the same messages and suggestions
        report_new_hires(store, replace(settings, raw={"onboarding": {"campaigns": [701, "Onboarding"]}}), at=AT)
    assert info.value.message == (
        "[onboarding] campaigns: no campaign is named 'Onboarding': did you mean 'Onboarding Policies' (id 702)? "
        "Names must match exactly; `trainproof api training-campaigns` lists them"
    )
    with pytest.raises(ConfigError, match=r"^\[onboarding\] campaigns: no campaign has id 7010: did you mean"):
        report_new_hires(store, replace(settings, raw={"onboarding": {"campaigns": [7010]}}), at=AT)


def test_cli(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store, settings = synced
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())
    code, out, err = run(["report", "new-hires", "--days", "40", "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    assert [line.split(",")[2] for line in out.splitlines()[1:]] == ["Dan D", "Fay F", "Bob B"]
