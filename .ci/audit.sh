#!/usr/bin/env bash
# Known vulnerabilities in the installed dependencies (issue 7).
#
# 1. pip-audit on the installed environment (.venv, or AUDIT_PYTHON). It asks PyPI's per-version JSON
#    API; where that answers 404 (some networks and mirrors), pip-audit skips every package and still
#    says "No known vulnerabilities found", so its JSON report is read, not its exit code.
# 2. Every package pip-audit could not audit is looked up in PyPI's project JSON
#    (https://pypi.org/pypi/<name>/json), whose `vulnerabilities` are those of the LATEST release:
#    when the installed version is the latest, that is an audit; otherwise the package is listed as
#    not audited, with both versions.
#
# Exit 1 when a vulnerability is known for an installed version; exit 0 otherwise, listing what could
# not be audited and why. A network that blocks the audit is reported, never a CI failure by itself.
# Bounded: pip-audit 25 s, the lookups 25 s (16 at a time, 5 s each).
# Env: AUDIT_PYTHON (default .venv/bin/python), PYPI_JSON_URL (default https://pypi.org/pypi),
#      AUDIT_SKIP_PIP_AUDIT=1 (go straight to the lookups).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${AUDIT_PYTHON:-.venv/bin/python}
if [ ! -x "$PY" ]; then
  echo "audit: $PY not found; create the environment first (python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')" >&2
  exit 1
fi

"$PY" - <<'PYEOF'
import concurrent.futures as cf
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import metadata

PIP_AUDIT_TIMEOUT_S = 25.0
LOOKUP_BUDGET_S = 25.0
LOOKUP_TIMEOUT_S = 5.0
BASE = os.environ.get("PYPI_JSON_URL", "https://pypi.org/pypi").rstrip("/")


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def editable(dist: metadata.Distribution) -> bool:
    text = dist.read_text("direct_url.json") or "{}"
    try:
        return bool(json.loads(text).get("dir_info", {}).get("editable"))
    except ValueError:
        return False


installed: dict[str, str] = {}
local: list[str] = []
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if not name:
        continue
    if editable(dist):
        local.append(name)  # the project itself: not a dependency to audit
        continue
    installed[norm(name)] = dist.version

vulnerable: list[str] = []
audited: set[str] = set()
why_fallback = ""

# 1. pip-audit --------------------------------------------------------------------------------------
if os.environ.get("AUDIT_SKIP_PIP_AUDIT") == "1":
    why_fallback = "pip-audit skipped (AUDIT_SKIP_PIP_AUDIT=1)"
else:
    cmd = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--skip-editable"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_AUDIT_TIMEOUT_S)
        report = json.loads(proc.stdout or "{}")
    except subprocess.TimeoutExpired:
        report, why_fallback = {}, f"pip-audit did not finish within {PIP_AUDIT_TIMEOUT_S:g} s"
    except (OSError, ValueError) as exc:
        report, why_fallback = {}, f"pip-audit could not run or its report was unreadable ({exc})"
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in deps:
        if dep.get("skip_reason"):
            continue
        audited.add(norm(dep["name"]))
        for vuln in dep.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            vulnerable.append(f"{dep['name']} {dep.get('version', '?')}: {vuln.get('id')} (fixed in {fixes})")
    if deps:
        print(f"pip-audit: audited {len(deps) - len(skipped)} of {len(deps)} packages")
        if skipped and not why_fallback:
            reasons = sorted({re.sub(r":.*", "", d["skip_reason"]) for d in skipped})
            why_fallback = f"pip-audit skipped {len(skipped)} package(s): {'; '.join(reasons)}"
    elif not why_fallback:
        why_fallback = f"pip-audit reported nothing (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"

# 2. PyPI's project JSON for whatever pip-audit could not audit ---------------------------------------
todo = sorted(set(installed) - audited)
not_audited: list[str] = []
unreachable: list[str] = []
if todo:
    print(f"audit: {why_fallback}; looking up {len(todo)} package(s) in {BASE}/<name>/json")


def lookup(name: str) -> tuple[str, object]:
    url = f"{BASE}/{name}/json"
    try:
        with urllib.request.urlopen(url, timeout=LOOKUP_TIMEOUT_S) as resp:  # noqa: S310 - https to PyPI, or a test URL
            return name, json.load(resp)
    except urllib.error.HTTPError as exc:
        return name, exc.code
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        return name, str(getattr(exc, "reason", exc))


start = time.monotonic()
pool = cf.ThreadPoolExecutor(max_workers=16)
futures = [pool.submit(lookup, name) for name in todo]
try:
    for future in cf.as_completed(futures, timeout=LOOKUP_BUDGET_S):
        name, data = future.result()
        version = installed[name]
        if isinstance(data, int):
            not_audited.append(f"{name} {version}: PyPI answered {data}" + (" (not published there)" if data == 404 else ""))
            continue
        if isinstance(data, str):
            unreachable.append(f"{name} {version}: {data}")
            continue
        latest = str(data.get("info", {}).get("version", "?"))
        vulns = [v for v in data.get("vulnerabilities", []) or [] if not v.get("withdrawn")]
        if latest != version:
            note = f"; the latest release has {len(vulns)} known advisory(ies)" if vulns else ""
            not_audited.append(f"{name} {version}: installed is not the latest ({latest}){note}")
            continue
        audited.add(name)
        for v in vulns:
            ids = ", ".join([v.get("id", "?"), *v.get("aliases", [])])
            fixes = ", ".join(v.get("fixed_in", []) or []) or "no fixed version yet"
            vulnerable.append(f"{name} {version}: {ids} (fixed in {fixes}) {v.get('link', '')}".rstrip())
except cf.TimeoutError:
    done = {f.result()[0] for f in futures if f.done()}
    unreachable += [f"{n} {installed[n]}: no answer within the {LOOKUP_BUDGET_S:g} s budget" for n in todo if n not in done]
finally:
    pool.shutdown(wait=False, cancel_futures=True)

# 3. Report ----------------------------------------------------------------------------------------
total = len(installed)
print(f"audit: {len(audited)} of {total} installed packages audited ({', '.join(local) or 'no'} editable project skipped)")
if not_audited:
    print(f"audit: {len(not_audited)} package(s) could not be audited:")
    for line in sorted(not_audited):
        print(f"  - {line}")
if unreachable:
    print(f"audit: {len(unreachable)} package(s) not checked, PyPI unreachable (not a CI failure):")
    for line in sorted(unreachable)[:10]:
        print(f"  - {line}")
    if len(unreachable) > 10:
        print(f"  - ... and {len(unreachable) - 10} more")
if vulnerable:
    print(f"audit: FAILED, {len(vulnerable)} known vulnerability(ies) in installed versions:")
    for line in sorted(vulnerable):
        print(f"  - {line}")
    sys.exit(1)
if not audited:
    print("audit: nothing could be audited (see above); not failing CI for a blocked network")
else:
    print(f"audit: no known vulnerability in the {len(audited)} audited package(s)")
PYEOF
