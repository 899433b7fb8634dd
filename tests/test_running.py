"""The suite's way of running the CLI (tests/running.py) shows what a user would see, and leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

from running import Trainproof, as_process


def test_in_process_reports_the_one_error_line_and_exit_code_and_restores_the_environment(
    trainproof: Trainproof, tmp_path: Path
) -> None:
    missing = tmp_path / "absent.toml"
    before = dict(os.environ)
    result = trainproof("status", env={"TRAINPROOF_CONFIG": str(missing)}, now="2026-09-01")
    assert result.code == 2
    assert len(result.err_lines) == 1
    assert result.err_lines[0].startswith("error: ")
    assert str(missing) in result.err_lines[0]
    assert result.stdout == ""
    assert dict(os.environ) == before


def test_in_process_and_a_process_of_its_own_print_the_same(trainproof: Trainproof) -> None:
    inside, outside = trainproof("--help"), as_process(["--help"])
    assert inside.code == outside.code == 0
    assert "Usage: trainproof" in inside.stdout
    assert inside.stdout == outside.stdout.replace("python -m trainproof", "trainproof", 1)  # click names the program
