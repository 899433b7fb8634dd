"""`trainproof demo` end to end, as a user runs it: a subprocess, no key, no network beyond 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path


def test_demo_runs_the_whole_flow(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBE4_")}
    env["TRAINPROOF_STATE_DIR"] = str(tmp_path / "state")
    proc = subprocess.run(
        [sys.executable, "-m", "trainproof", "demo", "--users", "40", "--seed", "3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "synced" in out
    assert "(minimum" in out
    assert "Compliance as of" in out
    assert "Try next" in out
    demo = tmp_path / "trainproof-demo"
    certs = list((demo / "certificates").glob("*.pdf"))
    assert certs, "no certificate written"
    assert all(p.read_bytes().startswith(b"%PDF") for p in certs)
    pack = demo / "evidence-security_awareness.zip"
    with zipfile.ZipFile(pack) as zf:
        names = set(zf.namelist())
    assert {"population.csv", "completions.csv", "exceptions.csv", "manifest.json"} <= names
    assert "verify: ok" in out
    html = (demo / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html

    # The demo's store answers the commands it suggests.
    status = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainproof",
            "--config",
            "trainproof-demo/trainproof.toml",
            "status",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    assert '"state"' in status.stdout
    verify = subprocess.run(
        [sys.executable, "-m", "trainproof", "evidence", "verify", str(pack)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
