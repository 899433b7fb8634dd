"""`report new-hires`: KnowBe4's "New Hire Onboarding" workflow, checked: who joined and is not enrolled yet.

The onboarding campaigns are named in trainproof.toml (ids or exact names, resolved as trainings are):

```toml
[onboarding]
campaigns = [301, "New Hire Onboarding 2026"]
```

A person's start is their HR `employee_start_date`, else when they joined KnowBe4 (`joined_on`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trainproof import clock
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.reports._common import ReportInputError, ReportRow
from trainproof.selection import Catalog, campaign_refs
from trainproof.store.campaigns import CampaignRow, load_campaign_rows
from trainproof.store.enrollments import load_enrollment_rows
from trainproof.store.people import load_user_rows
from trainproof.store.source import Source, connect

__all__ = ["DEFAULT_DAYS", "NewHireRow", "onboarding_campaigns", "report_new_hires"]

DEFAULT_DAYS = 30


class NewHireRow(ReportRow):
    user_id: int
    email: str | None
    name: str
    department: str | None
    manager_email: str | None
    started: datetime
    start_source: str  # employee_start_date | joined_on
    days_since_start: int
    enrolled: bool
    onboarding_campaigns: list[str]  # those they are enrolled in


def onboarding_campaigns(settings: Settings, campaigns: dict[int, CampaignRow]) -> list[CampaignRow]:
    """`[onboarding] campaigns` resolved against the store by the trainings' resolver: each reference must
    select exactly one campaign, or it is a ConfigError naming it."""
    refs = campaign_refs("[onboarding]", settings.table("onboarding").get("campaigns", []))
    if not refs:
        raise ConfigError(
            "no onboarding campaigns configured",
            'add [onboarding] campaigns = [301, "New Hire Onboarding"] to trainproof.toml',
        )
    catalog = Catalog({cid: c.name for cid, c in campaigns.items()})
    return [campaigns[cid] for cid in dict.fromkeys(catalog.resolve_in("onboarding", ref) for ref in refs)]


def report_new_hires(
    source: Source,
    settings: Settings,
    *,
    days: int = DEFAULT_DAYS,
    include_enrolled: bool = False,
    at: datetime | None = None,
) -> list[NewHireRow]:
    """Active people who started in the last `days` days and are not enrolled in an onboarding campaign."""
    if days < 0:
        raise ReportInputError(f"--days {days} is negative", "e.g. --days 30")
    when = at or clock.now()
    since = when - timedelta(days=days)
    with connect(source) as conn:
        campaigns = load_campaign_rows(conn, include_removed=True)
        chosen = onboarding_campaigns(settings, campaigns)
        users = load_user_rows(conn)
        enrolled: dict[int, set[str]] = {}
        for e in load_enrollment_rows(conn, campaign_ids=[c.campaign_id for c in chosen]):
            if e.user_id is not None and e.campaign_id is not None:
                enrolled.setdefault(e.user_id, set()).add(campaigns[e.campaign_id].name)
    rows: list[NewHireRow] = []
    for u in users.values():
        started = u.started
        if started is None or not u.active_at(when) or not since <= started <= when:
            continue
        theirs = sorted(enrolled.get(u.id, ()))
        if theirs and not include_enrolled:
            continue
        rows.append(
            NewHireRow(
                user_id=u.id,
                email=u.email,
                name=u.name,
                department=u.department,
                manager_email=u.manager_email,
                started=started,
                start_source="employee_start_date" if u.employee_start_date else "joined_on",
                days_since_start=(when.date() - started.date()).days,
                enrolled=bool(theirs),
                onboarding_campaigns=theirs,
            )
        )
    rows.sort(key=lambda r: (-r.days_since_start, r.email or "", r.user_id))
    return rows
