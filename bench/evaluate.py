"""Benchmark: the compliance engine against the same rule as one DuckDB query, on the same data.

Generates a tenant in memory (default 100,000 people, 1,000,000 enrollments, 12 campaigns of which 5
are selected by 3 trainings, with duplicates, null users, removed enrollments, unknown statuses,
archived people, scope exclusions, new hires and renewals), loads the same facts into DuckDB, and
times, alternating so that all see the same background load:

- decide: `evaluate` plus `Evaluation.answers()`, the (user, training, state, compliant_since, late)
  of every decision as Python tuples: exactly what the DuckDB query returns;
- duckdb: that query over the preloaded tables, rows fetched into Python;
- explain: `evaluate` plus every explained `Decision` (per-campaign results, outstanding modules,
  evidence, rule ids) and the new sticky records, which no query here produces;
- steady state: decide again with the sticky records the first evaluation kept (a nightly run).

Each timing includes the young-generation garbage collection its new objects cost. It checks that
evaluate and DuckDB give the same state, compliant_since and late for every person and training (and
that the explained decisions agree with the answers), then prints wall and CPU seconds (best and
median), the machine's load, and the ratios.

    .venv/bin/python bench/evaluate.py [--people 100000] [--enrollments 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from trainproof.compliance import (
    Campaign,
    EnrollmentFact,
    Evaluation,
    Person,
    StickyRecord,
    TrainingsConfig,
    evaluate,
    parse_trainings,
)

AS_OF = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
# campaign id -> number of modules; 1-5 are selected, 6-12 are not.
MODULES = {1: 3, 2: 2, 3: 1, 4: 2, 5: 1, 6: 3, 7: 2, 8: 1, 9: 2, 10: 3, 11: 1, 12: 2}
ENROL_P = {1: 0.9, 2: 0.6, 3: 0.8, 4: 0.3, 5: 0.4, 6: 0.3, 7: 0.3, 8: 0.3, 9: 0.3, 10: 0.3, 11: 0.3, 12: 0.3}
END_DATES = {1: AS_OF - timedelta(days=200), 2: AS_OF - timedelta(days=30), 4: AS_OF + timedelta(days=30)}
EXCLUDED_GROUP = 999
TRAININGS: dict[str, Any] = {
    "security_awareness": {"campaigns": [1, 2, 3], "renew_every_days": 365, "new_hire_grace_days": 30},
    "hipaa": {"campaigns": [3, 4], "renew_every_days": 365},
    "ai_awareness": {"campaigns": [5], "new_hire_grace_days": 30},
}
STATUSES = [("Completed", 55), ("Passed", 10), ("In Progress", 10), ("Not Started", 12), ("Past Due", 11),
            ("Finished", 1), (None, 1)]  # fmt: skip


def generate(n_people: int, n_enrollments: int, seed: int) -> tuple[list[Person], list[Campaign], list[EnrollmentFact]]:
    rnd = random.Random(seed)
    # Shared datetime objects, as a store would intern repeated timestamps; keeps memory realistic.
    pool = [AS_OF - timedelta(days=d, hours=h) for d in range(-40, 800) for h in (3, 9, 15, 21)]

    def when(lo: int, hi: int) -> datetime:  # a pooled instant between lo and hi days before AS_OF
        return pool[(rnd.randrange(lo, hi) + 40) * 4 + rnd.randrange(4)]

    people: list[Person] = []
    for uid in range(1, n_people + 1):
        r = rnd.random()
        archived_at = when(1, 300) if r < 0.02 else when(-30, -1) if r < 0.03 else None
        start = when(0, 29) if rnd.random() < 0.02 else when(30, 780)
        people.append(
            Person(
                user_id=uid,
                email=f"user{uid}@example.com",
                first_name=f"First{uid}",
                last_name=f"Last{uid}",
                department=rnd.choice(["Finance", "Sales", "Engineering", "Support", None]),
                manager_email=f"manager{uid % 500}@example.com",
                status="archived" if archived_at is not None and archived_at <= AS_OF else "active",
                joined_on=when(-20, -1) if rnd.random() < 0.005 else start,
                employee_start_date=start if rnd.random() < 0.9 else None,
                archived_at=archived_at,
                groups=(1, EXCLUDED_GROUP) if rnd.random() < 0.01 else (1,),
            )
        )
    campaigns = [
        Campaign(campaign_id=c, name=f"Campaign {c}", status="In Progress", end_date=END_DATES.get(c)) for c in MODULES
    ]
    weights = [w for _, w in STATUSES]
    names = [s for s, _ in STATUSES]
    enrollments: list[EnrollmentFact] = []
    eid = 0
    while len(enrollments) < n_enrollments:
        for p in people:
            for cid, n_mod in MODULES.items():
                if rnd.random() >= ENROL_P[cid]:
                    continue
                for m in range(n_mod):
                    copies = 2 if rnd.random() < 0.01 else 1  # duplicate enrollments in one module
                    for _ in range(copies):
                        eid += 1
                        status = rnd.choices(names, weights)[0]
                        done = when(-10, 700) if status in ("Completed", "Passed") or rnd.random() < 0.05 else None
                        r = rnd.random()
                        enrollments.append(
                            EnrollmentFact(
                                enrollment_id=eid,
                                user_id=None if r < 0.002 else p.user_id,
                                campaign_id=cid,
                                module_key=f"sp:{cid}:{m}",
                                module_name=f"Module {cid}.{m}",
                                content_type="Store Purchase",
                                status=status,
                                enrollment_date=when(-5, 780),
                                completion_date=done,
                                removed_at=when(1, 100) if r > 0.995 else when(-20, -1) if r > 0.992 else None,
                            )
                        )
            if len(enrollments) >= n_enrollments:
                break
    del enrollments[n_enrollments:]
    return people, campaigns, enrollments


Answers = dict[tuple[str, int], tuple[str, datetime | None, bool]]


@dataclass
class Timings:
    """Wall and CPU seconds (CPU over all threads, which other processes on the machine do not inflate)."""

    wall: list[float] = field(default_factory=list[float])
    cpu: list[float] = field(default_factory=list[float])

    @contextmanager
    def measure(self) -> Iterator[None]:
        start, cpu = time.perf_counter(), time.process_time()
        yield
        gc.collect(0)  # the young-generation pass the new objects cost, whether inside the call or just after
        self.wall.append(time.perf_counter() - start)
        self.cpu.append(time.process_time() - cpu)

    def row(self, label: str) -> str:
        return (
            f"{label:<34} {min(self.wall):>6.2f} {statistics.median(self.wall):>7.2f} "
            f"{min(self.cpu):>7.2f} {statistics.median(self.cpu):>7.2f}"
        )


def decide(people: list[Person], campaigns: list[Campaign], enrollments: list[EnrollmentFact], pol: TrainingsConfig,
           sticky: Sequence[StickyRecord], timings: Timings) -> tuple[Evaluation, Answers]:  # fmt: skip
    """evaluate + answers(): the same (state, compliant_since, late) rows the query returns, as Python objects."""
    with timings.measure():
        result = evaluate(people, campaigns, enrollments, pol, sticky, AS_OF)
        rows = result.answers()
    return result, {(training, uid): (state, since, late) for uid, training, state, since, late in rows}


def explain(people: list[Person], campaigns: list[Campaign], enrollments: list[EnrollmentFact], pol: TrainingsConfig,
            timings: Timings) -> tuple[Answers, int]:  # fmt: skip
    """evaluate + every explained Decision + the new sticky records: all the old eager evaluate built."""
    with timings.measure():
        result = evaluate(people, campaigns, enrollments, pol, [], AS_OF)
        decisions = result.decisions
        kept = len(result.new_sticky)
    return {(d.training, d.user_id): (d.state, d.compliant_since, d.late) for d in decisions}, kept


def _ts(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def load_duckdb(con: duckdb.DuckDBPyConnection, tmp: Path, people: list[Person], campaigns: list[Campaign],
                enrollments: list[EnrollmentFact], pol: TrainingsConfig) -> None:  # fmt: skip
    """Write the facts as CSV and load them into DuckDB tables (timed separately from the query)."""

    def write(name: str, header: list[str], rows: Any) -> None:
        with (tmp / f"{name}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)

    write("people", ["user_id", "email", "status", "joined_on", "employee_start_date", "archived_at", "groups"],
          ((p.user_id, p.email, p.status or "", _ts(p.joined_on), _ts(p.employee_start_date), _ts(p.archived_at),
            "|".join(map(str, p.groups))) for p in people))  # fmt: skip
    write("enrollments", ["enrollment_id", "user_id", "campaign_id", "module_key", "status", "enrollment_date",
                          "completion_date", "removed_at"],
          ((e.enrollment_id, "" if e.user_id is None else e.user_id, e.campaign_id, e.module_key, e.status or "",
            _ts(e.enrollment_date), _ts(e.completion_date), _ts(e.removed_at)) for e in enrollments))  # fmt: skip
    write("campaigns", ["campaign_id", "end_date"], ((c.campaign_id, _ts(c.end_date)) for c in campaigns))
    write("selection", ["training", "campaign_id"], ((t.key, c) for t in pol.trainings for c in t.campaign_ids))
    write("trainings", ["training", "renew_days", "grace_days"],
          ((t.key, t.renew_every_days or "", "" if t.new_hire_grace_days is None else t.new_hire_grace_days)
           for t in pol.trainings))  # fmt: skip
    types = {
        "people": "{'user_id': 'BIGINT', 'email': 'VARCHAR', 'status': 'VARCHAR', 'joined_on': 'TIMESTAMP', "
        "'employee_start_date': 'TIMESTAMP', 'archived_at': 'TIMESTAMP', 'groups': 'VARCHAR'}",
        "enrollments": "{'enrollment_id': 'BIGINT', 'user_id': 'BIGINT', 'campaign_id': 'BIGINT', "
        "'module_key': 'VARCHAR', 'status': 'VARCHAR', 'enrollment_date': 'TIMESTAMP', "
        "'completion_date': 'TIMESTAMP', 'removed_at': 'TIMESTAMP'}",
        "campaigns": "{'campaign_id': 'BIGINT', 'end_date': 'TIMESTAMP'}",
        "selection": "{'training': 'VARCHAR', 'campaign_id': 'BIGINT'}",
        "trainings": "{'training': 'VARCHAR', 'renew_days': 'INTEGER', 'grace_days': 'INTEGER'}",
    }
    for name, cols in types.items():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{tmp / name}.csv', header=true, columns={cols})")
    con.execute("ALTER TABLE people ADD COLUMN group_ids BIGINT[]")
    con.execute("UPDATE people SET group_ids = string_split(groups, '|')::BIGINT[]")


# The rule of trainproof.compliance (population, enrolled, complete, compliant, grace, expired, late)
# as one query. $1 = as_of (naive UTC), $2 = excluded group ids, $3 = excluded emails (lower-cased).
RULE_SQL = """
WITH pop AS (
    SELECT user_id, coalesce(employee_start_date, joined_on) AS started
    FROM people
    WHERE (archived_at IS NULL OR archived_at > $1)
      AND NOT (archived_at IS NULL AND lower(status) = 'archived')
      AND (joined_on IS NULL OR joined_on <= $1)
      AND NOT list_contains($3, lower(email))
      AND NOT list_has_any(group_ids, $2)
), modules AS (  -- one row per (user, campaign, module): the first counted completion, if any
    SELECT user_id, campaign_id, module_key,
           min(completion_date) FILTER (WHERE lower(status) IN ('completed', 'passed')
                                          AND completion_date <= $1) AS done_at
    FROM enrollments
    WHERE user_id IS NOT NULL
      AND campaign_id IN (SELECT campaign_id FROM selection)
      AND (removed_at IS NULL OR removed_at > $1)
      AND (enrollment_date IS NULL OR enrollment_date <= $1)
    GROUP BY ALL
), per_campaign AS (
    SELECT m.user_id, m.campaign_id,
           count(*) = count(m.done_at) AS complete,
           max(m.done_at) AS completed_at,
           coalesce(bool_or(m.done_at > c.end_date), false) AS any_late
    FROM modules m JOIN campaigns c USING (campaign_id)
    GROUP BY ALL
), per_training AS (
    SELECT s.training, p.user_id,
           bool_and(p.complete) AS all_complete,
           max(p.completed_at) AS earned,
           bool_or(p.complete AND p.any_late) AS late
    FROM per_campaign p JOIN selection s USING (campaign_id)
    GROUP BY ALL
), decided AS (
    SELECT tr.training, pop.user_id,
           CASE
             WHEN t.all_complete AND (tr.renew_days IS NULL OR t.earned + to_days(tr.renew_days) > $1)
               THEN 'compliant'
             WHEN t.all_complete THEN 'expired'
             WHEN tr.grace_days IS NOT NULL AND pop.started IS NOT NULL
                  AND $1 < pop.started + to_days(tr.grace_days) THEN 'grace'
             WHEN t.user_id IS NOT NULL THEN 'incomplete'
             ELSE 'not_enrolled'
           END AS state,
           t.earned,
           coalesce(t.late, false) AS late
    FROM pop CROSS JOIN trainings tr
    LEFT JOIN per_training t ON t.training = tr.training AND t.user_id = pop.user_id
)
SELECT training, user_id, state, CASE WHEN state = 'compliant' THEN earned END AS compliant_since, late
FROM decided
"""


def duckdb_answers(con: duckdb.DuckDBPyConnection, pol: TrainingsConfig, timings: Timings) -> Answers:
    params = [AS_OF.replace(tzinfo=None), sorted(pol.scope.exclude_groups), sorted(pol.scope.exclude_emails)]
    with timings.measure():
        rows = con.execute(RULE_SQL, params).fetchall()
    return {
        (training, uid): (state, None if since is None else since.replace(tzinfo=UTC), late)
        for training, uid, state, since, late in rows
    }


def mismatch(label: str, ours: Answers, theirs: Answers) -> bool:
    if ours == theirs:
        return False
    diff = [k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)]
    print(f"MISMATCH ({label}) on {len(diff):,} decisions, e.g.:", file=sys.stderr)
    for k in sorted(diff)[:5]:
        print(f"  {k}: {ours.get(k)} vs {theirs.get(k)}", file=sys.stderr)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--enrollments", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    people, campaigns, enrollments = generate(args.people, args.enrollments, args.seed)
    pol = parse_trainings(
        {"trainings": TRAININGS, "scope": {"exclude_groups": [EXCLUDED_GROUP], "exclude_emails": ["user7@example.com"]}}
    )
    selected = sorted({c for t in pol.trainings for c in t.campaign_ids})
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; Python "
        f"{sys.version.split()[0]}; duckdb {duckdb.__version__} ({threads[0] if threads else '?'} threads)"
    )
    print(
        f"data: {len(people):,} people, {len(enrollments):,} enrollments, {len(campaigns)} campaigns "
        f"({len(selected)} selected), {len(pol.trainings)} trainings; generated in {time.perf_counter() - t0:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        load_duckdb(con, Path(tmp), people, campaigns, enrollments, pol)
        load_s = time.perf_counter() - t1

    # Alternate, so that every measurement sees the same background load on a shared machine.
    t_decide, t_duck, t_explain, t_steady = Timings(), Timings(), Timings(), Timings()
    loads: list[float] = []
    ours: Answers = {}
    theirs: Answers = {}
    explained: Answers = {}
    steady: Answers = {}
    kept = 0
    for _ in range(args.runs):
        loads.append(os.getloadavg()[0])
        gc.collect()
        first, ours = decide(people, campaigns, enrollments, pol, [], t_decide)
        gc.collect()
        theirs = duckdb_answers(con, pol, t_duck)
        gc.collect()
        explained, kept = explain(people, campaigns, enrollments, pol, t_explain)
        records = first.new_sticky
        del first
        gc.collect()
        _, steady = decide(people, campaigns, enrollments, pol, records, t_steady)
        del records
    loads.append(os.getloadavg()[0])

    n = len(ours)
    print(f"{'':<34} {'wall s':>6} {'median':>7} {'CPU s':>7} {'median':>7}   (best of {args.runs})")
    print(t_duck.row("duckdb: the rule as one query") + f"   -> {len(theirs):,} rows")
    print(t_decide.row("decide: evaluate + answers()") + f"   -> {n:,} answers")
    print(t_explain.row("explain: + every Decision, sticky") + f"   -> {len(explained):,} decisions, {kept:,} records")
    print(t_steady.row(f"steady: decide, {kept:,} sticky") + f"   -> {len(steady):,} answers")
    print(f"loading the same facts into DuckDB first took {load_s:.1f} s (via CSV; no pyarrow/pandas here)")
    print(
        f"load average (1 min) before each run: {', '.join(f'{x:.1f}' for x in loads[:-1])}; at the end "
        f"{loads[-1]:.1f} ({'quiet' if max(loads) < 1.5 else 'other work competed for the CPUs'})"
    )

    if mismatch("evaluate vs duckdb", ours, theirs) or mismatch("decisions vs answers", explained, ours):
        return 1
    if mismatch("steady state vs first", steady, ours):
        return 1
    states: dict[str, int] = {}
    for state, _, _ in ours.values():
        states[state] = states.get(state, 0) + 1
    counts = ", ".join(f"{s} {k:,}" for s, k in sorted(states.items()))
    print(
        f"same answers: all {n:,} (state, compliant_since, late) equal to DuckDB's, to the explained decisions "
        f"and to the steady state's; {counts}"
    )

    def ratio(a: Timings, b: Timings) -> str:
        wall, cpu = min(a.wall) / min(b.wall), min(a.cpu) / min(b.cpu)
        med = statistics.median(a.wall) / statistics.median(b.wall)
        return f"{wall:.2f}x wall (median {med:.2f}x), {cpu:.2f}x CPU"

    goal = min(t_decide.wall) / min(t_duck.wall) <= 2 and min(t_decide.cpu) / min(t_duck.cpu) <= 2
    print(f"ratio decide / duckdb query: {ratio(t_decide, t_duck)} (goal <= 2x: {'met' if goal else 'NOT met'})")
    print(f"ratio explain / duckdb query: {ratio(t_explain, t_duck)}")
    end_to_end = min(t_decide.wall) / (min(t_duck.wall) + load_s)
    print(
        f"decide / (load + query): {end_to_end:.2f}x; under 5 s: decide {'yes' if max(t_decide.wall) < 5 else 'NO'}, "
        f"explain {'yes' if max(t_explain.wall) < 5 else 'NO'} (slowest run)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
