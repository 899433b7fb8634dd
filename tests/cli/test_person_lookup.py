"""`trainproof person` and `reset` find a person by KnowBe4 alias, employee number, email or user id.

The tenant is served by the simulator, synced over HTTP into a real SQLite store, and each command
runs in process through `main()` as a user runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from reports._cli import run
from reports._tenant import sync_into_store
from store._people import TOML, people_tenant
from trainproof.config import Settings

NOW = "2026-08-15T12:00:00+00:00"
UNKNOWN_TODO = "give an email, KnowBe4 alias, employee number or user id from `trainproof people --format csv`"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Settings]:
    return sync_into_store(people_tenant(), tmp_path_factory.mktemp("people"), TOML)


@pytest.fixture(autouse=True)
def cli(synced: tuple[Engine, Settings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store, settings = synced
    monkeypatch.setenv("TRAINPROOF_CONFIG", str(settings.config_path))
    monkeypatch.setenv("TRAINPROOF_DATABASE_URL", str(store.url))
    monkeypatch.setenv("TRAINPROOF_NOW", NOW)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("who", ["ada.old@acme.example", "A.L@ACME.EXAMPLE", "E-100", "ada@acme.example", "1"])
def test_person_by_alias_employee_number_email_or_id(
    who: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["person", who, "--format", "json"], capsys, monkeypatch)
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["user_id"], doc["email"]) == (1, "ada@acme.example")
    assert [(t["training"], t["state"]) for t in doc["trainings"]] == [("sa", "compliant")]


def test_person_table_by_alias(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["person", "ada.old@acme.example"], capsys, monkeypatch)
    assert code == 0
    assert out.startswith("Ada Lovelace <ada@acme.example>  user 1\n")


def test_a_shared_employee_number_is_one_line_naming_both(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["person", "X-7"], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err == "error: 'X-7' is the employee number of 2 people (user ids 3, 4): give the KnowBe4 user id\n"


def test_reset_by_alias_and_employee_number(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def reset(*people: str) -> tuple[int, str, str]:
        return run(["reset", *people, "--training", "sa", "--dry-run"], capsys, monkeypatch)

    assert reset("ada.old@acme.example", "E-7") == (2, "", f"error: no person 'E-7' in the store: {UNKNOWN_TODO}\n")
    assert reset("ada.old@acme.example", "X-7")[0] == 2
    code, out, err = reset("ada.old@acme.example", "E-100")
    assert (code, out) == (0, "")
    assert "user 1 has no kept compliance for sa: nothing to reset\n" in err  # both keys name Ada, once
    assert "user 3" not in err
