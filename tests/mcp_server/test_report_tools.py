"""The report tools through the official client, on a store synced from a hand-built tenant.

Answers are worked out by hand from the tenant (see `_report_tenant.py`, judged 2026-08-15 12:00 UTC), and
every tool's full answer (all pages) is also compared with the `trainproof.reports` function, or with
`trainproof report ... --format json`, on the same store: a tool and a command can never disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent
from sqlalchemy import Engine, func, select

from reports._cli import run
from reports._tenant import sync_into_store
from trainproof.config import Settings, load_settings
from trainproof.mcp_server import create_server
from trainproof.reports import (
    OverdueRow,
    ReminderRow,
    report_campaigns,
    report_departments,
    report_new_hires,
    report_overdue,
    report_quarterly,
    report_remediation,
    report_reminders,
)
from trainproof.store import record_reminder
from trainproof.store import schema as s

from ._report_tenant import AT, TOML, build

pytestmark = pytest.mark.anyio

REPORT_TOOLS = (
    "knowbe4_training_campaigns",
    "knowbe4_training_departments",
    "knowbe4_training_overdue",
    "knowbe4_training_reminders",
    "knowbe4_training_remediation",
    "knowbe4_training_new_hires",
    "knowbe4_training_quarterly",
)
MAYA = "Maya M <maya@acme.example>"
OMAR = "Omar O <omar@acme.example>"
REMINDER_SENT_AT = datetime(2026, 8, 14, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Settings]]:
    """The tenant synced into a SQLite store, with Ann's 50 % reminder for the refresher already sent."""
    engine, settings = sync_into_store(build(), tmp_path_factory.mktemp("report-tools"), TOML)
    with engine.begin() as conn:
        assert record_reminder(conn, user_id=1, enrollment_id=13, threshold="50%", sent_at=REMINDER_SENT_AT)
    yield engine, settings
    engine.dispose()


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", AT.isoformat())


def client(settings: Settings, source: str = "store") -> Client:
    return Client(create_server(settings, source=source), raise_exceptions=True)


def text(result: CallToolResult) -> str:
    return " ".join(c.text for c in result.content if isinstance(c, TextContent))


async def call(c: Client, tool: str, **args: Any) -> dict[str, Any]:
    result = await c.call_tool(tool, args)
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    return result.structured_content


async def error(c: Client, tool: str, **args: Any) -> str:
    result = await c.call_tool(tool, args)
    assert result.is_error
    return text(result)


async def every_page(c: Client, tool: str, key: str, **args: Any) -> list[dict[str, Any]]:
    """All rows of `key` across the pages, checking each page object on the way."""
    rows: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        out = await call(c, tool, page=page, **args)
        assert out["page"]["page"] == page
        assert out["page"]["returned"] == len(out[key])
        assert out["source"]["source"] == "store"
        assert out["source"]["requests_made"] == 0
        assert out["computed_at"] == "2026-08-15T12:00:00Z"
        rows += out[key]
        page = out["page"]["next_page"]
    return rows


def dumped(rows: list[Any]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in rows]


# --- campaigns ---------------------------------------------------------------------------------------------------


async def test_campaigns(synced: tuple[Engine, Settings]) -> None:
    engine, settings = synced
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_campaigns")
        # active first, by deadline (relative campaigns have none), then by name; closed last
        assert [r["campaign_id"] for r in out["campaigns"]] == [301, 304, 302, 303, 300]
        annual = out["campaigns"][0]
        # 8 enrollments: 5 Passed/Completed, Bob's Phishing Past Due, Eli's In Progress and Not Started;
        # everyone active is targeted (All Users: 7, Hal archived); Ann and Dee finished both modules
        assert {k: annual[k] for k in (
            "deadline", "days_to_deadline", "target_users", "enrolled_users", "enrollment_rate", "enrollments",
            "completed", "past_due", "in_progress", "not_started", "overdue", "completion_rate", "users_complete",
            "user_completion_rate",
        )} == {
            "deadline": "2026-08-10T00:00:00Z", "days_to_deadline": -5, "target_users": 7, "enrolled_users": 4,
            "enrollment_rate": 57.1, "enrollments": 8, "completed": 5, "past_due": 1, "in_progress": 1,
            "not_started": 1, "overdue": 3, "completion_rate": 62.5, "users_complete": 2, "user_completion_rate": 50.0,
        }  # fmt: skip
        assert annual["flags"] == [
            "duplicate enrollments: 3 also enrolled in the same module by another campaign (multiple enrollments "
            "not allowed)",  # Ann, Dee and Eli got Phishing again from the refresher
            "3 people in the target groups are not enrolled: check group membership",  # Cat, Fay, Gus
        ]
        onboarding = out["campaigns"][3]
        assert onboarding["name"] == "New Hire Onboarding"
        assert onboarding["relative_duration"] == "30 days"
        assert "zero completion after 226 days: check that people received it" in onboarding["flags"]
        assert out["page"] == {
            "page": 1, "per_page": 100, "returned": 5, "total": 5, "has_more": False, "next_page": None,
        }  # fmt: skip

        closed = await call(c, "knowbe4_training_campaigns", status="closed")
        assert [r["campaign_id"] for r in closed["campaigns"]] == [300]
        assert closed["status_filter"] == "closed"
        same = await call(c, "knowbe4_training_campaigns", status="Closed")  # KnowBe4's own word
        assert same["campaigns"] == closed["campaigns"]
        assert "use one of created" in await error(c, "knowbe4_training_campaigns", status="running")

        paged = await every_page(c, "knowbe4_training_campaigns", "campaigns", per_page=2)
        assert paged == out["campaigns"] == dumped(report_campaigns(engine, at=AT))


# --- departments -------------------------------------------------------------------------------------------------


async def test_departments(synced: tuple[Engine, Settings]) -> None:
    engine, settings = synced
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_departments")
        # rate = compliant / (people - grace), lowest first per training; Fay and Gus are in their grace
        assert [(r["training"], r["group"], r["people"], r["compliant"], r["grace"], r["completion_rate"])
                for r in out["groups"]] == [
            ("hipaa", "Sales", 3, 0, 0, 0.0),  # Ann and Bob incomplete, Cat not enrolled
            ("hipaa", "(none)", 1, 0, 0, 0.0),  # Gus: hipaa has no grace
            ("hipaa", "IT", 3, 1, 0, 33.3),  # Dee passed
            ("security_awareness", "Sales", 3, 1, 0, 33.3),  # Ann
            ("security_awareness", "IT", 3, 1, 1, 50.0),  # Dee; Fay in grace
            ("security_awareness", "(none)", 1, 0, 1, None),  # only Gus, in grace: nobody due
        ]  # fmt: skip
        assert out["group_by"] == "department"
        by_manager = await call(c, "knowbe4_training_departments", training="security_awareness", group_by="manager")
        assert [(r["group"], r["completion_rate"]) for r in by_manager["groups"]] == [
            (MAYA, 33.3),
            (OMAR, 50.0),
            ("(none)", None),
        ]
        assert by_manager["training_filter"] == "security_awareness"
        assert await error(c, "knowbe4_training_departments", training="gdpr") == (
            "Error executing tool knowbe4_training_departments: "
            "unknown training 'gdpr': the configured trainings are security_awareness, hipaa"
        )
        for by in ("department", "manager", "division", "location"):
            paged = await every_page(c, "knowbe4_training_departments", "groups", group_by=by, per_page=4)
            assert paged == dumped(report_departments(engine, settings, by=by, at=AT))


# --- overdue -----------------------------------------------------------------------------------------------------


async def test_overdue(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, settings = synced
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_overdue")
        # by manager, most days overdue first. Cat was due when hipaa's first two weeks ended (15 Jul);
        # Fay's two weeks from her start ended today at 00:00: past due, 0 days; Ann's ends 18 Aug.
        assert [(r["manager"], r["name"], r["training"], r["state"], r["deadline"][:10], r["days_overdue"],
                 r["past_due"]) for r in out["rows"]] == [
            (MAYA, "Cat C", "hipaa", "not_enrolled", "2026-07-15", 31, True),
            (MAYA, "Bob B", "hipaa", "incomplete", "2026-08-03", 12, True),
            (MAYA, "Bob B", "security_awareness", "incomplete", "2026-08-10", 5, True),
            (MAYA, "Cat C", "security_awareness", "not_enrolled", "2026-08-10", 5, True),
            (MAYA, "Ann A", "hipaa", "incomplete", "2026-08-18", 0, False),
            (OMAR, "Eli E", "hipaa", "not_enrolled", "2026-07-15", 31, True),
            (OMAR, "Eli E", "security_awareness", "incomplete", "2026-08-10", 5, True),
            (OMAR, "Fay F", "hipaa", "not_enrolled", "2026-08-15", 0, True),
            ("(no manager)", "Gus G", "hipaa", "not_enrolled", "2026-08-08", 7, True),
        ]  # fmt: skip
        assert out["people_total"] == 6
        assert [(m["manager"], m["people"], m["past_due"], m["max_days_overdue"]) for m in out["managers"]] == [
            (MAYA, 3, 2, 31),  # Ann is not past due yet
            (OMAR, 2, 2, 31),
            ("(no manager)", 1, 1, 7),
        ]

        # each page names its own managers, counted over every page
        page1 = await call(c, "knowbe4_training_overdue", per_page=4)
        assert [m["manager"] for m in page1["managers"]] == [MAYA]
        assert page1["managers"][0]["people"] == 3
        page2 = await call(c, "knowbe4_training_overdue", per_page=4, page=2)
        assert [m["manager"] for m in page2["managers"]] == [MAYA, OMAR]
        page3 = await call(c, "knowbe4_training_overdue", per_page=4, page=3)
        assert [r["name"] for r in page3["rows"]] == ["Gus G"]
        assert page3["page"] == {"page": 3, "per_page": 4, "returned": 1, "total": 9, "has_more": False,
                                 "next_page": None}  # fmt: skip

        omar = await call(c, "knowbe4_training_overdue", manager="OMAR@acme")
        assert [(r["name"], r["training"]) for r in omar["rows"]] == [
            ("Eli E", "hipaa"), ("Eli E", "security_awareness"), ("Fay F", "hipaa"),
        ]  # fmt: skip
        assert (omar["people_total"], omar["manager_filter"]) == (2, "OMAR@acme")
        nobody = await call(c, "knowbe4_training_overdue", manager="(no manager)")
        assert [r["name"] for r in nobody["rows"]] == ["Gus G"]
        sales = await call(c, "knowbe4_training_overdue", department="sales", training="security_awareness")
        assert [r["name"] for r in sales["rows"]] == ["Bob B", "Cat C"]
        assert "unknown training 'gdpr'" in await error(c, "knowbe4_training_overdue", training="gdpr")

        every = await every_page(c, "knowbe4_training_overdue", "rows", per_page=2)
    assert every == out["rows"] == dumped(report_overdue(engine, settings, at=AT))

    # the same list as the command prints
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(engine.url))
    code, printed, err = run(["report", "overdue", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert [OverdueRow.model_validate(r) for r in json.loads(printed)] == [OverdueRow.model_validate(r) for r in every]


# --- reminders ---------------------------------------------------------------------------------------------------


def _fingerprint(engine: Engine) -> str:
    path = Path(str(engine.url.database))
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_reminders_are_listed_never_sent(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, settings = synced
    before = _fingerprint(engine)
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_reminders")
        # Ann's HIPAA: 4 -> 18 Aug, 11.5 of 14 days = 82.1 % -> the 75 % reminder. Gus's onboarding: 25 Jul
        # + 30 days, 21.5 days = 71.7 % -> 50 %. The refresher (5 - 25 Aug): 10.5 of 20 days = 52.5 %, Ann's
        # already sent on 14 Aug. Bob's HIPAA (due 3 Aug) is overdue, not a reminder; Annual SA has ended.
        assert [(r["enrollment_id"], r["email"], r["deadline_kind"], r["deadline"][:10], r["elapsed_percent"],
                 r["days_left"], r["threshold"], r["action"], r["sent_at"]) for r in out["reminders"]] == [
            (9, "ann@acme.example", "relative", "2026-08-18", 82.1, 3, 75, "due", None),
            (12, "gus@acme.example", "relative", "2026-08-24", 71.7, 9, 50, "due", None),
            (13, "ann@acme.example", "specific", "2026-08-25", 52.5, 10, 50, "already sent", "2026-08-14T09:00:00Z"),
            (14, "eli@acme.example", "specific", "2026-08-25", 52.5, 10, 50, "due", None),
        ]  # fmt: skip
        assert (out["thresholds"], out["due"], out["messages_due"]) == ([50, 75], 3, 3)

        late = await call(c, "knowbe4_training_reminders", thresholds=[75])
        assert [r["enrollment_id"] for r in late["reminders"]] == [9]
        assert late["thresholds"] == [75]
        assert (await call(c, "knowbe4_training_reminders", thresholds=[90]))["reminders"] == []
        every = await every_page(c, "knowbe4_training_reminders", "reminders", per_page=3)
    assert every == out["reminders"] == dumped(report_reminders(engine, at=AT))
    assert _fingerprint(engine) == before  # nothing sent, nothing recorded
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.reminders_sent)).scalar_one() == 1

    # the command's dry run lists the same
    assert settings.config_path is not None
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(engine.url))
    code, printed, err = run(["report", "reminders", "--format", "json"], capsys, monkeypatch)
    assert code == 0, err
    assert [ReminderRow.model_validate(r) for r in json.loads(printed)] == [
        ReminderRow.model_validate(r) for r in every
    ]


async def test_reminder_thresholds_come_from_the_configuration(synced: tuple[Engine, Settings], tmp_path: Path) -> None:
    engine, _ = synced
    config = tmp_path / "trainproof.toml"
    config.write_text(TOML + "\n[reminders]\nthresholds = [80]\n", encoding="utf-8")
    own = load_settings(config, env={"TRAINPROOF_DATABASE_URL": str(engine.url), "TRAINPROOF_NO_KEYRING": "1"})
    async with client(own) as c:
        out = await call(c, "knowbe4_training_reminders")
        assert out["thresholds"] == [80]
        assert [r["enrollment_id"] for r in out["reminders"]] == [9]  # only Ann's HIPAA is past 80 %
        assert (await call(c, "knowbe4_training_reminders", thresholds=[50]))["due"] == 3


# --- remediation -------------------------------------------------------------------------------------------------


async def test_remediation(synced: tuple[Engine, Settings]) -> None:
    engine, settings = synced
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_remediation")
        # not trained since first, newest failure first; Hal (archived) and Ann (reported) are not there.
        # Dee entered data on 3 Aug and completed the refresher's Phishing module on 6 Aug.
        assert [(r["email"], r["test"], r["failures"], r["trained_since"], r["trained_with"], r["group"])
                for r in out["failures"]] == [
            ("bob@acme.example", "Bank alert", ["clicked"], False, None, "Remediation - Phishing Fundamentals"),
            ("eli@acme.example", "Parcel notice", ["clicked"], False, None, "Remediation - Phishing Fundamentals"),
            ("dee@acme.example", "Bank alert", ["clicked", "data_entered"], True,
             "Phishing Fundamentals (2026-08-06)", None),
        ]  # fmt: skip
        assert {r["suggested_module"] for r in out["failures"]} == {"Phishing Fundamentals"}
        assert {r["deadline"] for r in out["failures"]} == {"2026-08-22T23:59:59Z"}  # a week, to the day's end
        assert out["untrained"] == 2

        since = await call(c, "knowbe4_training_remediation", since="2026-06-01")
        assert [r["email"] for r in since["failures"]] == ["bob@acme.example", "dee@acme.example"]
        assert since["since"] == "2026-06-01"
        untrained = await call(c, "knowbe4_training_remediation", untrained_only=True)
        assert [r["email"] for r in untrained["failures"]] == ["bob@acme.example", "eli@acme.example"]
        every = await every_page(c, "knowbe4_training_remediation", "failures", per_page=1)
    assert every == out["failures"] == dumped(report_remediation(engine, settings, at=AT))
    start = datetime(2026, 6, 1, tzinfo=UTC)
    assert since["failures"] == dumped(report_remediation(engine, settings, since=start, at=AT))


# --- new hires ---------------------------------------------------------------------------------------------------


async def test_new_hires(synced: tuple[Engine, Settings]) -> None:
    engine, settings = synced
    async with client(settings) as c:
        out = await call(c, "knowbe4_training_new_hires")
        # Fay started 1 Aug and is in no onboarding campaign; Gus (25 Jul) is enrolled in 303
        assert [(r["name"], r["days_since_start"], r["enrolled"]) for r in out["new_hires"]] == [("Fay F", 14, False)]
        every = await call(c, "knowbe4_training_new_hires", include_enrolled=True)
        assert [(r["name"], r["days_since_start"], r["onboarding_campaigns"]) for r in every["new_hires"]] == [
            ("Gus G", 21, ["New Hire Onboarding"]),
            ("Fay F", 14, []),
        ]
        assert (await call(c, "knowbe4_training_new_hires", days=7))["new_hires"] == []
        assert every["new_hires"] == dumped(report_new_hires(engine, settings, include_enrolled=True, at=AT))

    bare = dataclasses.replace(settings, raw={k: v for k, v in settings.raw.items() if k != "onboarding"})
    async with client(bare) as c:
        assert "no onboarding campaigns configured: add [onboarding] campaigns" in await error(
            c, "knowbe4_training_new_hires"
        )


# --- quarterly ---------------------------------------------------------------------------------------------------


async def test_quarterly(synced: tuple[Engine, Settings]) -> None:
    engine, _ = synced
    async with client(synced[1]) as c:
        out = await call(c, "knowbe4_training_quarterly")  # the current quarter: 2026Q3
        assert (out["quarter"], out["start"], out["end"]) == ("2026Q3", "2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z")
        assert [r["campaign_id"] for r in out["campaigns"]] == [303, 301, 302, 304]  # by start; 300 ended in Q2
        # Q3: 8 + 3 + 1 + 3 enrollments, 5 + 1 + 0 + 1 completed by now. Q2: Spring SA, 2 of 3.
        assert (out["enrollments"], out["completed"], out["completion_rate"], out["change_vs_previous"]) == (
            15, 7, 46.7, -20.0,
        )  # fmt: skip
        assert [(p["quarter"], p["completion_rate"], p["phish_prone_percentage"]) for p in out["trend"]] == [
            ("2025Q4", None, None), ("2026Q1", None, None), ("2026Q2", 66.7, 50.0), ("2026Q3", 46.7, 25.0),
        ]  # fmt: skip
        assert (out["phish_prone_percentage"], out["phish_prone_change"]) == (25.0, -25.0)
        assert [(d["department"], d["completion_rate"]) for d in out["lowest_departments"]] == [
            ("(none)", 0.0), ("Sales", 42.9), ("IT", 57.1),
        ]  # fmt: skip
        assert [(m["store_purchase_id"], m["reason"], m["used_by"]) for m in out["stale_modules"]] == [
            (33, "published more than two years ago", ["HIPAA 2026"]),
            (34, "retired", []),
        ]
        assert "completion 46.7% is down 20.0 points on 2026Q2" in out["findings"]
        assert (out["campaigns_total"], out["stale_modules_total"]) == (4, 2)
        whole = report_quarterly(engine, at=AT).model_dump(mode="json")
        assert {k: out[k] for k in whole} == whole

        # campaigns and stale modules are paged together; the rest is on every page
        first = await call(c, "knowbe4_training_quarterly", per_page=1)
        assert [r["campaign_id"] for r in first["campaigns"]] == [303]
        assert [m["store_purchase_id"] for m in first["stale_modules"]] == [33]
        assert first["page"] == {"page": 1, "per_page": 1, "returned": 1, "total": 4, "has_more": True,
                                 "next_page": 2}  # fmt: skip
        last = await call(c, "knowbe4_training_quarterly", per_page=1, page=4)
        assert ([r["campaign_id"] for r in last["campaigns"]], last["stale_modules"]) == ([304], [])
        assert last["page"]["has_more"] is False
        assert last["trend"] == out["trend"]

        spring = await call(c, "knowbe4_training_quarterly", quarter="2026q2")
        assert spring["quarter"] == "2026Q2"
        assert [r["campaign_id"] for r in spring["campaigns"]] == [303, 300]
        assert (spring["enrollments"], spring["completed"]) == (3, 2)  # Gus joined onboarding after Q2
        assert "2026Q4 has not started yet: use 2026Q3 or earlier" in await error(
            c, "knowbe4_training_quarterly", quarter="2026Q4"
        )


# --- where answers come from ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["store", "auto", "live"])
async def test_reports_read_the_store_in_every_mode(synced: tuple[Engine, Settings], source: str) -> None:
    _, settings = synced
    async with client(settings, source) as c:  # the simulator is gone: any API request would fail
        out = await call(c, "knowbe4_training_overdue", per_page=1)
        assert out["source"]["source"] == "store"
        assert out["source"]["requests_made"] == 0
        assert out["page"]["total"] == 9


@pytest.mark.parametrize("source", ["store", "auto"])
async def test_before_the_first_sync_every_report_says_to_sync(tmp_path: Path, source: str) -> None:
    env = {
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}",
        "TRAINPROOF_STATE_DIR": str(tmp_path / "state"),
        "TRAINPROOF_NO_KEYRING": "1",
    }
    config = tmp_path / "trainproof.toml"
    config.write_text(TOML, encoding="utf-8")
    async with client(load_settings(config, env=env), source) as c:
        for tool in REPORT_TOOLS:
            message = await error(c, tool)
            assert "has no successful sync yet: run `trainproof sync` first" in message, (tool, message)
    assert not (tmp_path / "none.db").exists()


async def test_pages_of_one_answer_are_judged_at_the_same_instant(
    synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRAINPROOF_NOW")  # the real clock: a recomputed report would carry a later instant
    _, settings = synced
    async with client(settings) as c:
        first = await call(c, "knowbe4_training_campaigns", per_page=2)
        second = await call(c, "knowbe4_training_campaigns", per_page=2, page=2)
        other = await call(c, "knowbe4_training_campaigns", status="active")
    assert first["computed_at"] == second["computed_at"]
    assert other["computed_at"] > first["computed_at"]  # another question is judged afresh


async def test_report_tools_are_read_only_and_local() -> None:
    """The report tools read only the local store: not an open world (KnowBe4 is never asked)."""
    async with Client(create_server(load_settings(env={}), source="store")) as c:
        listed = {t.name: t for t in (await c.list_tools()).tools}
    for name in REPORT_TOOLS:
        a = listed[name].annotations
        assert a is not None
        assert (a.read_only_hint, a.destructive_hint, a.open_world_hint) == (True, False, False), name
