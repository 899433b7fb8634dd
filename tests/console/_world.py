"""What the console tests share: a hand-built KnowBe4 tenant on the simulator, synced by
`trainproof nightly`, then `trainproof serve --port 0` in a process of its own (the printed sign-in line
is what is tested), and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reports._tenant import campaign, enrollment, purchase, tenant, user
from running import CliResult, in_process
from trainproof.simulator import Simulator

NOW = "2026-09-01T12:00:00Z"
XSS = '<img src=x onerror="document.title=1"><script>document.title="owned"</script>'

MA, MB = purchase(1, "Module A"), purchase(2, "Module B")
A = campaign(101, "Campaign A", [MA], start="2026-08-01", end="2026-09-30")
B = campaign(102, "Campaign B", [MB], start="2026-08-01", end="2026-09-30")
ADA = user(1, "Ada", "Astronaut", department="Eng")
WANDA = {**user(2, "Wanda", "Wizard", department="Eng"), "aliases": ["w.wizard@acme.example", "wanda@old.example"]}
SAM = user(3, "Sam", "Superhero", department="Sales")
MALLORY = {**user(4, "Mallory", XSS, department="Sales"), "email": "mallory@acme.example"}

TOML = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = [101, 102]

[trainings.hipaa]
title = "HIPAA Privacy and Security"
campaigns = [102]
"""

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
LOGIN_LINE = re.compile(r"^trainproof console: (http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)) ")


def _done(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any], day: str) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="Passed", started=day, completed=day)


def _todo(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any]) -> dict[str, Any]:
    return enrollment(eid, who, camp, mod, status="In Progress", started="2026-08-05")


def console_tenant(*, with_nia: bool = False) -> dict[str, Any]:
    """Ada and Mallory complete both campaigns (compliant for both trainings), Wanda only B, Sam neither;
    Mallory's B is dated before her enrollment (a `check` warning); `with_nia`: Nia is enrolled in
    Campaign A only and has completed it."""
    nia = user(5, "Nia", "Ninja", department="Ops")
    return tenant(
        users=[ADA, WANDA, SAM, MALLORY, *([nia] if with_nia else [])],
        store_purchases=[MA, MB],
        training_campaigns=[A, B],
        enrollments=[
            _done(11, ADA, A, MA, "2026-08-10"),
            _done(12, ADA, B, MB, "2026-08-12"),
            _todo(21, WANDA, A, MA),
            _done(22, WANDA, B, MB, "2026-08-11"),
            _todo(31, SAM, A, MA),
            _todo(32, SAM, B, MB),
            _done(41, MALLORY, A, MA, "2026-08-20"),
            # dated before her enrollment: counted, and named by `check`
            enrollment(
                42, MALLORY, B, MB, status="Passed", enrolled="2026-08-25", started="2026-08-21", completed="2026-08-21"
            ),
            *([_done(51, nia, A, MA, "2026-08-25")] if with_nia else []),
        ],
    )


class World:
    """The store a console serves, and the CLI against the same store and clock."""

    def __init__(self, sim: Simulator, root: Path, toml: str = TOML) -> None:
        self.sim = sim
        self.root = root
        self.config = root / "trainproof.toml"
        self.config.write_text(toml, encoding="utf-8")
        self.env = {
            "KNOWBE4_BASE_URL": sim.base_url,
            "KNOWBE4_API_KEY": sim.token,
            "TRAINPROOF_CONFIG": str(self.config),
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
            "TRAINPROOF_STATE_DIR": str(root / "state"),
            "TRAINPROOF_NO_KEYRING": "1",
            "TRAINPROOF_NOW": NOW,
        }

    def run(self, *args: str, ok: bool = True) -> CliResult:
        result = in_process(list(args), self.env, cwd=self.root)
        if ok:
            assert result.code == 0, f"{args}: {result.stderr}"
        return result


@dataclass
class Served:
    """A running `trainproof serve`: the printed sign-in link, its port and token, the process."""

    login_url: str
    port: int
    token: str
    proc: subprocess.Popen[str]
    stderr: list[str]  # filled by a thread; complete once `stop_console` returned
    drain: threading.Thread | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Place(Protocol):
    """Where a console runs: its environment (store, configuration, tokens, clock) and folder."""

    @property
    def env(self) -> dict[str, str]: ...

    @property
    def root(self) -> Path: ...


def start_console(world: Place, *args: str, timeout: float = 60.0) -> Served:
    """`python -m trainproof serve --port 0 ARGS`, waiting for its one stdout line."""
    env = {**os.environ, **world.env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trainproof", "serve", "--port", "0", *args],
        env=env,
        cwd=world.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.extend(proc.stderr or ()), daemon=True)
    drain.start()
    box: dict[str, str] = {}
    reader = threading.Thread(target=lambda: box.setdefault("line", proc.stdout.readline() if proc.stdout else ""))
    reader.start()
    reader.join(timeout)
    line = box.get("line", "")
    found = LOGIN_LINE.match(line)
    if found is None:
        stop_console(Served("", 0, "", proc, errors, drain))
        raise AssertionError(f"no sign-in line from `trainproof serve`: {line!r}; stderr: {''.join(errors)}")
    return Served(found.group(1), int(found.group(2)), found.group(3), proc, errors, drain)


def stop_console(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()
    if served.drain is not None:
        served.drain.join(timeout=10)
    for stream in (served.proc.stdout, served.proc.stderr):
        if stream is not None:
            stream.close()
