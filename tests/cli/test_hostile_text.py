"""A hostile KnowBe4 tenant through every terminal and CSV output of the CLI, as a user runs it.

Names, departments, managers, campaign and module titles are typed by people: markup (`[/red]`,
`[link=...]`), ESC/OSC sequences, C1 controls, formula starts (= + - @ tab CR) and very long text.
The tenant is served by the simulator over HTTP, synced into a real SQLite store, then each command
runs through `main()`. Terminal output must show each value as the text it is, with nothing a terminal
acts on; every CSV cell that starts like a formula must carry the apostrophe (OWASP).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import (
    campaign,
    enrollment,
    group,
    phishing_campaign,
    purchase,
    recipient,
    security_test,
    sync_into_store,
    tenant,
    user,
)
from trainproof.config import Settings
from trainproof.csvfile import FORMULA_START
from trainproof.simulator import Simulator

NOW = "2026-08-15T12:00:00+00:00"
LONG = "Z" * 5000
TITLE_ESC = "\x1b]0;owned\x07"  # OSC: set the terminal's title
CLEAR = "\x1b[2J"  # CSI: clear the screen
MARKUP_DEPT = "[bold]Sales[link=https://evil.example]click[/link]"
FORMULA_DEPT = '=HYPERLINK("http://evil.example","x")'
FORMULA_CAMPAIGN = "-2+3 Annual SA"
TAB_MODULE = "\tcmd|' /C calc'!A0"
FORMULA_EMAIL = "=1+1@acme.example"

TOML = """
[trainings.sa]
title = "Security Awareness"
campaigns = [301]

[onboarding]
campaigns = [302]
"""


def build() -> dict[str, object]:
    eve = user(1, "Eve", "[/red]", department=MARKUP_DEPT, manager=("@SUM(1+1)", "+boss@acme.example"))
    eve["first_name"] = f"{TITLE_ESC}Eve{CLEAR}"
    mal = user(2, "Mal", LONG, department=FORMULA_DEPT, division="\x9b2JOps")
    mal["email"] = FORMULA_EMAIL
    ann = user(3, "Ann", "A", department="@Ops")
    module = purchase(31, TAB_MODULE)
    sa = campaign(301, FORMULA_CAMPAIGN, [module], start="2026-07-01", end="2026-08-10")
    due = campaign(302, "@Due soon", [module], start="2026-07-01", end="2026-08-20")  # reminders are due
    test = security_test(
        601,
        501,
        "+Bank Test",
        started="2026-08-01",
        categories=["Banking"],
        template="@Bank",
        phish_prone=50.0,
        delivered=2,
    )
    return tenant(
        users=[eve, mal, ann],
        groups=[group(1, "Everyone", 3)],
        store_purchases=[module],
        training_campaigns=[sa, due],
        enrollments=[
            enrollment(1, eve, sa, module, enrolled="2026-07-01"),
            enrollment(2, mal, sa, module, enrolled="2026-07-01"),
            enrollment(3, ann, sa, module, enrolled="2026-07-01", status="Passed", completed="2026-07-05"),
            enrollment(4, eve, due, module, enrolled="2026-07-01"),
            enrollment(5, mal, due, module, enrolled="2026-07-01", status="In Progress", started="2026-07-02"),
        ],
        phishing_campaigns=[phishing_campaign(501, "=Phish", [test])],
        security_tests=[test],
        recipients=[recipient(1, test, mal, clicked="2026-08-02"), recipient(2, test, eve, clicked="2026-08-02")],
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(build(), tmp_path_factory.mktemp("hostile"), TOML)


@pytest.fixture
def cli(synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store, settings = synced
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", NOW)
    monkeypatch.chdir(tmp_path)


_SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colours when it writes to a terminal
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # every control character but the line feed


def assert_terminal_safe(text: str) -> None:
    """Nothing a terminal acts on: no control character but line feeds, once Rich's own colours are removed."""
    bare = _SGR.sub("", text)
    found = _CONTROL.search(bare)
    assert found is None, f"raw control character {found.group()!r} in {bare[max(found.start() - 40, 0) :][:80]!r}"


def assert_neutral(text: str) -> list[list[str]]:
    """Every cell of a CSV text either is a number or does not start like a formula; returns the rows."""
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for value in row:
            if re.fullmatch(r"-?\d+(\.\d+)?", value):
                continue  # a number trainproof computed (days overdue, rates)
            assert not value.startswith(FORMULA_START), f"formula start in CSV cell {value!r}"
    return rows


TABLE_COMMANDS = [
    ["status"],
    ["people"],
    ["people", "--wide"],
    ["report", "overdue"],
    ["report", "departments"],
    ["report", "campaigns"],
    ["report", "reminders"],
    ["report", "remediation"],
    ["report", "quarterly", "--quarter", "2026Q3"],
    ["person", "+boss@acme.example"],  # not a person: the error names what was asked for
    ["person", FORMULA_EMAIL],
    ["person", "1"],
    ["check"],
]


@pytest.mark.parametrize("force_terminal", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.usefixtures("cli")
def test_terminal_output_shows_data_as_text(
    args: list[str], force_terminal: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if force_terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")  # Rich then writes as to a colour terminal (links, styles)
    code, out, err = run(args, capsys, monkeypatch)
    assert "Traceback" not in err
    assert code == (2 if args[:2] == ["person", "+boss@acme.example"] else 0), err
    assert_terminal_safe(out)
    assert_terminal_safe(err)
    assert "\x1b]8;" not in out  # no hyperlink made from a department's [link=...]


@pytest.mark.usefixtures("cli")
def test_status_shows_markup_and_escapes_literally(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last name `[/red]` used to crash `status` with a Rich MarkupError traceback."""
    monkeypatch.setenv("COLUMNS", "400")
    code, out, err = run(["people", "--wide"], capsys, monkeypatch)
    assert code == 0, err
    assert "[/red]" in out
    assert "[bold]Sales[link=https://evil.example]click[/link]" in out  # shown, not styled, not a link
    assert "␛]0;owned␇Eve␛[2J" in out  # the escape sequences made visible
    assert LONG not in out  # a 5,000-character name is cut in the table ...
    assert "ZZZ…" in out
    code, out, _ = run(["people", "--format", "json"], capsys, monkeypatch)
    assert LONG in out  # ... and in full in JSON
    assert "\\u001b]0;owned\\u0007Eve" in out


@pytest.mark.usefixtures("cli")
def test_person_and_errors_are_one_safe_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["person", "1"], capsys, monkeypatch)
    assert code == 0, err
    assert out.startswith("␛]0;owned␇Eve␛[2J [/red] <eve@acme.example>  user 1\n")
    code, out, err = run(["person", f"{TITLE_ESC}[/red]\nforged line"], capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: no person '␛]0;owned␇[/red]␊forged line' in the store: ")
    assert err.count("\n") == 1
    assert err.endswith("\n")


CSV_COMMANDS = [
    ["status"],
    ["people"],
    ["report", "overdue"],
    ["report", "departments"],
    ["report", "departments", "--by", "manager"],
    ["report", "departments", "--by", "division"],
    ["report", "campaigns"],
    ["report", "reminders"],
    ["report", "remediation"],
    ["report", "new-hires", "--days", "100000", "--all"],
    ["report", "quarterly", "--quarter", "2026Q3", "--section", "campaigns"],
]


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=" ".join)
@pytest.mark.usefixtures("cli")
def test_csv_output_never_starts_a_formula(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run([*args, "--format", "csv"], capsys, monkeypatch)
    assert code == 0, err
    rows = assert_neutral(out)
    assert len(rows) > 1, out


@pytest.mark.usefixtures("cli")
def test_csv_keeps_the_value_behind_its_apostrophe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, _ = run(["people", "--format", "csv"], capsys, monkeypatch)
    cells = {c for row in assert_neutral(out) for c in row}
    assert "'" + FORMULA_EMAIL in cells
    assert "'" + FORMULA_DEPT in cells
    assert "'+boss@acme.example" in cells
    assert f"Mal {LONG}" in cells  # full length in CSV
    assert f"{TITLE_ESC}Eve{CLEAR} [/red]" in cells  # CSV is data: exact text
    _, out, _ = run(["report", "campaigns", "--format", "csv"], capsys, monkeypatch)
    head, *rows = assert_neutral(out)
    days = {row[head.index("name")]: row[head.index("days_to_deadline")] for row in rows}
    assert days == {"'" + FORMULA_CAMPAIGN: "-5", "'@Due soon": "5"}  # a number trainproof computes stays one


@pytest.mark.usefixtures("cli")
def test_remediation_import_csv_is_neutral(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "import.csv"
    code, _, err = run(["report", "remediation", "--import-csv", str(target)], capsys, monkeypatch)
    assert code == 0, err
    rows = assert_neutral(target.read_text(encoding="utf-8"))
    assert rows[0] == ["Email", "Group"]
    assert "'" + FORMULA_EMAIL in [r[0] for r in rows]


@pytest.mark.usefixtures("cli")
def test_evidence_pack_csvs_are_neutral(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.zip"
    code, out, err = run(["evidence", "--training", "sa", "--out", str(pack)], capsys, monkeypatch)
    assert code == 0, err
    assert_terminal_safe(out + err)
    with zipfile.ZipFile(pack) as zf:
        names = [n for n in zf.namelist() if n.endswith(".csv")]
        assert sorted(names) == ["completions.csv", "exceptions.csv", "population.csv"]
        texts = {n: zf.read(n).decode("utf-8-sig") for n in names}
    for text in texts.values():
        assert_neutral(text)
    cells = {c for row in csv.reader(io.StringIO(texts["completions.csv"])) for c in row}
    assert "'" + FORMULA_CAMPAIGN in cells
    assert "'" + TAB_MODULE in cells


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_api_users_live_from_knowbe4(
    fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`api users` prints what KnowBe4 answers right now, straight from the simulator over HTTP."""
    monkeypatch.chdir(tmp_path)
    with Simulator(build(), limits="off") as sim:
        monkeypatch.setenv("KNOWBE4_BASE_URL", sim.base_url)
        monkeypatch.setenv("KNOWBE4_API_KEY", sim.token)
        code, out, err = run(["api", "users", "--format", fmt], capsys, monkeypatch)
    assert code == 0, err
    if fmt == "csv":
        assert_neutral(out)
        return
    assert_terminal_safe(out + err)
    assert "[/red]" in out
