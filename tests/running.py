"""Run `trainproof ARGS` the two ways the suite needs, with one result type.

- `in_process`: through the real entry point (`trainproof.cli.main`, which turns a TrainproofError into one
  line and an exit code), in a thread that must finish within a time limit, so a hang fails the test
  instead of stalling the suite. Tests use it through the `trainproof` fixture (tests/conftest.py).
- `as_process`: `python -m trainproof` in a process of its own, only where the process boundary is what is
  tested: a kill -9, stdio MCP, the umask, import time, two processes sharing a budget.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class CliResult:
    """What a user sees: the exit code, stdout, stderr; and how long the command took."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def out_lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def json(self) -> Any:
        """stdout as JSON, after checking the command succeeded (its stderr is the failure message)."""
        assert self.code == 0, f"exit {self.code}: {self.stderr}"
        return json.loads(self.stdout)


@contextmanager
def _environment(env: Mapping[str, str | None]) -> Generator[None]:
    """`env` applied to os.environ for the call (None removes a name), and the old values put back."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _ThreadSwitch(io.TextIOBase):
    """A stream that sends the CLI thread's writes to its buffer and every other thread's (a simulator's
    log, pytest) where they went before, so concurrent output never mixes into what the command printed."""

    def __init__(self, mine: io.StringIO, other: Any, ident: dict[str, int]) -> None:
        self._mine, self._other, self._ident = mine, other, ident

    def write(self, s: str) -> int:
        return (self._mine if threading.get_ident() == self._ident.get("cli") else self._other).write(s)

    def flush(self) -> None:
        self._other.flush()

    def isatty(self) -> bool:
        return False


def in_process(
    args: list[str],
    env: Mapping[str, str | None] | None = None,
    *,
    cwd: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> CliResult:
    """`trainproof ARGS` through `trainproof.cli.main` with `env` set for the call; see the module docstring.

    An exception that escapes `main()` (a traceback a user would see) fails the test with that exception.
    """
    from trainproof.cli import main

    out, err = io.StringIO(), io.StringIO()
    box: dict[str, Any] = {}
    ident: dict[str, int] = {}

    def target() -> None:
        ident["cli"] = threading.get_ident()
        try:
            main()
            box["code"] = 0
        except SystemExit as exc:
            box["code"] = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):  # typer/click print nothing for SystemExit("text"); Python would
                err.write(exc.code + "\n")
        except BaseException as exc:  # kept for the assertion below
            box["exc"] = exc

    log = logging.getLogger("trainproof")
    handlers, level = list(log.handlers), log.level  # --debug adds a handler: it must not outlive the call
    saved_argv, saved_cwd = sys.argv, Path.cwd()
    real_in, real_out, real_err = sys.stdin, sys.stdout, sys.stderr
    start = time.monotonic()
    with _environment(env or {}):
        sys.argv = ["trainproof", *args]
        sys.stdin = io.StringIO("")
        sys.stdout = _ThreadSwitch(out, real_out, ident)  # type: ignore[assignment]
        sys.stderr = _ThreadSwitch(err, real_err, ident)  # type: ignore[assignment]
        try:
            if cwd is not None:
                os.chdir(cwd)
            thread = threading.Thread(target=target, name="trainproof-cli", daemon=True)
            thread.start()
            thread.join(timeout)
        finally:
            seconds = time.monotonic() - start
            sys.stdin, sys.stdout, sys.stderr = real_in, real_out, real_err
            sys.argv = saved_argv
            os.chdir(saved_cwd)
            log.handlers[:] = handlers
            log.setLevel(level)
    command = " ".join(["trainproof", *args])
    if thread.is_alive():
        raise AssertionError(f"`{command}` did not finish within {timeout:g} s (a hang)")
    if "exc" in box:
        raise AssertionError(f"`{command}` crashed: {box['exc']!r}") from box["exc"]
    return CliResult(box["code"], out.getvalue(), err.getvalue(), seconds)


def as_process(
    args: list[str],
    env: Mapping[str, str | None] | None = None,
    *,
    cwd: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> CliResult:
    """`python -m trainproof ARGS` as its own process, with os.environ plus `env` (None removes a name);
    killed, and the test failed, after `timeout` seconds."""
    full = {**os.environ}
    for k, v in (env or {}).items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "trainproof", *args],
        env=full,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


class Trainproof:
    """The `trainproof` fixture: `trainproof("status", "--format", "json", env={...}, now="2026-09-01")`.

    Runs in process (`in_process`); `now` sets TRAINPROOF_NOW for the call, the clock every command reads.
    """

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str | None] | None = None,
        now: str | None = None,
        cwd: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> CliResult:
        call_env: dict[str, str | None] = dict(env or {})
        if now is not None:
            call_env["TRAINPROOF_NOW"] = now
        return in_process(list(args), call_env, cwd=cwd, timeout=timeout)
