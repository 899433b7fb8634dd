"""Sync: fill the store from KnowBe4 with the fewest requests, atomically.

>>> report = run_sync(load_settings())          # doctest: +SKIP
>>> print(report.summary())
synced 12,034 enrollments in 14 campaigns with 31 requests (minimum 31), 0 retried; 2,019 of 2,050 requests left today

`plan.py` decides what to fetch and what it costs, `state.py` reads options and bookmarks, `engine.py`
runs it (lock, staging, one write transaction, the run record).
"""

from trainproof.sync.engine import Progress, SyncReport, estimate_plan, run_sync, run_sync_async
from trainproof.sync.plan import EnrollmentPlan, Plan, Step, walk_requests
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
