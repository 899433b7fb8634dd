""".ci/audit.sh decides honestly, offline: a local stand-in for PyPI's project JSON and for pip-audit.

- pip-audit that skipped everything (what this network gives: "not found on PyPI") is not taken for a
  clean audit: the script falls back to the project JSON;
- an installed version with an advisory fails the audit (exit 1) and names it;
- a package whose installed version is not the latest, or that PyPI does not know, is listed as not
  audited; an unreachable PyPI is reported and does not fail CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "audit.sh"


def _installed() -> dict[str, str]:
    import re

    return {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version for d in metadata.distributions()}


class _FakePyPI(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        name = self.path.strip("/").split("/")[-2]  # /pypi/<name>/json
        answer = self.answers.get(name)
        if answer is None:
            self.send_response(404)
            self.end_headers()
            return
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def pypi() -> Iterator[tuple[str, dict[str, Any]]]:
    installed = _installed()
    answers: dict[str, Any] = {n: {"info": {"version": v}, "vulnerabilities": []} for n, v in installed.items()}
    handler = type("Handler", (_FakePyPI,), {"answers": answers})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi", answers
    finally:
        server.shutdown()
        server.server_close()


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, "AUDIT_PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=90,
        cwd=ROOT,
    )


def test_vulnerable_installed_version_fails_and_not_audited_ones_are_listed(
    pypi: tuple[str, dict[str, Any]],
) -> None:
    url, answers = pypi
    answers["rich"] = {
        "info": {"version": metadata.version("rich")},
        "vulnerabilities": [
            {"id": "GHSA-test-0001", "aliases": ["CVE-2099-0001"], "fixed_in": ["99.0"], "link": "https://osv.dev/x"},
            {"id": "GHSA-gone", "aliases": [], "fixed_in": [], "withdrawn": "2026-01-01T00:00:00Z"},
        ],
    }
    answers["click"] = {"info": {"version": "999.0"}, "vulnerabilities": [{"id": "GHSA-new"}]}
    del answers["idna"]
    result = _run({"PYPI_JSON_URL": url, "AUDIT_SKIP_PIP_AUDIT": "1"})
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "FAILED, 1 known vulnerability" in out
    assert f"rich {metadata.version('rich')}: GHSA-test-0001, CVE-2099-0001 (fixed in 99.0)" in out
    assert "GHSA-gone" not in out  # withdrawn
    assert f"click {metadata.version('click')}: installed is not the latest (999.0)" in out
    assert "the latest release has 1 known advisory" in out
    assert f"idna {metadata.version('idna')}: PyPI answered 404 (not published there)" in out


def test_pip_audit_that_skipped_everything_is_not_a_clean_audit(
    pypi: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, _ = pypi
    fake = tmp_path / "pip_audit"
    fake.mkdir()
    skipped = [
        {"name": n, "skip_reason": f"Dependency not found on PyPI and could not be audited: {n} ({v})"}
        for n, v in _installed().items()
    ]
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text(
        f"import sys\nsys.stdout.write({json.dumps(json.dumps({'dependencies': skipped}))})\n"
        "sys.stderr.write('No known vulnerabilities found\\n')\n"
    )
    result = _run({"PYPI_JSON_URL": url, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip-audit: audited 0 of" in result.stdout
    assert "Dependency not found on PyPI and could not be audited" in result.stdout  # the reason, said once
    assert "no known vulnerability in the" in result.stdout
    assert "audit: 0 of" not in result.stdout  # the fallback did audit them


def test_an_unreachable_pypi_is_reported_not_failed() -> None:
    result = _run({"PYPI_JSON_URL": "http://127.0.0.1:9/pypi", "AUDIT_SKIP_PIP_AUDIT": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PyPI unreachable (not a CI failure)" in result.stdout
    assert "nothing could be audited" in result.stdout
