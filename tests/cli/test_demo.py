"""`trainproof demo` end to end, as a user runs it: no key, no network beyond 127.0.0.1."""

from __future__ import annotations

import zipfile
from pathlib import Path

from running import in_process


def test_demo_runs_the_whole_flow(tmp_path: Path) -> None:
    env = {"TRAINPROOF_STATE_DIR": str(tmp_path / "state")}
    proc = in_process(["demo", "--users", "40", "--seed", "3"], env, cwd=tmp_path, timeout=180)
    assert proc.code == 0, proc.stderr
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
    status = in_process(
        ["--config", "trainproof-demo/trainproof.toml", "people", "--format", "json"], env, cwd=tmp_path
    )
    assert status.code == 0, status.stderr
    assert '"state"' in status.stdout
    verify = in_process(["evidence", "verify", str(pack)], env, cwd=tmp_path)
    assert verify.code == 0, verify.stdout + verify.stderr
