"""Benchmark: many KnowBe4 accounts under KnowBe4's limits: `sync --all` in one process, then workers.

Part 1 starts one simulator per account (100 by default, 200 to 2,000 users, evenly spread), all with
KnowBe4's real limits (4/s, 50/min per token, the lockout, the daily quota) shrunk by `--time-scale`,
in a process of their own; then runs `trainproof sync --all --format json` in another process into a
fresh SQLite store, with the client's pacing scaled the same way. It prints the requests made against
the sum of each account's minimum (goal: ratio 1.00), the 429s the simulators answered (goal: 0), and
the wall time against the slowest account's rate-limit bound: the least time KnowBe4's limits allow
for that account's requests (goal: close to it, far below the sum of all accounts' bounds).

Part 2 (with `--db postgresql+psycopg://...`): for 1, 2 and 4 `trainproof worker` processes, a fresh
PostgreSQL schema, `worker --init`, `enqueue sync --all` for `--worker-accounts` of the accounts, and
the time until every account is synced: accounts per minute per worker count.

    .venv/bin/python bench/accounts.py --db "$(bash .ci/postgres.sh)"
    .venv/bin/python bench/accounts.py --accounts 10 --time-scale 0.1          # a quick run, part 1 only
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PYTHON = sys.executable
PER_SECOND, PER_MINUTE = 4, 50


def sizes_for(accounts: int, low: int, high: int) -> list[int]:
    """`accounts` tenant sizes from `low` to `high` users, evenly spread (deterministic)."""
    if accounts == 1:
        return [high]
    return [round(low + (high - low) * i / (accounts - 1)) for i in range(accounts)]


def rate_bound_s(requests: int, time_scale: float) -> float:
    """The least time KnowBe4's limits allow for `requests` requests of one token: 50 in any minute, 4 in
    any second, so request k (from 0) goes out no sooner than 60 * (k // 50) + (k % 50) / 4 seconds."""
    if requests <= 1:
        return 0.0
    k = requests - 1
    return (60.0 * (k // PER_MINUTE) + (k % PER_MINUTE) / PER_SECOND) * time_scale


# --- the simulators, in a process of their own --------------------------------------------------------


def host_simulators(sizes: list[int], time_scale: float, conn: multiprocessing.connection.Connection) -> None:
    """Serve one simulated account per size until told to stop; answer stats and reset requests."""
    from trainproof.simulator import Simulator, generate_tenant

    sims = [
        Simulator(generate_tenant(n, seed=1000 + i), token=f"bench-token-{i}", limits="real", time_scale=time_scale)
        for i, n in enumerate(sizes)
    ]
    for sim in sims:
        sim.start()
    conn.send([(sim.base_url, sim.tenant.count("enrollments")) for sim in sims])
    while True:
        command = conn.recv()
        if command == "stats":
            conn.send([(sim.stats.count(), sim.stats.count(status=429)) for sim in sims])
        elif command == "cpu":
            import resource

            usage = resource.getrusage(resource.RUSAGE_SELF)
            conn.send(usage.ru_utime + usage.ru_stime)
        elif command == "reset":
            for sim in sims:
                sim.reset()
            conn.send("ok")
        else:
            for sim in sims:
                sim.stop()
            conn.send("stopped")
            return


class Simulators:
    def __init__(self, sizes: list[int], time_scale: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=host_simulators, args=(sizes, time_scale, child), daemon=True)
        self.proc.start()
        served: list[tuple[str, int]] = self.conn.recv()
        self.urls = [u for u, _ in served]
        self.enrollments = [n for _, n in served]

    def ask(self, command: str) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        self.ask("stop")
        self.proc.join(30)


# --- configuration and processes -----------------------------------------------------------------------


def write_config(
    root: Path, urls: list[str], time_scale: float, only: list[int] | None = None
) -> tuple[Path, dict[str, str]]:
    """[accounts.NAME] per simulator (or those of `only`); the tokens in the environment, as an operator keeps them."""
    lines = [f"[knowbe4.limits]\ntime_scale = {time_scale}\n"]
    env: dict[str, str] = {}
    for i in only if only is not None else range(len(urls)):
        name, url = f"customer-{i:03d}", urls[i]
        var = f"KNOWBE4_API_KEY__CUSTOMER_{i:03d}"
        lines.append(f'[accounts.{name}]\nbase_url = "{url}"\ntoken_env = "{var}"\n')
        env[var] = f"bench-token-{i}"
    config = root / "trainproof.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config, env


def base_env(root: Path, config: Path, tokens: dict[str, str], store: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KNOWBE4_", "TRAINPROOF_"))}
    env.update(tokens)
    env.update(
        TRAINPROOF_CONFIG=str(config),
        TRAINPROOF_DATABASE_URL=store,
        TRAINPROOF_STATE_DIR=str(root / f"state-{uuid.uuid4().hex[:8]}"),
        TRAINPROOF_NO_KEYRING="1",
    )
    return env


def cpu_of_children() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- part 1: sync --all ----------------------------------------------------------------------------------


def part_one(sims: Simulators, sizes: list[int], time_scale: float, concurrency: int, root: Path) -> None:
    config, tokens = write_config(root, sims.urls, time_scale)
    env = base_env(root, config, tokens, f"sqlite:///{root / 'accounts.db'}")
    cpu0, sim_cpu0 = cpu_of_children(), sims.ask("cpu")
    t0 = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "trainproof", "sync", "--all", "--format", "json", "--concurrency", str(concurrency)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - t0
    cpu = cpu_of_children() - cpu0
    sim_cpu = sims.ask("cpu") - sim_cpu0
    if not done.stdout.strip():
        sys.exit(f"sync --all printed nothing: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    served = sims.ask("stats")
    accounts = report["accounts"]
    failed = [a["account"] for a in accounts if a["outcome"] != "ok"]
    requests = sum(a["report"]["requests"] for a in accounts if a["report"])
    minimum = sum(a["report"]["minimum_requests"] for a in accounts if a["report"])
    bounds = [rate_bound_s(a["report"]["requests"], time_scale) for a in accounts if a["report"]]
    durations = [a["duration_s"] for a in accounts]
    slowest = max(range(len(bounds)), key=lambda i: bounds[i])
    enrollments = sum(a["report"]["enrollments"] for a in accounts if a["report"])
    print(f"sync --all: {len(accounts)} accounts of {min(sizes):,}-{max(sizes):,} users, concurrency {concurrency}")
    print(f"  synced {len(accounts) - len(failed)} of {len(accounts)}; failed: {', '.join(failed) or 'none'}")
    print(f"  enrollments stored {enrollments:,} (simulators hold {sum(sims.enrollments):,})")
    retried = sum(a["report"]["retries"] for a in accounts if a["report"])
    print(
        f"  requests {requests:,} ({retried:,} of them retries), sum of minimums {minimum:,}, "
        f"ratio {requests / max(1, minimum):.4f}"
    )
    print(
        f"  simulators served {sum(s for s, _ in served):,} requests, "
        f"{sum(t for _, t in served):,} answered 429 (limits real, time scale {time_scale:g})"
    )
    print(
        f"  wall {wall:.1f} s (sync itself {report['duration_s']:.1f} s); "
        f"slowest account's rate-limit bound {bounds[slowest]:.1f} s "
        f"({accounts[slowest]['account']}, {accounts[slowest]['report']['requests']} requests, "
        f"synced in {durations[slowest]:.1f} s); ratio wall / bound {report['duration_s'] / bounds[slowest]:.2f}"
    )
    print(
        f"  sum of every account's bound {sum(bounds):.1f} s, sum of their sync times {sum(durations):.1f} s; "
        f"the sync process used {cpu:.1f} CPU s, the simulators {sim_cpu:.1f}"
    )
    real = rate_bound_s(accounts[slowest]["report"]["requests"], 1.0)
    print(f"  at real speed (time scale 1): the slowest account's bound is {real / 60:.1f} min")

    # the same account synced alone, on the same machine and simulators: what "the slowest account" takes
    sims.ask("reset")
    name = accounts[slowest]["account"]
    alone_env = {**env, "TRAINPROOF_DATABASE_URL": f"sqlite:///{root / 'alone.db'}"}
    alone_env["TRAINPROOF_STATE_DIR"] = str(root / "state-alone")
    alone = subprocess.run(
        [PYTHON, "-m", "trainproof", "--account", name, "sync", "--format", "json"],
        env=alone_env,
        capture_output=True,
        text=True,
        check=True,
    )
    alone_s = json.loads(alone.stdout)["duration_s"]
    print(
        f"  {name} synced alone: {alone_s:.1f} s; all {len(accounts)} together took "
        f"{report['duration_s'] / alone_s:.2f}x that"
    )


# --- part 2: workers on PostgreSQL ------------------------------------------------------------------------


def fresh_schema(db: str) -> tuple[str, str]:
    """A new schema in the PostgreSQL database; (its name, the store URL whose search_path is it)."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    conninfo = "postgresql://" + db.split("://", 1)[1]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in db else "?"
    return schema, f"{db}{sep}options=-csearch_path%3D{schema}"


def drop_schema(db: str, schema: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://" + db.split("://", 1)[1], autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def part_two(sims: Simulators, time_scale: float, db: str, count: int, per_worker: int, root: Path) -> None:
    step = max(1, len(sims.urls) // count)
    chosen = list(range(0, len(sims.urls), step))[:count]  # every size class, smallest to largest
    print(f"workers on PostgreSQL: {count} accounts (every {step}th), each worker {per_worker} syncs at once")
    print(
        f"  {'workers':>7} {'wall s':>8} {'accounts/min':>13} {'requests':>9} {'429s':>5} {'per worker':>11} "
        f"{'limits allow s':>15}"
    )
    for n in (1, 2, 4):
        sims.ask("reset")
        schema, store = fresh_schema(db)
        config, tokens = write_config(root, sims.urls, time_scale, only=chosen)
        env = base_env(root, config, tokens, store)
        try:
            subprocess.run([PYTHON, "-m", "trainproof", "worker", "--init"], env=env, check=True, capture_output=True)
            logs = [root / f"worker-{n}-{i}.log" for i in range(n)]
            procs: list[subprocess.Popen[bytes]] = []
            for i, log in enumerate(logs):
                with log.open("w") as fh:
                    procs.append(
                        subprocess.Popen(
                            [PYTHON, "-m", "trainproof", "worker", "--name", f"w{i}", "--concurrency", str(per_worker)],
                            env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=fh,
                        )
                    )
            while not all("worker w" in log.read_text() for log in logs):
                time.sleep(0.2)
            t0 = time.monotonic()
            subprocess.run(
                [PYTHON, "-m", "trainproof", "enqueue", "sync", "--all"], env=env, check=True, capture_output=True
            )
            while sum(log.read_text().count(": synced ") for log in logs) < count:
                if any(p.poll() is not None for p in procs):
                    sys.exit("a worker ended: " + " ".join(log.read_text()[-1000:] for log in logs))
                time.sleep(0.2)
            wall = time.monotonic() - t0
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(60)
            served = [s for i, s in enumerate(sims.ask("stats")) if i in chosen]
            rate = count / wall * 60
            # the least wall time KnowBe4's limits allow with n x per_worker syncs at once
            bounds = [rate_bound_s(s, time_scale) for s, _ in served]
            least = max(max(bounds), sum(bounds) / (n * per_worker))
            print(
                f"  {n:>7} {wall:>8.1f} {rate:>13.1f} {sum(s for s, _ in served):>9,} "
                f"{sum(t for _, t in served):>5} {rate / n:>11.1f} {least:>15.1f}"
            )
        finally:
            drop_schema(db, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--min-users", type=int, default=200)
    parser.add_argument("--max-users", type=int, default=2000)
    parser.add_argument("--time-scale", type=float, default=1.0, help="KnowBe4's windows shrunk by this")
    parser.add_argument("--concurrency", type=int, default=100, help="sync --all: accounts at once")
    parser.add_argument("--db", help="PostgreSQL URL for part 2 (workers)")
    parser.add_argument("--worker-accounts", type=int, default=20)
    parser.add_argument("--per-worker", type=int, default=2, help="syncs at once in each worker")
    parser.add_argument("--skip-sync-all", action="store_true")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start; Python {sys.version.split()[0]}")
    sizes = sizes_for(args.accounts, args.min_users, args.max_users)
    t0 = time.monotonic()
    sims = Simulators(sizes, args.time_scale)
    print(
        f"simulators: {len(sizes)} accounts, {sum(sizes):,} users, {sum(sims.enrollments):,} enrollments "
        f"(started in {time.monotonic() - t0:.1f} s, in a process of their own)"
    )
    try:
        with tempfile.TemporaryDirectory(prefix="bench-accounts-") as tmp:
            root = Path(tmp)
            if not args.skip_sync_all:
                part_one(sims, sizes, args.time_scale, args.concurrency, root)
            if args.db:
                sims.ask("reset")
                part_two(sims, args.time_scale, args.db, min(args.worker_accounts, len(sizes)), args.per_worker, root)
    finally:
        sims.stop()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
