"""Reads of the account's module catalogue: the store purchases it can assign, for reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from trainproof.store import schema
from trainproof.store.raw import raw_object
from trainproof.store.scoping import mine

__all__ = ["PurchaseRow", "load_purchases"]


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    store_purchase_id: int
    name: str
    description: str | None
    type: str | None
    duration: int | None
    retired: bool
    retirement_date: datetime | None
    publish_date: datetime | None
    purchase_date: datetime | None


def load_purchases(conn: Connection) -> list[PurchaseRow]:
    """The account's store purchases (the modules it can assign), with descriptions from `raw`."""
    sp = schema.store_purchases
    out: list[PurchaseRow] = []
    for r in conn.execute(select(sp).where(mine(conn, sp), sp.c.removed_at.is_(None)).order_by(sp.c.store_purchase_id)):
        raw = raw_object(r.raw)
        description = raw.get("description")
        out.append(
            PurchaseRow(
                store_purchase_id=r.store_purchase_id,
                name=r.name or f"store purchase {r.store_purchase_id}",
                description=description if isinstance(description, str) else None,
                type=r.type,
                duration=r.duration,
                retired=bool(r.retired),
                retirement_date=r.retirement_date,
                publish_date=r.publish_date,
                purchase_date=r.purchase_date,
            )
        )
    return out
