"""Reads of training campaigns: each one as it stood at `as_of` (status, dates, name), for compliance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from trainproof.compliance.facts import Campaign
from trainproof.store import schema

__all__ = ["load_campaigns"]


def load_campaigns(conn: Connection, as_of: datetime | None = None) -> list[Campaign]:
    """Every training campaign the store knows, as it stood at `as_of` (status, dates, name)."""
    from trainproof.client.models import TrainingCampaign

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
        ).order_by(c.c.campaign_id)
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
    rv = schema.record_versions
    vrows = conn.execute(
        select(rv.c.record_key, rv.c.seen_at, rv.c.kind, rv.c.raw)
        .where(rv.c.resource == "training_campaigns")
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
