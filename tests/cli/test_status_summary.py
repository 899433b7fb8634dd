"""`trainproof status` is a summary in every format: per training counts, the age of the data, the departments
furthest behind and one next step; 80 columns and 40 lines on a terminal, the same figures as JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from cli._people_world import AT, HOSTILE_DEPARTMENT, NOW, World
from running import CliResult, Trainproof
from trainproof.summary import summarize


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("status"))
    yield w
    w.engine.dispose()


def status(world: World, trainproof: Trainproof, *args: str, now: str = NOW) -> CliResult:
    result = trainproof("status", *args, env={**world.env, "COLUMNS": "80"}, now=now)
    assert "Traceback" not in result.stderr
    return result


def test_the_summary_counts_each_training(world: World) -> None:
    with world.engine.connect() as conn:
        summary = summarize(conn, world.settings, at=AT)
    counts = {t.key: (t.in_scope, t.compliant, t.incomplete, t.not_enrolled, t.grace, t.expired, t.late)
              for t in summary.trainings}  # fmt: skip
    assert counts == {"security": (6, 3, 2, 1, 0, 0, 1), "hipaa": (6, 2, 1, 2, 1, 0, 0)}
    assert [round(t.percent_compliant or 0, 1) for t in summary.trainings] == [50.0, 33.3]
    lowest = [(d.department, d.compliant, d.decisions) for d in summary.lowest_departments]
    assert lowest == [(None, 0, 2), (HOSTILE_DEPARTMENT, 0, 2), ("Sales", 2, 4)]  # Fay, Eve; Sales is Cy and Di
    assert summary.next_step == "2 people are not done with Security Awareness"
    assert summary.next_command == "trainproof people --training security --state incomplete"
    assert summary.next_query is not None
    assert summary.next_query.states == frozenset({"incomplete"})
    assert summary.synced_at is not None
    assert summary.sync_age is not None


def test_the_table_fits_80_columns_and_40_lines(world: World, trainproof: Trainproof) -> None:
    result = status(world, trainproof)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 40
    assert all(len(line) <= 80 for line in lines), result.stdout
    assert lines[0] == "Compliance as of 2026-09-01 12:00 UTC (now)"
    assert lines[1].startswith("Last successful sync ")
    table = {line[:18].strip(): line[18:].split() for line in lines[3:12]}
    assert table[""] == ["security", "hipaa"]
    assert table["in scope"] == ["6", "6"]
    assert table["compliant"] == ["3", "2"]
    assert table["% compliant"] == ["50.0%", "33.3%"]
    assert table["in new-hire grace"] == ["0", "1"]
    assert table["completed late"] == ["1", "0"]
    assert "  (no department)" in result.stdout
    assert lines[-2:] == [
        "Next: 2 people are not done with Security Awareness",
        "  trainproof people --training security --state incomplete",
    ]


def test_json_and_csv_give_the_same_summary(world: World, trainproof: Trainproof) -> None:
    doc = status(world, trainproof, "--format", "json")
    data = doc.json()
    assert data["as_of"] == "2026-09-01T12:00:00+00:00"
    assert [(t["training"], t["compliant"], t["percent_compliant"], t["late"]) for t in data["trainings"]] == [
        ("security", 3, 50.0, 1),
        ("hipaa", 2, 33.3, 0),
    ]
    assert [d["department"] for d in data["lowest_departments"]] == [None, HOSTILE_DEPARTMENT, "Sales"]
    assert data["next_command"] == "trainproof people --training security --state incomplete"
    assert isinstance(data["last_sync_age_seconds"], int)
    rows = list(csv.DictReader(io.StringIO(status(world, trainproof, "--format", "csv").stdout)))
    assert [r["kind"] for r in rows] == ["training", "training", *["lowest_department"] * 3, "next_step"]
    assert [(r["name"], r["compliant"], r["percent_compliant"]) for r in rows[:2]] == [
        ("security", "3", "50.0"),
        ("hipaa", "2", "33.3"),
    ]
    assert rows[3]["name"] == "'" + HOSTILE_DEPARTMENT if HOSTILE_DEPARTMENT.startswith("=") else HOSTILE_DEPARTMENT
    assert rows[-1]["text"].endswith("trainproof people --training security --state incomplete")


def test_as_of_and_one_training(world: World, trainproof: Trainproof) -> None:
    data = status(world, trainproof, "--as-of", "2026-08-08", "--training", "security", "--format", "json").json()
    assert data["point_in_time"] is True
    assert [(t["training"], t["compliant"]) for t in data["trainings"]] == [("security", 1)]  # Di only
    assert data["next_command"].endswith("--as-of 2026-08-08")
    text = status(world, trainproof, "--as-of", "2026-08-08").stdout
    assert text.startswith("Compliance as of 2026-08-08 23:59 UTC (a past date)\n")


def test_state_points_to_people(world: World, trainproof: Trainproof) -> None:
    result = status(world, trainproof, "--state", "incomplete")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: status is a summary and takes no --state: list the people with: trainproof people --state incomplete\n"
    )
