"""`trainproof people` as a user runs it: the table (50 rows, sized to the terminal, --wide, how many more),
json, jsonl and csv with every matching row, the filters and the slice, errors in one line."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator

import pexpect
import pytest

from cli._people_world import HOSTILE_DEPARTMENT, HOSTILE_FIRST, NOW, World
from running import CliResult, Trainproof
from trainproof.people import FIELDS
from trainproof.text import terminal_text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("people-cli"))
    yield w
    w.engine.dispose()


class People:
    """`trainproof people ARGS` on the world's store on NOW, in a terminal of 80 columns."""

    def __init__(self, world: World, trainproof: Trainproof) -> None:
        self.world, self.trainproof = world, trainproof

    def __call__(self, *args: str, ok: bool = True) -> CliResult:
        result = self.trainproof("people", *args, env={**self.world.env, "COLUMNS": "80"}, now=NOW)
        if ok:
            assert result.code == 0, result.stderr
        assert "Traceback" not in result.stderr
        return result


@pytest.fixture
def people(world: World, trainproof: Trainproof) -> People:
    return People(world, trainproof)


def test_json_jsonl_and_csv_hold_every_matching_row(people: People) -> None:
    run = people
    listed = json.loads(run("--format", "json").stdout)
    assert len(listed) == 12
    assert all(tuple(row) == FIELDS for row in listed)  # the fields `status --format json` listed
    out = run("--format", "jsonl").stdout
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == listed
    assert all(line.startswith('{"user_id":') for line in lines)  # compact: one object a line
    table = list(csv.DictReader(io.StringIO(run("--format", "csv").stdout)))
    assert [(r["email"], r["training"], r["state"]) for r in table] == [
        (r["email"], r["training"], r["state"]) for r in listed
    ]
    bo = next(r for r in table if r["email"] == "bo@acme.example" and r["training"] == "hipaa")
    assert bo["outstanding"] == "HIPAA 2026: HIPAA Basics"


def test_filters_and_slice_reach_every_format(people: People) -> None:
    run = people
    args = ("--training", "hipaa", "--state", "incomplete", "--state", "not_enrolled", "--sort", "name")
    rows = json.loads(run(*args, "--format", "json").stdout)
    assert [(r["email"], r["state"]) for r in rows] == [
        ("eve@acme.example", "not_enrolled"),
        ("bo@acme.example", "incomplete"),
        ("cy@acme.example", "not_enrolled"),
    ]
    page = json.loads(run(*args, "--limit", "1", "--offset", "1", "--format", "json").stdout)
    assert page == rows[1:2]
    for flags, emails in (
        (("--department", "eng"), {"ada", "bo"}),
        (("--manager", "Sam Chief"), {"cy", "di"}),
        (("--group", "Nurses"), {"ada"}),
        (("--search", "ada.old"), {"ada"}),
        (("--search", "E-0042"), {"ada"}),
        (("--late",), {"bo"}),
    ):
        found = run(*flags, "--format", "jsonl").stdout.splitlines()
        assert {json.loads(line)["email"].split("@")[0] for line in found} == emails, flags
    then = json.loads(run("--as-of", "2026-08-08", "--training", "security", "--format", "json").stdout)
    assert {r["email"]: r["state"] for r in then}["ada@acme.example"] == "incomplete"


def test_table_fits_the_terminal_and_says_how_many_more(people: People) -> None:
    run = people
    out = run("--limit", "4").stdout
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), out
    assert lines[0].split() == ["name", "training", "state", "since", "outstanding"]
    assert "rows 1-4 of 12 as of 2026-09-01 12:00 UTC; 8 more: --offset 4 for the next page" in " ".join(lines)
    assert "--wide for every column" in out
    wide = run("--wide", "--limit", "4").stdout
    assert wide.splitlines()[0].split() == [
        "name", "training", "state", "since", "outstanding", "email", "department", "late", "sticky", "manager",
    ]  # fmt: skip
    assert "maria@acme.example" in wide
    assert "--wide" not in wide.splitlines()[-1]
    everyone = run().stdout
    assert "rows 1-12 of 12" in everyone
    assert "more" not in everyone.splitlines()[-1]


def test_table_shows_fifty_rows_unless_told(world: World, trainproof: Trainproof) -> None:
    """With 12 rows a table shows them all; --limit 50 is what the table uses by default (its count line)."""
    result = trainproof("people", "--limit", "50", env={**world.env, "COLUMNS": "100"}, now=NOW)
    default = trainproof("people", env={**world.env, "COLUMNS": "100"}, now=NOW)
    assert result.stdout == default.stdout


def test_hostile_names_are_text_in_the_table_and_escaped_in_json(people: People) -> None:
    run = people
    out = run("--wide", "--search", "owned").stdout
    assert terminal_text(HOSTILE_FIRST) in out
    assert "\x1b" not in out
    assert HOSTILE_DEPARTMENT in out  # shown as text, not Rich markup
    line = run("--search", "owned", "--format", "jsonl").stdout.splitlines()[0]
    assert "\\u001b]0;owned\\u0007Eve" in line
    assert json.loads(line)["name"] == f"{HOSTILE_FIRST} [/red]"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--state", "done"), "error: unknown state 'done': use one of compliant, incomplete, not_enrolled, grace"),
        (("--sort", "age"), "error: cannot sort by 'age': use one of name, email, department, manager, training"),
        (("--group", "Nope"), "error: no KnowBe4 group named 'Nope' in the store"),
        (("--limit", "-3"), "error: --limit -3 is negative"),
    ],
)
def test_bad_input_is_one_line(people: People, args: tuple[str, ...], error: str) -> None:
    result = people(*args, ok=False)
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(error)
    assert result.stderr.count("\n") == 1


def test_on_a_terminal_a_long_table_goes_through_the_pager(world: World) -> None:
    """A terminal of 10 lines cannot show 12 rows: the table goes to $PAGER; piped, it is written as is."""
    env = {**os.environ, **world.env, "TRAINPROOF_NOW": NOW, "PAGER": "sed s/^/paged:/", "TERM": "xterm"}
    for k in ("COLUMNS", "LINES"):
        env.pop(k, None)
    child = pexpect.spawn(
        sys.executable, ["-m", "trainproof", "people"], env=env, encoding="utf-8", timeout=60, dimensions=(10, 100)
    )
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before.replace("\r", "").splitlines()
    assert child.exitstatus == 0, shown
    assert shown[0].startswith("paged:name")
    assert sum(line.startswith("paged:") for line in shown) >= 14  # header, rule, 12 rows, the count line
    short = pexpect.spawn(
        sys.executable, ["-m", "trainproof", "people", "--limit", "2"], env=env, encoding="utf-8", timeout=60,
        dimensions=(10, 100),
    )  # fmt: skip
    short.expect(pexpect.EOF)
    assert "paged:" not in short.before  # what fits the screen is not paged
