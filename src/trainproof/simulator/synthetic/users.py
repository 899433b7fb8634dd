"""User records (`/v1/users`), written straight into the table's columns."""

from __future__ import annotations

from typing import Any

from trainproof.simulator.columns import NONE
from trainproof.simulator.synthetic.draft import DAY, Draft, between
from trainproof.simulator.synthetic.organisation import DEPARTMENTS, LOCATIONS, ORG_NAME

__all__ = ["write_users"]


def write_users(draft: Draft) -> None:
    """The `/v1/users` records, with managers, sign-ins, archive dates and group ids, in column form."""
    rng = draft.rng(6)
    rows: list[tuple[Any, ...]] = []
    last_seen_floor = draft.days_ago(120)
    for person in draft.people:
        dept_name, division, *_ = DEPARTMENTS[person.dept]
        location, language = LOCATIONS[person.location][:2]
        manager = person.manager
        ppp = person.phish_prone_percentage
        if person.archived_at is not None:
            last_sign_in = person.archived_at - between(rng, DAY, 60 * DAY) if rng.random() < 0.7 else NONE
        elif rng.random() < 0.85:
            last_sign_in = max(person.joined, last_seen_floor) + between(rng, 0, 100 * DAY)
            last_sign_in = min(last_sign_in, draft.ref - 3600)
        else:
            last_sign_in = NONE
        if last_sign_in != NONE and last_sign_in < person.joined:
            last_sign_in = NONE
        hq = location == "Boston HQ"
        rows.append(
            (
                person.id,
                person.employee_number,
                person.first,
                person.last,
                person.title,
                person.email,
                ppp,
                f"555-{between(rng, 100, 1000)}-{between(rng, 1000, 10000)}",
                str(between(rng, 100, 1000)) if hq and rng.random() < 0.5 else None,
                f"555-{between(rng, 100, 1000)}-{between(rng, 1000, 10000)}" if rng.random() < 0.5 else None,
                draft.s(location),
                draft.s(division),
                None if manager is None else f"{manager.first} {manager.last}",
                None if manager is None else manager.email,
                1 if person.provisioned else 0,
                person.guid,
                sorted(person.groups),
                person.risk,
                person.aliases,
                person.joined,
                last_sign_in,
                "archived" if person.archived_at is not None else "active",
                ORG_NAME,
                draft.s(dept_name),
                draft.s(language),
                "Low PPP" if ppp == 0 and person.phished >= 3 and rng.random() < 0.3 else None,
                person.start,
                NONE if person.archived_at is None else person.archived_at,
                draft.s(f"Building {'ABC'[person.id % 3]}, Floor {person.id % 5 + 1}") if hq else None,
                None,
                None,
                None,
                None,
                None,
            )
        )
    draft.tenant.tables["users"].append_encoded(rows)
