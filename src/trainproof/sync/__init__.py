"""Sync: fill the store from KnowBe4 with the fewest requests, atomically.

>>> report = run_sync(load_settings())          # doctest: +SKIP
>>> print(report.summary())
synced 12,034 enrollments in 14 campaigns with 31 requests (minimum 31), 0 retried; 2,019 of 2,050 requests left today

`plan.py` decides what to fetch and what it costs, `state.py` reads options and bookmarks, `estimate.py`
prices a plan from the store alone (and `--dry-run`), `fetch.py` walks KnowBe4 into staging, `engine.py`
runs it all (lock, staging, one write transaction, the run record), `report.py` holds what it reports.
"""

from trainproof.sync.engine import run_sync, run_sync_async
from trainproof.sync.estimate import estimate_plan
from trainproof.sync.plan import EnrollmentPlan, Plan, Step, walk_requests
from trainproof.sync.report import Progress, SyncReport
from trainproof.sync.state import StoreState, SyncOptions, read_state, sync_options

__all__ = [
    "EnrollmentPlan",
    "Plan",
    "Progress",
    "Step",
    "StoreState",
    "SyncOptions",
    "SyncReport",
    "estimate_plan",
    "read_state",
    "run_sync",
    "run_sync_async",
    "sync_options",
    "walk_requests",
]
