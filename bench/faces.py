"""Benchmark: what a person waits for at trainproof's faces, each figure beside its baseline in one run.

Sections (all by default, or the ones named with --sections):

- **startup**: the median of `--runs` starts (15 by default) of `trainproof --help`, `trainproof --version`
  and `trainproof status --help`, each a fresh process of the installed `trainproof` script, beside
  `python -c pass`. Runs alternate between the commands, so all see the same background load. Wall
  time includes starting the interpreter; CPU is the child's user + system time (from `wait4`), the
  steadier figure on a shared machine. Goals: `--help` at most 10x bare Python, `CMD --help` at
  most 2x `--help`.

- **console**: `trainproof serve` over the same store: overview, a filtered people page and a person
  page, 50 HTTP requests each after one that judges the store (p50/p95), beside the same people query
  through the CLI. Goal: p95 under 150 ms for people and person pages.

- **people**: a `--users` (50,000) simulated tenant synced into SQLite, with the sticky records a
  nightly run keeps (`--store DIR` keeps it for the next run). `trainproof status`,
  `people --format json` and `people --training hipaa --state incomplete --limit 50`, each a fresh
  process run `--repeat` times (median wall and CPU, peak memory from `wait4`, lines written), and
  `people --format json` beside the plain in-memory evaluation of the same facts (`evaluate` and
  `answers()`, the facts loaded beforehand). Goals: status <= 2 s and <= 40 lines; people json
  <= 5x the plain pass and under 400 MB.

- **reports**: every `report` subcommand (`--format json`, and `report html`) on the same store, each a
  fresh process run `--repeat` times alternating with `people --format json`: median wall and CPU,
  peak memory, and each beside `people --format json` (goal: at most 2x). `report new-hires` asks about
  the "New Hire Onboarding" campaign, whose enrollments a sync of the selected campaigns leaves out.

    .venv/bin/python bench/faces.py
    .venv/bin/python bench/faces.py --sections startup --runs 31
    .venv/bin/python bench/faces.py --sections people --store /tmp/faces-50k
    .venv/bin/python bench/faces.py --sections reports --store /tmp/faces-50k --repeat 1

To add a section: write `def my_section(args: argparse.Namespace) -> None` that prints its lines,
decorate it with `@section("name")`, and add any option it needs in `options()`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

PYTHON = sys.executable
SECTIONS: dict[str, Callable[[argparse.Namespace], None]] = {}


def section(name: str) -> Callable[[Callable[[argparse.Namespace], None]], Callable[[argparse.Namespace], None]]:
    """Register a section under `name`; sections run in the order they are defined."""

    def register(run: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
        SECTIONS[name] = run
        return run

    return register


def trainproof_command() -> list[str]:
    """The `trainproof` script a user runs (beside this Python), else `python -m trainproof`."""
    script = Path(PYTHON).parent / "trainproof"
    return [str(script)] if script.exists() else [PYTHON, "-m", "trainproof"]


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


@dataclass
class Timed:
    """One process run: wall seconds (fork to exit) and CPU seconds (the child's user + system)."""

    wall: float
    cpu: float


def run_once(argv: list[str]) -> Timed:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return Timed(wall, usage.ru_utime + usage.ru_stime)


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, Timed]:
    """The median wall and CPU time of each command over `runs` rounds, the commands alternating."""
    times: dict[str, list[Timed]] = {label: [] for label in commands}
    for argv in commands.values():  # one unmeasured round: the page cache holds every file after it
        run_once(argv)
    for _ in range(runs):
        for label, argv in commands.items():
            times[label].append(run_once(argv))
    return {
        label: Timed(statistics.median(t.wall for t in ts), statistics.median(t.cpu for t in ts))
        for label, ts in times.items()
    }


def goal(ratio: float, limit: float) -> str:
    return f"goal <= {limit:g}x: {'met' if ratio <= limit else 'missed'}"


@section("startup")
def startup(args: argparse.Namespace) -> None:
    tp = trainproof_command()
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "trainproof --help": [*tp, "--help"],
        "trainproof --version": [*tp, "--version"],
        "trainproof status --help": [*tp, "status", "--help"],
    }
    before = load()
    m = medians(commands, args.runs)
    base, help_ = m["python -c pass"], m["trainproof --help"]
    print(
        f"startup: median of {args.runs} runs each, alternating; load average (1 min) {before} before, {load()} after"
    )
    print(f"  {'':28} {'wall ms':>8} {'CPU ms':>8} {'/ pass':>7} {'/ --help':>9}  (ratios of wall time)")
    for label, t in m.items():
        vs_pass = f"{t.wall / base.wall:.1f}x"
        vs_help = f"{t.wall / help_.wall:.2f}x" if label != "python -c pass" else ""
        print(f"  {label:28} {t.wall * 1000:8.0f} {t.cpu * 1000:8.0f} {vs_pass:>7} {vs_help:>9}")
    ratio = help_.wall / base.wall
    cpu_ratio = help_.cpu / base.cpu
    print(f"  --help / python -c pass: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU ({goal(ratio, 10)})")
    for label in ("trainproof --version", "trainproof status --help"):
        r, cpu = m[label].wall / help_.wall, m[label].cpu / help_.cpu
        print(f"  {label.removeprefix('trainproof ')} / --help: {r:.2f}x wall, {cpu:.2f}x CPU ({goal(r, 2)})")


PEOPLE_TOML = """
[knowbe4.limits]          # client pacing off: the simulator's limits are off too
per_second = 10000
per_minute = 1000000
daily_base = 1000000

[trainings.security_awareness]
title = "Security Awareness Training"
campaigns = ["Security Awareness 2026 - Part A", "Security Awareness 2026 - Part B"]
renew_every_days = 365
new_hire_grace_days = 30

[trainings.hipaa]
title = "HIPAA Privacy and Security"
campaigns = ["HIPAA Privacy and Security 2026"]
renew_every_days = 365
new_hire_grace_days = 30

[trainings.ai_awareness]
title = "AI Awareness"
campaigns = ["AI Acceptable Use 2026"]
"""


def tenant_store(args: argparse.Namespace) -> dict[str, str]:
    """A synced store of an `--users` tenant with the sticky records a nightly run keeps, and the environment
    that points trainproof at it. Kept in `--store` (reused when it holds one) or a new temporary folder."""
    import tempfile

    directory = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="trainproof-bench-faces-"))
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "trainproof.toml"
    env = {
        **os.environ,
        "TRAINPROOF_CONFIG": str(config),
        "TRAINPROOF_DATABASE_URL": f"sqlite:///{directory / 'store.db'}",
        "TRAINPROOF_STATE_DIR": str(directory / "state"),
        "TRAINPROOF_NO_KEYRING": "1",
    }
    if (directory / "store.db").exists():
        print(f"  store: reusing {directory / 'store.db'}")
        return env
    from trainproof.config import load_settings
    from trainproof.judging import keep_after_sync
    from trainproof.simulator import Simulator, generate_tenant
    from trainproof.sync import run_sync

    config.write_text(PEOPLE_TOML, encoding="utf-8")
    started = time.perf_counter()
    tenant = generate_tenant(args.users, seed=1)
    with Simulator(tenant, limits="off") as sim:
        settings = load_settings(config, env={**env, "KNOWBE4_API_KEY": sim.token, "KNOWBE4_BASE_URL": sim.base_url})
        report = run_sync(settings)
    _, kept, _ = keep_after_sync(settings, actor="bench")
    print(f"  store: {report.summary()}; {kept:,} sticky records kept ({time.perf_counter() - started:.0f} s)")
    return env


@dataclass
class Measured:
    """One command: wall seconds, CPU seconds, peak memory (max RSS, MB), lines written."""

    wall: float
    cpu: float
    peak_mb: float
    lines: int


def measure(argv: list[str], env: dict[str, str]) -> Measured:
    """Run one process to the end (its output counted, then dropped) and read its peak memory from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: proc.stdout.read(1 << 16), b""))  # type: ignore[union-attr]
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err.decode().strip()}")
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines)


def plain_pass(env: dict[str, str], runs: int) -> tuple[Timed, int]:
    """The same decisions as a plain in-memory evaluation: the facts loaded beforehand, then `evaluate` and
    `answers()` (one (user, training, state, since, late) tuple per row), best of `runs`. Returns (wall and CPU
    seconds, rows)."""
    from trainproof.compliance.engine import evaluate
    from trainproof.compliance.trainings import resolve_campaigns
    from trainproof.config import load_settings
    from trainproof.judging import configured_trainings
    from trainproof.store import load_facts, open_store

    settings = load_settings(Path(env["TRAINPROOF_CONFIG"]), env=env)
    engine = open_store(settings.database_url)
    with engine.connect() as conn:
        facts = load_facts(conn, include_removed=True)
    engine.dispose()
    policy = resolve_campaigns(configured_trainings(settings), list(facts.campaigns))
    now = datetime.now(UTC)
    best, rows = Timed(float("inf"), float("inf")), 0
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        answers = evaluate(facts.people, facts.campaigns, facts.enrollments, policy, facts.sticky, now).answers()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        best, rows = Timed(min(best.wall, wall), min(best.cpu, cpu)), len(answers)
    return best, rows


@section("people")
def people(args: argparse.Namespace) -> None:
    """status, people --format json and a filtered page at --users people, each a fresh process."""
    print(f"people: {args.users:,}-user simulated tenant; load average (1 min) {load()} before")
    env = tenant_store(args)
    tp = trainproof_command()
    commands = {
        "status": [*tp, "status"],
        "people --format json": [*tp, "people", "--format", "json"],
        "people --training hipaa --state incomplete --limit 50": [
            *tp, "people", "--training", "hipaa", "--state", "incomplete", "--limit", "50",
        ],
    }  # fmt: skip
    results: dict[str, list[Measured]] = {label: [] for label in commands}
    for _ in range(args.repeat):  # alternating, so every command sees the same background load
        for label, argv in commands.items():
            results[label].append(measure(argv, {**env, "COLUMNS": "80"}))
    plain, rows = plain_pass(env, args.repeat)
    print(f"  {'':56} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'lines':>8}  (median of {args.repeat})")
    median: dict[str, Measured] = {}
    for label, ms in results.items():
        m = median[label] = Measured(
            statistics.median(x.wall for x in ms),
            statistics.median(x.cpu for x in ms),
            max(x.peak_mb for x in ms),
            ms[0].lines,
        )
        print(f"  {label:56} {m.wall:7.2f} {m.cpu:6.2f} {m.peak_mb:8.0f} {m.lines:8,}")
    label = "plain in-memory evaluation (evaluate + answers), best"
    print(f"  {label:56} {plain.wall:7.2f} {plain.cpu:6.2f} {'':>8} {rows:8,}")
    status, listing = median["status"], median["people --format json"]
    ratio = listing.wall / plain.wall
    print(f"  status: {status.wall:.2f} s wall, {status.cpu:.2f} s CPU, {status.lines} lines (goal <= 2 s and <= 40 "
          f"lines: {'met' if status.wall <= 2 and status.lines <= 40 else 'missed'})")  # fmt: skip
    cpu_ratio = listing.cpu / plain.cpu
    print(f"  people --format json / plain pass: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU ({goal(ratio, 5)}); "
          f"peak {listing.peak_mb:.0f} MB (goal < 400 MB: {'met' if listing.peak_mb < 400 else 'missed'})")  # fmt: skip
    print(f"  load average (1 min) {load()} after")


@section("console")
def console(args: argparse.Namespace) -> None:
    """The web console at --users people: overview, a filtered people page and a person page, 50 requests
    each over HTTP to `trainproof serve` (p50/p95, after one request that judges the store), beside the
    same filtered query through the CLI (a fresh process, median of --repeat)."""
    import re

    import httpx2

    print(f"console: {args.users:,}-user simulated tenant; load average (1 min) {load()} before")
    env = tenant_store(args)
    tp = trainproof_command()
    proc = subprocess.Popen([*tp, "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline().decode()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/\?token=\S+", line)
        if found is None:
            raise SystemExit(f"trainproof serve printed no sign-in link: {line!r}")
        with httpx2.Client(base_url=found.group(1), timeout=600, follow_redirects=True) as client:
            started = time.perf_counter()
            client.get(found.group(0)).raise_for_status()  # signs in; the overview judges the store once
            print(f"  first page (sign-in, judging the store): {time.perf_counter() - started:.2f} s")
            someone = client.get("/people.json", params={"limit": "1", "offset": "1000"}).json()[0]["user_id"]
            pages = {
                "overview /": "/",
                "people ?training=hipaa&state=incomplete": "/people?training=hipaa&state=incomplete",
                "people ?department=Engineering&sort=-since&offset=100": (
                    "/people?department=Engineering&sort=-since&offset=100"
                ),
                f"person /people/{someone}": f"/people/{someone}",
            }
            print(f"  {'':56} {'p50 ms':>7} {'p95 ms':>7}  (50 requests each)")
            for label, path in pages.items():
                times: list[float] = []
                for _ in range(50):
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    times.append((time.perf_counter() - started) * 1000)
                times.sort()
                p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
                goal_text = (
                    "" if label.startswith("overview") else f"  (goal p95 < 150 ms: {'met' if p95 < 150 else 'missed'})"
                )
                print(f"  {label:56} {p50:7.0f} {p95:7.0f}{goal_text}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    cli = [*tp, "people", "--training", "hipaa", "--state", "incomplete", "--limit", "50"]
    walls = [measure(cli, {**env, "COLUMNS": "80"}).wall for _ in range(args.repeat)]
    print(f"  {'the same people query through the CLI (fresh process)':56} {statistics.median(walls) * 1000:7.0f}")
    print(f"  load average (1 min) {load()} after")


REPORTS = ("campaigns", "departments", "overdue", "reminders", "remediation", "new-hires", "quarterly", "accounts")


@section("reports")
def reports(args: argparse.Namespace) -> None:
    """Every `report` subcommand at --users people beside `people --format json` on the same store, each a
    fresh process run --repeat times, alternating (median wall and CPU, peak memory from wait4)."""
    import tempfile

    print(f"reports: {args.users:,}-user simulated tenant; load average (1 min) {load()} before")
    env = tenant_store(args)
    # The same store and trainings, with the onboarding campaign `report new-hires` asks about.
    work = Path(tempfile.mkdtemp(prefix="trainproof-bench-reports-"))
    config = work / "trainproof.toml"
    base = Path(env["TRAINPROOF_CONFIG"]).read_text(encoding="utf-8")
    config.write_text(base + '\n[onboarding]\ncampaigns = ["New Hire Onboarding"]\n', encoding="utf-8")
    env = {**env, "TRAINPROOF_CONFIG": str(config), "COLUMNS": "80"}
    tp = trainproof_command()
    commands = {"people --format json": [*tp, "people", "--format", "json"]}
    commands |= {f"report {name} --format json": [*tp, "report", name, "--format", "json"] for name in REPORTS}
    commands["report html"] = [*tp, "report", "html", "--out", str(work / "report.html")]
    results: dict[str, list[Measured]] = {label: [] for label in commands}
    for _ in range(args.repeat):  # alternating, so every command sees the same background load
        for label, argv in commands.items():
            results[label].append(measure(argv, env))
    median = {
        label: Measured(
            statistics.median(x.wall for x in ms),
            statistics.median(x.cpu for x in ms),
            max(x.peak_mb for x in ms),
            ms[0].lines,
        )
        for label, ms in results.items()
    }
    people = median["people --format json"]
    print(f"  {'':36} {'wall s':>7} {'CPU s':>6} {'peak MB':>8} {'lines':>9} {'wall/people':>12} {'CPU/people':>11}")
    for label, m in median.items():
        ratios = "" if m is people else f"{m.wall / people.wall:11.2f}x {m.cpu / people.cpu:10.2f}x"
        print(f"  {label:36} {m.wall:7.2f} {m.cpu:6.2f} {m.peak_mb:8.0f} {m.lines:9,} {ratios}")
    ratio, slowest = max((m.wall / people.wall, label) for label, m in median.items() if m is not people)
    print(f"  slowest: {slowest}, {ratio:.2f}x people --format json ({goal(ratio, 2)}; median of {args.repeat})")
    print(f"  load average (1 min) {load()} after")


def options() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--runs", type=int, default=15, help="startup: runs per command (median)")
    parser.add_argument("--users", type=int, default=50_000, help="people: people in the simulated tenant")
    parser.add_argument("--store", help="people: folder to keep (and reuse) the synced store in")
    parser.add_argument("--repeat", type=int, default=3, help="people: runs per command (median)")
    return parser


def main() -> None:
    args = options().parse_args()
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load()} at start; Python {platform.python_version()}")
    for name in chosen:
        SECTIONS[name](args)


if __name__ == "__main__":
    main()
