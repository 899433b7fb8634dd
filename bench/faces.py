"""Benchmark: what a person waits for at trainproof's faces, each figure beside its baseline in one run.

Sections (all by default, or the ones named with --sections):

- **startup**: the median of `--runs` starts (15 by default) of `trainproof --help`, `trainproof --version`
  and `trainproof status --help`, each a fresh process of the installed `trainproof` script, beside
  `python -c pass`. Runs alternate between the commands, so all see the same background load. Wall
  time includes starting the interpreter; CPU is the child's user + system time (from `wait4`), the
  steadier figure on a shared machine. Goals: `--help` at most 10x bare Python, `CMD --help` at
  most 2x `--help`.

    .venv/bin/python bench/faces.py
    .venv/bin/python bench/faces.py --sections startup --runs 31

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


def options() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated: {', '.join(SECTIONS)}")
    parser.add_argument("--runs", type=int, default=15, help="startup: runs per command (median)")
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
