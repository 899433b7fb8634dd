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
    story = proc.err_lines + proc.out_lines
    assert len(story) <= 40, "\n".join(story)  # the whole story, stderr included, fits a screen
    assert "synced" in out
    assert "(minimum" in out
    assert "Compliance as of" in out
    for title in ("Security Awareness Training", "HIPAA Privacy and Security", "AI Awareness"):
        assert title in out  # a headline line per training
    for written in ("certificates/", "evidence-security_awareness.zip", "report.html"):
        assert written in out  # the files it wrote
    assert "Try next" in out
    tries = [line.strip() for line in proc.out_lines if line.startswith("  trainproof --config")]
    assert [t.split(" ", 3)[3] for t in tries] == [
        "status",
        "people --training hipaa --state incomplete",
        "report overdue",
    ]
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
    for suggested in tries:
        args = suggested.split()[1:]
        answer = in_process(args, env, cwd=tmp_path)
        assert answer.code == 0, f"{suggested}: {answer.stderr}"
        assert answer.stdout.strip(), suggested
    status = in_process(
        ["--config", "trainproof-demo/trainproof.toml", "people", "--format", "json"], env, cwd=tmp_path
    )
    assert status.code == 0, status.stderr
    assert '"state"' in status.stdout
    verify = in_process(["evidence", "verify", str(pack)], env, cwd=tmp_path)
    assert verify.code == 0, verify.stdout + verify.stderr
