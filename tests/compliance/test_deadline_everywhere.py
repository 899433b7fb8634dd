"""Every place that shows a deadline or a late flag gives the same one for the same enrollment.

Hypothesis draws campaigns (Specific End Date, or Relative End Date in days, weeks, months, years and
business days, some written in words, some unreadable) and enrollments from month-end dates, writes them
into a real SQLite store the way a sync does, and reads them back through `trainproof status`,
`trainproof person`, `trainproof report overdue`, `trainproof report reminders`, `trainproof evidence`,
`trainproof check` and the MCP tools. Each is compared with deadlines worked out here, on a calendar,
without trainproof's deadline code.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client

from reports._cli import run
from store.helpers import apply, campaign, enrollment, user
from trainproof.config import load_settings
from trainproof.mcp_server import create_server
from trainproof.store import open_store

AT = datetime(2026, 6, 15, 12, tzinfo=UTC)  # "now" for every surface
SYNCED = datetime(2026, 6, 15, 6, tzinfo=UTC)
# Month ends (and a leap day) weigh heavily: that is where calendar months and 30-day months part.
DAYS = [
    datetime(2025, 11, 30), datetime(2025, 12, 31), datetime(2026, 1, 30), datetime(2026, 1, 31),
    datetime(2026, 2, 27), datetime(2026, 2, 28), datetime(2026, 3, 31), datetime(2026, 4, 30),
    datetime(2026, 5, 29), datetime(2026, 5, 31), datetime(2026, 6, 5), datetime(2026, 6, 13),
    datetime(2024, 2, 29), datetime(2025, 6, 16),
]  # fmt: skip
UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years", "business day": "business days"}
WORDS = {1: "one", 2: "two", 3: "three"}


def independent_due(start: datetime, amount: int, unit: str) -> datetime:
    """Counted on a calendar, one step at a time: trainproof's deadline code is not used."""
    if unit == "day":
        return start + timedelta(days=amount)
    if unit == "week":
        return start + timedelta(days=7 * amount)
    if unit == "business day":
        at, left = start, amount
        while left:
            at += timedelta(days=1)
            left -= at.weekday() < 5
        return at
    months = amount * (12 if unit == "year" else 1)
    year, month = start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Camp:
    cid: int
    start: datetime
    end: datetime | None  # Specific End Date
    text: str | None  # Relative End Date
    amount: int = 0
    unit: str = ""

    def due(self, enrolled: datetime) -> datetime | None:
        if self.end is not None:
            return self.end
        if not self.unit:
            return None  # unreadable
        return independent_due(enrolled, self.amount, self.unit)

    def window_start(self, enrolled: datetime) -> datetime:
        return enrolled if self.end is None else min(max(self.start, enrolled), self.end)


@dataclass(frozen=True)
class Enr:
    eid: int
    uid: int
    cid: int
    enrolled: datetime
    completed: datetime | None


def instant(day: datetime, hour: int) -> datetime:
    return day.replace(hour=hour, tzinfo=UTC)


@st.composite
def campaigns(draw: st.DrawFn, cid: int) -> Camp:
    start = instant(draw(st.sampled_from(DAYS)), draw(st.sampled_from([0, 9, 23])))
    if draw(st.booleans()):
        end = start + timedelta(days=draw(st.integers(1, 200)), hours=draw(st.integers(0, 23)))
        return Camp(cid, start, end, None)
    if draw(st.integers(0, 9)) == 0:
        return Camp(cid, start, None, draw(st.sampled_from(["1.5 months", "string", "2.5 business days"])))
    unit = draw(st.sampled_from(list(UNITS)))
    amount = draw(st.integers(0 if unit != "year" else 1, {"year": 1, "month": 4}.get(unit, 40)))
    number = WORDS[amount] if amount in WORDS and draw(st.booleans()) else str(amount)
    return Camp(cid, start, None, f"{number} {UNITS[unit] if amount != 1 else unit}", amount, unit)


@st.composite
def tenants(draw: st.DrawFn) -> tuple[list[Camp], list[Enr], int]:
    camps = [draw(campaigns(cid)) for cid in range(1, draw(st.integers(1, 3)) + 1)]
    people = draw(st.integers(1, 3))
    enrs: list[Enr] = []
    for uid in range(1, people + 1):
        for c in camps:
            if not draw(st.integers(0, 4)):
                continue  # not enrolled
            enrolled = instant(draw(st.sampled_from(DAYS)), draw(st.sampled_from([0, 8, 17, 23])))
            completed = None
            if draw(st.booleans()):
                completed = enrolled + timedelta(days=draw(st.integers(0, 120)), hours=draw(st.integers(1, 23)))
                completed = min(completed, AT - timedelta(hours=1))
            enrs.append(Enr(len(enrs) + 1, uid, c.cid, enrolled, completed))
    return camps, enrs, people


def campaign_row(c: Camp) -> dict[str, Any]:
    return {
        **campaign(c.cid, f"Campaign {c.cid}"),
        "duration_type": "Specific End Date" if c.end is not None else "Relative End Date",
        "start_date": c.start,
        "end_date": c.end,
        "relative_duration": c.text,
    }


def parsed(value: str | None) -> datetime | None:
    """An ISO text from any surface (Z or +00:00) as an instant."""
    return None if value in (None, "") else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def same(value: str | None, expected: datetime | None) -> bool:
    return parsed(value) == expected


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite store, copied for each example (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("deadline-store") / "empty.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tenant=tenants())
def test_every_surface_gives_the_same_deadline_and_late_flag(
    tenant: tuple[list[Camp], list[Enr], int],
    empty_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    camps, enrs, people = tenant
    by_cid = {c.cid: c for c in camps}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(empty_store, folder / "store.db")
        url = f"sqlite:///{folder / 'store.db'}"
        engine = open_store(url)
        apply(
            engine,
            SYNCED,
            {
                "users": [user(uid) for uid in range(1, people + 1)],
                "training_campaigns": [campaign_row(c) for c in camps],
                "enrollments": [
                    enrollment(
                        e.eid,
                        "Completed" if e.completed else "In Progress",
                        user_id=e.uid,
                        campaign_id=e.cid,
                        enrolled=e.enrolled,
                        completed=e.completed,
                    )
                    for e in enrs
                ],
            },
        )
        engine.dispose()
        config = folder / "trainproof.toml"
        config.write_text(
            "".join(f"[trainings.t{c.cid}]\ncampaigns = [{c.cid}]\n\n" for c in camps)
            + "[reminders]\nthresholds = [50]\n",
            encoding="utf-8",
        )
        env = {
            "TRAINPROOF_CONFIG": str(config),
            "TRAINPROOF_DATABASE_URL": url,
            "TRAINPROOF_STATE_DIR": str(folder / "state"),
            "TRAINPROOF_NO_KEYRING": "1",
            "TRAINPROOF_NOW": AT.isoformat(),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("KNOWBE4_API_KEY", raising=False)

        def cli(*args: str) -> Any:
            code, out, err = run(list(args), capsys, monkeypatch)
            assert code == 0, err
            return json.loads(out) if "--format" in args else out

        # What each enrollment's deadline and late flag must be (one module per campaign, one enrollment each).
        due = {e.eid: by_cid[e.cid].due(e.enrolled) for e in enrs}
        late = {e.eid: e.completed is not None and due[e.eid] is not None and e.completed > due[e.eid] for e in enrs}
        of = {(e.uid, f"t{e.cid}"): e for e in enrs}

        # status (people): one decision per person and training.
        for d in cli("people", "--format", "json"):
            e = of.get((d["user_id"], d["training"]))
            assert d["state"] == ("not_enrolled" if e is None else "compliant" if e.completed else "incomplete")
            assert d["late"] == (e is not None and late[e.eid]), (d, e, due.get(e.eid if e else 0))

        # person: the late flag per campaign and the due date of what is outstanding.
        for uid in range(1, people + 1):
            doc = cli("person", f"user{uid}@example.com", "--format", "json")
            for t in doc["trainings"]:
                e = of.get((uid, t["training"]))
                if e is None:
                    assert t["campaigns"] == []
                    continue
                assert [c["late"] for c in t["campaigns"]] == [late[e.eid]]
                assert same(t["due_date"], None if e.completed else due[e.eid]), (t, e, due[e.eid])

        # report overdue: everyone incomplete, with the same deadline.
        overdue = cli("report", "overdue", "--format", "json")
        incomplete = {(e.uid, f"t{e.cid}"): e for e in enrs if e.completed is None}
        rows = {(r["user_id"], r["training"]): r for r in overdue if r["state"] == "incomplete"}
        assert set(rows) == set(incomplete)
        for key, r in rows.items():
            assert same(r["deadline"], due[incomplete[key].eid]), (r, incomplete[key])

        # report reminders: open enrollments past 50 % of their own window and not yet due.
        expected: dict[int, datetime] = {}
        for e in enrs:
            end = due[e.eid]
            if e.completed is None and end is not None and end > AT:
                start = by_cid[e.cid].window_start(e.enrolled)
                total = (end - start).total_seconds()
                if total <= 0 or 100.0 * (AT - start).total_seconds() / total >= 50:
                    expected[e.eid] = end
        reminders = cli("report", "reminders", "--format", "json")
        assert {r["enrollment_id"]: parsed(r["deadline"]) for r in reminders} == expected

        # the evidence pack: late per enrollment and per campaign, due date of the outstanding.
        for c in camps:
            pack = folder / f"t{c.cid}.zip"
            cli("evidence", "--training", f"t{c.cid}", "--out", str(pack))
            with zipfile.ZipFile(pack) as z:
                completions = list(csv.DictReader(io.StringIO(z.read("completions.csv").decode("utf-8-sig"))))
                population = list(csv.DictReader(io.StringIO(z.read("population.csv").decode("utf-8-sig"))))
            for row in completions:
                flag = late[int(row["enrollment_id"])]
                assert (row["late"], row["campaign_late"]) == ("yes" if flag else "no",) * 2, row
            for row in population:
                e = of.get((int(row["user_id"]), f"t{c.cid}"))
                assert same(row["due_date"], due[e.eid] if e is not None and e.completed is None else None), row
                assert row["late"] == ("yes" if e is not None and late[e.eid] else "no")

        # check: names every campaign whose duration cannot be read, and only those.
        problems = cli("check", "--format", "json")
        unreadable = {p["campaign"] for p in problems if p["code"] == "unreadable_relative_duration"}
        assert unreadable == {c.cid for c in camps if c.end is None and not c.unit}

        # MCP: the person tool's late flags, the overdue and reminders tools' deadlines.
        async def mcp() -> None:
            cfg = load_settings(config, env=env)
            async with Client(create_server(cfg, source="store"), raise_exceptions=True) as client:
                for uid in range(1, people + 1):
                    got = await client.call_tool("knowbe4_training_person_status", {"person": str(uid)})
                    assert got.structured_content is not None, got
                    for t in got.structured_content["trainings"]:
                        e = of.get((uid, t["training"]))
                        assert t["late"] == (e is not None and late[e.eid])
                got = await client.call_tool("knowbe4_training_overdue", {"per_page": 100})
                assert got.structured_content is not None, got
                tool_rows = [r for r in got.structured_content["rows"] if r["state"] == "incomplete"]
                assert {(r["user_id"], r["training"]): parsed(r["deadline"]) for r in tool_rows} == {
                    k: due[e.eid] for k, e in incomplete.items()
                }
                got = await client.call_tool("knowbe4_training_reminders", {"per_page": 100})
                assert got.structured_content is not None, got
                assert {
                    r["enrollment_id"]: parsed(r["deadline"]) for r in got.structured_content["reminders"]
                } == expected

        anyio.run(mcp)
