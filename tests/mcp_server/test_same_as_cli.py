"""The compliance tools and `trainproof people` give the same decisions: both judge through
`trainproof.judging`, so for each training every person's state, since when, late and sticky flags, and
what is outstanding, is the same in an MCP answer and in a row of `trainproof people --format json`."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from running import Trainproof
from trainproof import clock
from trainproof.config import Settings

from .test_tools import call

TRAININGS = ("security_awareness", "hipaa", "ai_awareness")  # [trainings.*] of the test configuration


def _env(settings: Settings) -> dict[str, str]:
    assert settings.config_path is not None
    return {
        "TRAINPROOF_CONFIG": str(settings.config_path),
        "TRAINPROOF_DATABASE_URL": settings.database_url,
        "TRAINPROOF_STATE_DIR": str(settings.state_dir),
    }


def _outstanding(row: dict[str, Any]) -> list[str]:
    """A people row's incomplete campaigns as the MCP answer words them ("Campaign: module, module")."""
    return [
        f"{c['name']}: {', '.join(c['outstanding_modules'])}" if c["outstanding_modules"] else c["name"]
        for c in row["campaigns"]
        if not c["complete"]
    ]


@pytest.mark.anyio
async def test_compliance_answers_are_the_rows_of_trainproof_people(
    synced: Settings, connect: Any, trainproof: Trainproof, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAINPROOF_NOW", clock.now().isoformat())  # one instant for the command and the server
    seen: Counter[str] = Counter()
    async with connect(synced, "store") as client:
        for key in TRAININGS:
            printed = trainproof("people", "--training", key, "--format", "json", env=_env(synced))
            rows: list[dict[str, Any]] = printed.json()
            seen.update(r["state"] for r in rows)
            await _same_answers(client, key, rows)
    assert seen["compliant"]
    assert len(seen) > 2  # several kinds of not compliant too: a mismatch in any would show


async def _same_answers(client: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """The summary, the non-compliant list and a dozen people's status for `key` against its people rows."""
    by_user = {r["user_id"]: r for r in rows}
    states = Counter(r["state"] for r in rows)

    summary = await call(client, "knowbe4_training_compliance_summary", training=key)
    [training] = summary["trainings"]
    assert training["population"] == len(rows), key
    assert training["counts"] == {s: states.get(s, 0) for s in training["counts"]}, key
    assert sum(training["counts"].values()) == len(rows), key
    assert training["compliant"] == states["compliant"], key

    listed = await call(client, "knowbe4_training_list_noncompliant", training=key, per_page=500)
    assert not listed["page"]["has_more"]
    people = [p for g in listed["groups"] for p in g["people"]]
    assert sorted(p["user_id"] for p in people) == sorted(r["user_id"] for r in rows if not r["compliant"]), key
    for p in people:
        row = by_user[p["user_id"]]
        fields = ("email", "name", "department", "manager_email", "state")
        assert {k: p[k] for k in fields} == {k: row[k] for k in fields}, key
        assert p["outstanding"] == _outstanding(row), key

    for row in rows[:: max(1, len(rows) // 12)]:  # a dozen people, compliant or not
        status = await call(client, "knowbe4_training_person_status", person=str(row["user_id"]))
        [decision] = [t for t in status["trainings"] if t["training"] == key]
        since = decision["compliant_since"]
        assert {
            "state": decision["state"],
            "compliant": decision["compliant"],
            "compliant_since": None if since is None else clock.parse_instant(since).isoformat(),
            "late": decision["late"],
            "sticky": decision["sticky"],
        } == {k: row[k] for k in ("state", "compliant", "compliant_since", "late", "sticky")}, (key, row["user_id"])
        assert [
            (c["campaign_id"], c["name"], c["complete"], c["outstanding_modules"]) for c in decision["campaigns"]
        ] == [(c["campaign_id"], c["name"], c["complete"], c["outstanding_modules"]) for c in row["campaigns"]]
