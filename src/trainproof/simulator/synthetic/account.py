"""The account (`/v1/account`: seats, admins, subscription) and the account's and groups' risk score histories."""

from __future__ import annotations

import random
from datetime import timedelta

from trainproof.simulator.kinds import Record
from trainproof.simulator.synthetic.draft import Draft, mean_risk
from trainproof.simulator.synthetic.organisation import DEPARTMENTS, DOMAIN, ORG_NAME

__all__ = ["make_account", "risk_history"]


def make_account(draft: Draft) -> None:
    """The account, with seats for the active users plus 5 % unless given, and its risk histories."""
    rng = draft.rng(8)
    active = [p for p in draft.people if p.archived_at is None]
    current = mean_risk(active)
    admins = [p for p in draft.people if DEPARTMENTS[p.dept][0] == "IT" and p.archived_at is None][:2]
    seats = draft.seats if draft.seats is not None else max(25, -(-len(active) * 21 // 20 // 25) * 25)
    draft.tenant.account = {
        "name": ORG_NAME,
        "type": "paid",
        "domains": [DOMAIN],
        "admins": [
            {"id": 974_001 + k, "first_name": p.first, "last_name": p.last, "email": p.email}
            for k, p in enumerate(admins)
        ],
        "subscription_level": "Platinum",
        "subscription_end_date": (draft.ref_date + timedelta(days=243)).isoformat(),
        "number_of_seats": seats,
        "current_risk_score": current,
    }
    draft.tenant.account_risk_score_history = risk_history(draft, rng, current)
    for group in draft.group_records:
        draft.tenant.group_risk_score_history[str(group["id"])] = risk_history(draft, rng, group["current_risk_score"])


def risk_history(draft: Draft, rng: random.Random, current: float, weeks: int = 104) -> list[Record]:
    """Weekly scores drifting down to `current`, ending at the reference date."""
    score = min(95.0, current + rng.uniform(8, 20))
    out: list[Record] = []
    for w in range(weeks - 1, -1, -1):
        day = draft.ref_date - timedelta(weeks=w)
        score = score + (current - score) * 0.05 + rng.uniform(-1.2, 1.2)
        out.append({"risk_score": round(score, 3) if w else current, "date": day.isoformat()})
    return out
