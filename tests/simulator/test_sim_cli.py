"""`trainproof simulate`: help, dump and option errors through the CLI in process; a real start in a subprocess."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from running import Trainproof
from trainproof.cli.simulate import banner, reachable_url
from trainproof.config import load_settings
from trainproof.simulator import create_app, generate_tenant

TRAINPROOF = [sys.executable, "-m", "trainproof"]


def test_help_explains_the_command(trainproof: Trainproof) -> None:
    result = trainproof("simulate", "--help")
    assert result.code == 0
    for words in (
        "KNOWBE4_BASE_URL",
        "KNOWBE4_API_KEY",
        "--tenant",
        "--dump-tenant",
        "--limits",
        "--time-scale",
        "--faults",
        "/_admin/",
        "cursor_loop",
    ):
        assert words in result.stdout, words


def test_dump_tenant_writes_the_generated_tenant(tmp_path: Path, trainproof: Trainproof) -> None:
    target = tmp_path / "tenant.json"
    result = trainproof("simulate", "--users", "25", "--seed", "4", "--dump-tenant", str(target))
    assert result.code == 0, result.stderr
    expected = io.StringIO()
    generate_tenant(25, seed=4).dump(expected)
    assert target.read_text() == expected.getvalue()


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*TRAINPROOF, "simulate", "--port", "0", "--users", "20", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if "Stop with Ctrl-C" in line:
            return proc, "".join(lines)
    proc.kill()
    raise AssertionError("simulator did not start: " + "".join(lines))


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=15)
    assert proc.returncode == 0
    return rest


def test_start_prints_url_and_variables_but_never_a_given_token() -> None:
    secret = "tok-3f9a1c77e2"
    proc, banner = _start("--token", secret, "--limits", "off")
    try:
        url = re.search(r"KNOWBE4_BASE_URL=(http://127\.0\.0\.1:\d+)", banner)
        assert url is not None
        assert "KNOWBE4_API_KEY=" in banner
        response = httpx2.get(url.group(1) + "/v1/users", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200
        assert len(response.json()) == 20
    finally:
        rest = _stop(proc)
    assert secret not in banner + rest


def test_the_banner_shows_the_default_token_and_the_limits() -> None:
    sim = create_app(users=3, limits="real", time_scale=0.5)
    text = banner(sim, "http://127.0.0.1:9", source="generated", token_given=False, faults=2)
    assert "export KNOWBE4_BASE_URL=http://127.0.0.1:9\n" in text
    assert "export KNOWBE4_API_KEY=sim-token\n" in text
    assert "limits: real" in text
    assert "time scale 0.5" in text
    assert "faults: 2 rule(s)" in text
    hidden = banner(create_app(users=3, token="real-looking-token"), "http://x", source="s", token_given=True)
    assert "real-looking-token" not in hidden


def test_option_errors_are_one_line_with_exit_2(tmp_path: Path, trainproof: Trainproof) -> None:
    for args, words in (
        (["--faults", '{"kind": "meteor"}'], "unknown fault kind"),
        (["--tenant", str(tmp_path / "missing.json")], "not found"),
        (["--reference-date", "soon"], "not a date"),
        (["--time-scale", "0"], "must be positive"),
    ):
        result = trainproof("simulate", "--port", "0", *args)
        assert result.code == 2, result.stderr
        assert result.stderr.startswith("error: "), result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert words in result.stderr


def test_errors_reach_the_terminal_as_one_line() -> None:
    done = subprocess.run(
        [*TRAINPROOF, "simulate", "--port", "0", "--faults", '{"kind": "meteor"}'],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown fault kind")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("host", "url"),
    [("0.0.0.0", "http://127.0.0.1:8765"), ("::", "http://[::1]:8765"), ("127.0.0.1", "http://127.0.0.1:8765")],
)
def test_the_printed_url_is_one_trainproof_accepts(host: str, url: str) -> None:
    """Listening on every interface prints a loopback URL: KNOWBE4_BASE_URL=http://0.0.0.0:... is refused."""
    assert reachable_url(host, 8765) == url
    assert load_settings(None, env={"KNOWBE4_BASE_URL": url}).base_url == url
