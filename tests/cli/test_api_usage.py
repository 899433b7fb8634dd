"""`trainproof api` argument handling that needs no server: help, unknown names, misplaced filters."""

from __future__ import annotations

import pytest

from reports._cli import run
from trainproof.client import ENDPOINTS


def test_help_lists_every_resource(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["api", "--help"], capsys, monkeypatch)
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    for ep in ENDPOINTS:
        usage = " ".join([ep.cli_name, *(p.upper() for p in ep.path_params)])
        assert any(line.startswith(usage + " ") for line in lines), usage
    assert "recipient PST_ID RECIPIENT_ID" in out
    assert "--exclude-archived-users" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["api", "trainings"], "unknown resource 'trainings'"),
        (["api", "users", "--campaign-id", "3"], "--campaign-id does not apply to users"),
        (["api", "enrollment"], "enrollment takes ENROLLMENT_ID (0 given)"),
        (["api", "users", "7"], "users takes no id (1 given)"),
        (["api", "users", "--include-percentages"], "--include-percentages only applies to training-campaigns"),
    ],
)
def test_usage_errors_exit_2_without_sending(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KNOWBE4_API_KEY", "never-used")
    monkeypatch.setenv("KNOWBE4_BASE_URL", "http://127.0.0.1:9")
    code, out, err = run(args, capsys, monkeypatch)
    assert code == 2
    assert out == ""
    assert expected in " ".join(err.split())
    assert "Traceback" not in err


def test_missing_token_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["api", "account"], capsys, monkeypatch)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: no KnowBe4 API token")
