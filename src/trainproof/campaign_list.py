"""The training campaigns a lead chooses from, as Drata's KnowBe4 drawer shows them, and which trainings select each.

From the store after a sync (enrolled people and completion counted from the stored enrollments, by
`reports.campaigns`, the same numbers as `trainproof report campaigns`), or live from KnowBe4 before a
first sync (who is enrolled and how many completed is then not known without reading every
enrollment, so both are left empty). Which trainings select a campaign is answered by
the one resolver, `trainproof.selection.Catalog`; a reference that selects nothing is `trainproof
check`'s to report, not this list's. `trainproof campaigns`, `trainproof init` and the web console call
these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainproof.client import KnowBe4Client, TrainingCampaign
from trainproof.compliance.deadline import CampaignDeadline
from trainproof.compliance.trainings import parse_trainings
from trainproof.errors import ConfigError
from trainproof.reports.campaigns import report_campaigns
from trainproof.selection import Catalog, SelectionError
from trainproof.statuses import campaign_filter, campaign_state, status_matches
from trainproof.store.campaigns import load_campaign_rows, load_campaigns
from trainproof.store.handle import StoreEngine, read

__all__ = [
    "CampaignListing",
    "listings_of",
    "live_campaigns",
    "live_names",
    "selected_by",
    "stored_campaigns",
    "stored_names",
]


@dataclass(frozen=True, slots=True)
class CampaignListing:
    """One training campaign: what it is, how far along, and which trainings select it."""

    campaign_id: int
    name: str
    status: str | None  # KnowBe4's own word, e.g. "In Progress"
    state: str  # its lifecycle word (`trainproof.statuses`)
    content: int  # modules and policies it assigns
    enrolled: int | None  # people enrolled (None: not known before a sync)
    completion: float | None  # % of enrollments completed
    start_date: datetime | None
    end_date: datetime | None
    selected_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign_id": self.campaign_id,
            "name": self.name,
            "status": self.status,
            "state": self.state,
            "content": self.content,
            "enrolled": self.enrolled,
            "completion": self.completion,
            "start_date": self.start_date,
            "end_date": self.end_date,
            "selected_by": list(self.selected_by),
        }


def selected_by(raw: Mapping[str, Any], campaigns: Iterable[tuple[int, str | None]]) -> dict[int, tuple[str, ...]]:
    """Campaign id -> the keys of the trainings whose references select it (references that fail are skipped)."""
    catalog = Catalog.of(campaigns)
    found: dict[int, list[str]] = {}
    for training in parse_trainings(raw).trainings:
        for ref in training.campaigns:
            try:
                cid = catalog.resolve(training.key, ref)
            except SelectionError:
                continue
            keys = found.setdefault(cid, [])
            if training.key not in keys:
                keys.append(training.key)
    return {cid: tuple(keys) for cid, keys in found.items()}


def stored_campaigns(
    engine: StoreEngine, raw: Mapping[str, Any], *, status: str | None = None, search: str | None = None
) -> list[CampaignListing]:
    """The campaigns in the store, in `report campaigns` order (active first, then by deadline)."""
    accepted = _status_filter(status)
    reported = report_campaigns(engine)
    content = {cid: len(row.content) for cid, row in read(engine, load_campaign_rows).items()}
    chosen = selected_by(raw, ((r.campaign_id, r.name) for r in reported))
    out = [
        CampaignListing(
            campaign_id=r.campaign_id,
            name=r.name,
            status=r.status,
            state=r.state,
            content=content.get(r.campaign_id, 0),
            enrolled=r.enrolled_users,
            completion=r.completion_rate,
            start_date=r.start_date,
            end_date=r.deadline,
            selected_by=chosen.get(r.campaign_id, ()),
        )
        for r in reported
    ]
    return _filtered(out, accepted, search)


async def live_campaigns(
    client: KnowBe4Client, raw: Mapping[str, Any], *, status: str | None = None, search: str | None = None
) -> list[CampaignListing]:
    """The campaigns KnowBe4 lists now, without completion: KnowBe4 documents that asking for its
    `completion_percentage` caps the list at 10 campaigns, and a list to choose from must be whole."""
    accepted = _status_filter(status)
    campaigns = [c async for c in client.training_campaigns()]
    return _filtered(listings_of(campaigns, raw), accepted, search)


def listings_of(campaigns: Sequence[TrainingCampaign], raw: Mapping[str, Any]) -> list[CampaignListing]:
    """KnowBe4's campaign records as listings, newest start first (enrolled unknown)."""
    chosen = selected_by(raw, ((c.campaign_id, c.name) for c in campaigns))
    out = [
        CampaignListing(
            campaign_id=c.campaign_id,
            name=c.name or "",
            status=c.status,
            state=campaign_state(c.status),
            content=len(c.content),
            enrolled=None,
            completion=c.completion_percentage,
            start_date=c.start_date,
            end_date=CampaignDeadline.of(c.duration_type, c.end_date, c.relative_duration).end,
            selected_by=chosen.get(c.campaign_id, ()),
        )
        for c in campaigns
    ]
    return sorted(out, key=lambda c: (c.start_date is None, -(c.start_date.timestamp() if c.start_date else 0)))


def _status_filter(status: str | None) -> frozenset[str] | None:
    if not status:
        return None
    try:
        return campaign_filter(status)
    except ValueError as exc:
        raise ConfigError(str(exc), "e.g. --status active, --status closed or --status 'In Progress'") from None


def _filtered(
    rows: list[CampaignListing], accepted: frozenset[str] | None, search: str | None
) -> list[CampaignListing]:
    needle = (search or "").strip().casefold()
    return [
        c
        for c in rows
        if (accepted is None or status_matches(c.status, accepted))
        and (not needle or needle in c.name.casefold() or needle == str(c.campaign_id))
    ]


def stored_names(engine: StoreEngine) -> list[tuple[int, str | None]]:
    """(id, name) of every campaign the store knows (KnowBe4's deleted ones too): what references resolve against."""
    return [(c.campaign_id, c.name) for c in read(engine, load_campaigns)]


async def live_names(client: KnowBe4Client) -> list[tuple[int, str | None]]:
    """(id, name) of every campaign KnowBe4 lists now (one request per 500 campaigns)."""
    return [(c.campaign_id, c.name) async for c in client.training_campaigns()]
