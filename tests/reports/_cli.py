"""`run(args, capsys, monkeypatch)`: the older call form of tests/running.py's `in_process`, kept for the
tests written against it (new tests take the `trainproof` fixture). Exit code, stdout, stderr."""

from __future__ import annotations

import pytest

from running import in_process


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    del capsys, monkeypatch  # the environment is the test's (monkeypatch.setenv); output is captured per call
    result = in_process(args)
    return result.code, result.stdout, result.stderr
