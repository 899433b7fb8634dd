"""Progress bars: on a terminal (a pty) the long commands draw Rich bars on stderr; piped, as under cron,
they write exactly their lines and no bar or escape sequence.

One simulated tenant served over HTTP for the module; sync, nightly, certificates, evidence and
`report html` run as their own processes, since whether stderr is a terminal is what is tested.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pytest

from running import as_process
from trainproof.simulator import Simulator, generate_tenant

NOW = "2026-06-15T12:00:00Z"
BAR = "━"  # the bar Rich draws
TOML = """
[store]
url = "sqlite:///{store}"

[knowbe4.limits]          # the simulator's limits are off: no pacing
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365
new_hire_grace_days = 30
"""


@dataclass(frozen=True)
class Tenant:
    folder: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenant]:
    folder = tmp_path_factory.mktemp("progress")
    config = folder / "trainproof.toml"
    config.write_text(TOML.format(store=folder / "trainproof.db"), encoding="utf-8")
    with Simulator(generate_tenant(users=40, seed=3), limits="off") as sim:
        env = {
            "TRAINPROOF_CONFIG": str(config),
            "TRAINPROOF_STATE_DIR": str(folder / "state"),
            "TRAINPROOF_NO_KEYRING": "1",
            "TRAINPROOF_NOW": NOW,
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
        }
        synced = as_process(["sync"], env)
        assert synced.code == 0, synced.stderr
        yield Tenant(folder, env)


def on_terminal(tenant: Tenant, *args: str) -> tuple[int, str]:
    """`trainproof ARGS` with stdout and stderr on a pseudo-terminal: (exit code, what the terminal showed)."""
    env = {**os.environ, **tenant.env, "TERM": "xterm"}
    for name in ("COLUMNS", "LINES", "NO_COLOR"):
        env.pop(name, None)
    child = pexpect.spawn(
        sys.executable, ["-m", "trainproof", *args], env=env, encoding="utf-8", timeout=120, dimensions=(40, 120)
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus or 0, child.before or ""


def piped(tenant: Tenant, *args: str) -> str:
    """stderr of `trainproof ARGS` run with stdout and stderr piped (no terminal), after checking it worked."""
    result = as_process(list(args), tenant.env)
    assert result.code == 0, result.stderr
    return result.stderr


def assert_bars(shown: str, *labels: str) -> None:
    assert BAR in shown, shown
    for label in labels:
        assert label in shown


def assert_plain(stderr: str) -> None:
    assert BAR not in stderr
    assert "\x1b" not in stderr  # no colour, no cursor movement: a log file reads as text


def test_sync_and_nightly_draw_a_bar_per_resource_only_on_a_terminal(tenant: Tenant, tmp_path: Path) -> None:
    code, shown = on_terminal(tenant, "sync")
    assert code == 0, shown
    assert_bars(shown, "users", "training campaigns", "enrollments", "judging compliance")
    assert "synced" in shown  # the summary line still comes after the bars

    code, shown = on_terminal(tenant, "nightly", "--out", str(tmp_path / "on-terminal"))
    assert code == 0, shown
    assert_bars(shown, "users", "certificates")
    assert "nightly:" in shown

    stderr = piped(tenant, "nightly", "--out", str(tmp_path / "piped"))
    assert_plain(stderr)
    assert_plain(piped(tenant, "sync"))


def test_certificates_evidence_and_report_html_draw_bars_only_on_a_terminal(tenant: Tenant, tmp_path: Path) -> None:
    code, shown = on_terminal(tenant, "certificates", "--out", str(tmp_path / "certs-tty"))
    assert code == 0, shown
    assert_bars(shown, "certificates")
    made = len(list((tmp_path / "certs-tty").glob("*.pdf")))
    assert made > 0
    assert f"{made}/{made}" in shown  # the bar ends full, counting the certificates written
    stderr = piped(tenant, "certificates", "--out", str(tmp_path / "certs-piped"))
    assert_plain(stderr)
    assert stderr == f"wrote {made} certificate(s) to {tmp_path / 'certs-piped'}\n"

    pack = tmp_path / "pack-tty.zip"
    code, shown = on_terminal(tenant, "evidence", "--training", "security_awareness", "--out", str(pack))
    assert code == 0, shown
    assert_bars(shown, "certificates")
    assert pack.is_file()
    stderr = piped(tenant, "evidence", "--training", "security_awareness", "--out", str(tmp_path / "pack.zip"))
    assert_plain(stderr)
    assert stderr.startswith(f"wrote {tmp_path / 'pack.zip'}: ")

    code, shown = on_terminal(tenant, "report", "html", "--out", str(tmp_path / "tty.html"))
    assert code == 0, shown
    assert_bars(shown, "drawing the page", "5/5")
    stderr = piped(tenant, "report", "html", "--out", str(tmp_path / "piped.html"))
    assert_plain(stderr)
    assert stderr.startswith(f"wrote {tmp_path / 'piped.html'} (")
    assert stderr.count("\n") == 1
    # The page is the same whether or not a bar was drawn while it was built.
    assert (tmp_path / "tty.html").read_bytes() == (tmp_path / "piped.html").read_bytes()
