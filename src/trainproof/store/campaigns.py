"""Reads of training campaigns: for compliance, each one as it stood at `as_of` (status, dates, name);
for reports, each one as stored now with its content (`CampaignRow`, `load_campaign_rows`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from trainproof.compliance.facts import Campaign
from trainproof.statuses import CampaignState, campaign_state
from trainproof.store import schema
from trainproof.store.raw import group_ids, raw_object
from trainproof.store.scoping import mine

__all__ = ["CampaignRow", "ContentRow", "load_campaign_rows", "load_campaigns"]


def load_campaigns(conn: Connection, as_of: datetime | None = None) -> list[Campaign]:
    """Every training campaign the store knows, as it stood at `as_of` (status, dates, name)."""
    c = schema.training_campaigns
    rows = conn.execute(
        select(
            c.c.campaign_id,
            c.c.name,
            c.c.status,
            c.c.start_date,
            c.c.end_date,
            c.c.duration_type,
            c.c.relative_duration,
        )
        .where(mine(conn, c))
        .order_by(c.c.campaign_id)
    ).all()
    current = [
        Campaign(
            campaign_id=r.campaign_id,
            name=r.name or "",
            status=r.status,
            start_date=r.start_date,
            end_date=r.end_date,
            duration_type=r.duration_type,
            relative_duration=r.relative_duration,
        )
        for r in rows
    ]
    if as_of is None:
        return current
    from trainproof.client.models import TrainingCampaign  # pydantic and the HTTP client: only for a past date

    rv = schema.record_versions
    vrows = conn.execute(
        select(rv.c.record_key, rv.c.seen_at, rv.c.kind, rv.c.raw)
        .where(mine(conn, rv), rv.c.resource == "training_campaigns")
        .order_by(rv.c.id)
    ).all()
    chosen: dict[str, Any] = {}
    for vr in vrows:
        if vr.kind == "removed":
            continue
        if vr.record_key not in chosen or vr.seen_at <= as_of:
            chosen[vr.record_key] = vr
    out: list[Campaign] = []
    for camp in current:
        vr = chosen.get(str(camp.campaign_id))
        if vr is None:
            out.append(camp)
            continue
        m = TrainingCampaign.model_validate_json(vr.raw)
        out.append(
            Campaign(
                campaign_id=m.campaign_id,
                name=m.name or "",
                status=m.status,
                start_date=m.start_date,
                end_date=m.end_date,
                duration_type=m.duration_type,
                relative_duration=m.relative_duration,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ContentRow:
    module_key: str
    position: int
    content_type: str | None
    name: str | None
    store_purchase_id: int | None
    policy_id: int | None
    type: str | None
    duration: int | None
    retired: bool
    retirement_date: datetime | None
    publish_date: datetime | None


@dataclass(frozen=True, slots=True)
class CampaignRow:
    campaign_id: int
    name: str
    status: str | None
    duration_type: str | None
    start_date: datetime | None
    end_date: datetime | None
    relative_duration: str | None
    auto_enroll: bool | None
    allow_multiple_enrollments: bool | None
    completion_percentage: float | None
    group_ids: tuple[int, ...]
    content: tuple[ContentRow, ...]
    removed: bool

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)


def load_campaign_rows(conn: Connection, *, include_removed: bool = False) -> dict[int, CampaignRow]:
    """Training campaigns with their content, each item joined to its store purchase (retired, published)."""
    c, cc, sp = schema.training_campaigns, schema.campaign_content, schema.store_purchases
    content: dict[int, list[ContentRow]] = {}
    query = (
        select(
            cc.c.campaign_id,
            cc.c.module_key,
            cc.c.position,
            cc.c.content_type,
            cc.c.name,
            cc.c.store_purchase_id,
            cc.c.policy_id,
            cc.c.raw,
            sp.c.type,
            sp.c.duration,
            sp.c.retired,
            sp.c.retirement_date,
            sp.c.publish_date,
        )
        .select_from(
            cc.outerjoin(sp, (sp.c.account == cc.c.account) & (sp.c.store_purchase_id == cc.c.store_purchase_id))
        )
        .where(mine(conn, cc), cc.c.removed_at.is_(None))
        .order_by(cc.c.campaign_id, cc.c.position)
    )
    for r in conn.execute(query):
        raw = raw_object(r.raw)
        retired = r.retired if r.retired is not None else bool(raw.get("retired"))
        content.setdefault(r.campaign_id, []).append(
            ContentRow(
                module_key=r.module_key,
                position=r.position,
                content_type=r.content_type,
                name=r.name,
                store_purchase_id=r.store_purchase_id,
                policy_id=r.policy_id,
                type=r.type or raw.get("type"),
                duration=r.duration,
                retired=bool(retired),
                retirement_date=r.retirement_date,
                publish_date=r.publish_date,
            )
        )
    cq = select(c).where(mine(conn, c))
    if not include_removed:
        cq = cq.where(c.c.removed_at.is_(None))
    out: dict[int, CampaignRow] = {}
    for r in conn.execute(cq):
        raw = raw_object(r.raw)
        pct = raw.get("completion_percentage")
        out[r.campaign_id] = CampaignRow(
            campaign_id=r.campaign_id,
            name=r.name or f"campaign {r.campaign_id}",
            status=r.status,
            duration_type=r.duration_type,
            start_date=r.start_date,
            end_date=r.end_date,
            relative_duration=r.relative_duration,
            auto_enroll=r.auto_enroll,
            allow_multiple_enrollments=r.allow_multiple_enrollments,
            completion_percentage=float(pct) if isinstance(pct, int | float) and pct >= 0 else None,
            group_ids=group_ids(r.group_ids),
            content=tuple(content.get(r.campaign_id, ())),
            removed=r.removed_at is not None,
        )
    return out
