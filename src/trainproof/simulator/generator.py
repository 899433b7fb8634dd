"""A deterministic, realistic synthetic KnowBe4 tenant: the same seed always gives the same JSON.

What it holds, and why (each item is something a client, the compliance engine or the demo must cope
with): an organisation with departments, divisions, locations and a manager hierarchy (manager_name and
manager_email point at other users); hire dates spread over twelve years with some hires in the last 30
days (new-hire grace); archived users with archived_at; aliases; string employee numbers (a few null);
groups of every type with memberships; store purchases of every content type (some retired, some bought
more than two years ago) and uploaded policies; training campaigns in every status with flat `content`
lists mixing store purchases and policies, Specific, Relative and No End Date campaigns, more than ten of
them, including the names the demo maps trainings to; enrollments in every status with late completions,
duplicate enrollments for one user and module, and a few enrollments whose user was deleted (`user:
null`); phishing campaigns (one callback, one in Error), security tests and recipients with clicks, data
entered, attachments, macros, QR scans, replies and reports, and remediation training for the people who
failed. Every date is relative to `reference_date` (default 2026-11-01), never to the wall clock.

Scale: 50,000 users (about half a million enrollments) generate in seconds, because enrollments and
recipients go straight into the compact columns of `RecordTable`.

The parts live in `trainproof.simulator.synthetic`, one module each; this module runs them in order.
"""

from __future__ import annotations

import random
from datetime import date

from trainproof.gc_pause import gc_paused
from trainproof.simulator.dataset import Tenant
from trainproof.simulator.kinds import Record
from trainproof.simulator.synthetic.account import make_account
from trainproof.simulator.synthetic.content import make_content
from trainproof.simulator.synthetic.draft import Draft, add_months
from trainproof.simulator.synthetic.enrollments import make_training
from trainproof.simulator.synthetic.groups import make_groups, plan_groups
from trainproof.simulator.synthetic.people import make_people, score_risk
from trainproof.simulator.synthetic.phishing import make_phishing
from trainproof.simulator.synthetic.users import write_users

__all__ = ["REFERENCE_DATE", "derived_user_history", "generate_tenant"]

REFERENCE_DATE = date(2026, 11, 1)
"""The default "today" of a generated tenant."""


def derived_user_history(user_id: int, current: object, end: date) -> list[Record]:
    """Monthly risk scores for 24 months ending at `end`, derived from the id: no storage, same every time."""
    rng = random.Random(user_id)
    target = float(current) if isinstance(current, int | float) and not isinstance(current, bool) else 30.0
    score = min(99.0, target + rng.uniform(5, 20))
    out: list[Record] = []
    for months_back in range(23, -1, -1):
        day = add_months(end, -months_back)
        score = round(score + (target - score) * 0.15 + rng.uniform(-2.5, 2.5), 3)
        out.append({"risk_score": max(0.0, score) if months_back else target, "date": day.isoformat()})
    return out


def _build(draft: Draft) -> Tenant:
    """The parts in the order their data depends on one another."""
    make_people(draft)
    make_content(draft)
    plan_groups(draft)  # phishing tests name groups before memberships are known
    make_phishing(draft)
    score_risk(draft)  # from the phishing results
    make_groups(draft)  # memberships and group risk need the scores
    write_users(draft)
    make_account(draft)
    # Groups, purchases and policies go in before the campaigns that name them.
    tables = draft.tenant.tables
    for kind, records in (
        ("groups", draft.group_records),
        ("store_purchases", draft.purchases),
        ("policies", draft.policies),
    ):
        for record in records:
            tables[kind].append(record)
    make_training(draft)
    draft.tenant.version += 1
    return draft.tenant


def generate_tenant(
    users: int = 200, seed: int = 1, *, reference_date: date = REFERENCE_DATE, seats: int | None = None
) -> Tenant:
    """A realistic synthetic tenant; identical (same JSON) for the same arguments.

    `users` people (about 10 enrollments each), dates relative to `reference_date`, and
    `number_of_seats` = `seats` (default: active users plus 5 %, rounded up to 25), which sets the daily
    request quota (2,000 + seats).
    """
    # Millions of objects that all stay alive: cyclic GC passes made 50,000 users twice as slow.
    with gc_paused():
        return _build(Draft(users, seed, reference_date, seats))
