"""KnowBe4 records as the API sent them, rebuilt from the `raw` JSON the store keeps, as the client's models.

A store answer and a live answer then have exactly the same shape (the MCP server's KnowBe4 tools
answer from either). Lists leave out records KnowBe4 no longer returns (the store keeps them, marked
removed), as KnowBe4 leaves them out; a single record is found either way, with the day it went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, Table, func, select

from trainproof.client.models import Enrollment, Policy, StorePurchase, TrainingCampaign
from trainproof.statuses import COMPLETE_API_STATUSES, status_matches
from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = [
    "EnrollmentPage",
    "Stored",
    "campaign_record",
    "campaign_records",
    "completion_percentages",
    "enrollment_page",
    "enrollment_record",
    "policy_record",
    "policy_records",
    "store_purchase_record",
    "store_purchase_records",
]

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Stored(Generic[M]):
    """One record and when KnowBe4 stopped returning it (None: it still does)."""

    record: M
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class EnrollmentPage:
    """One page of a campaign's enrollments, the total matching, and whether pages follow."""

    enrollments: list[Enrollment]
    total: int
    has_more: bool


def _all(conn: Connection, table: Table, key: str, model: type[M]) -> list[M]:
    query = select(table.c.raw).where(mine(conn, table), table.c.removed_at.is_(None)).order_by(table.c[key])
    rows = conn.execute(query)
    return [model.model_validate_json(r.raw) for r in rows]


def _one(conn: Connection, table: Table, key: str, value: int, model: type[M]) -> Stored[M] | None:
    row = conn.execute(select(table.c.raw, table.c.removed_at).where(mine(conn, table), table.c[key] == value)).first()
    return None if row is None else Stored(model.model_validate_json(row.raw), row.removed_at)


def campaign_records(conn: Connection) -> list[TrainingCampaign]:
    return _all(conn, schema.training_campaigns, "campaign_id", TrainingCampaign)


def campaign_record(conn: Connection, campaign_id: int) -> Stored[TrainingCampaign] | None:
    return _one(conn, schema.training_campaigns, "campaign_id", campaign_id, TrainingCampaign)


def store_purchase_records(conn: Connection) -> list[StorePurchase]:
    return _all(conn, schema.store_purchases, "store_purchase_id", StorePurchase)


def store_purchase_record(conn: Connection, store_purchase_id: int) -> Stored[StorePurchase] | None:
    return _one(conn, schema.store_purchases, "store_purchase_id", store_purchase_id, StorePurchase)


def policy_records(conn: Connection) -> list[Policy]:
    return _all(conn, schema.policies, "policy_id", Policy)


def policy_record(conn: Connection, policy_id: int) -> Stored[Policy] | None:
    return _one(conn, schema.policies, "policy_id", policy_id, Policy)


def completion_percentages(conn: Connection, campaign_ids: list[int]) -> dict[int, float]:
    """Completed enrollments / enrollments x 100 per campaign (one decimal), from the stored enrollments."""
    if not campaign_ids:
        return {}
    e = schema.enrollments
    rows = conn.execute(
        select(e.c.campaign_id, e.c.status, func.count())
        .where(mine(conn, e), e.c.campaign_id.in_(campaign_ids), e.c.removed_at.is_(None), e.c.user_id.is_not(None))
        .group_by(e.c.campaign_id, e.c.status)
    )
    done: dict[int, int] = {}
    total: dict[int, int] = {}
    for cid, status, n in rows:
        total[cid] = total.get(cid, 0) + n
        if status_matches(status, COMPLETE_API_STATUSES):
            done[cid] = done.get(cid, 0) + n
    return {cid: round(100.0 * done.get(cid, 0) / n, 1) for cid, n in total.items() if n}


def _enrollment(row: Any) -> Enrollment:
    """The stored API JSON, completed with what the store knows beside it.

    The sync asks for enrollments without the `include_*` flags (it knows the campaign from the filter),
    so the campaign id, purchase id and employee number come from the store's columns.
    """
    e = Enrollment.model_validate_json(row.raw)
    if e.campaign_id is None and row.campaign_id is not None:
        e.campaign_id = row.campaign_id
    if e.store_purchase_id is None and row.store_purchase_id is not None:
        e.store_purchase_id = row.store_purchase_id
    if e.user is not None and e.user.employee_number is None:
        e.user.employee_number = row.user_employee_number or row.employee_number
    return e


def _enrollment_select(conn: Connection, *extra: Any) -> Any:
    e, u = schema.enrollments, schema.users
    columns = (e.c.raw, e.c.campaign_id, e.c.store_purchase_id, e.c.user_employee_number, u.c.employee_number)
    joined = e.outerjoin(u, (u.c.account == e.c.account) & (u.c.id == e.c.user_id))
    return select(*columns, *extra).select_from(joined).where(mine(conn, e))


def enrollment_page(
    conn: Connection, campaign_id: int, page: int, per_page: int, accepted: frozenset[str] | None
) -> EnrollmentPage | None:
    """One page of the campaign's enrollments (status in `accepted` when given), in enrollment_id order.

    None when the store never fetched this campaign's enrollments (no training selects it).
    """
    e, t = schema.enrollments, schema.training_campaigns
    fetched = conn.execute(
        select(t.c.enrollments_fetched_at).where(mine(conn, t), t.c.campaign_id == campaign_id)
    ).scalar_one_or_none()
    if fetched is None:
        return None
    where = [mine(conn, e), e.c.campaign_id == campaign_id, e.c.removed_at.is_(None)]
    if accepted is not None:
        # Which stored status strings the filter matches is decided by trainproof.statuses.
        present = conn.execute(select(e.c.status).where(*where).distinct()).scalars().all()
        where.append(e.c.status.in_([p for p in present if status_matches(p, accepted)]))
    total = conn.execute(select(func.count()).select_from(e).where(*where)).scalar_one()
    rows = conn.execute(
        _enrollment_select(conn).where(*where).order_by(e.c.enrollment_id).limit(per_page).offset((page - 1) * per_page)
    )
    return EnrollmentPage([_enrollment(r) for r in rows], total, page * per_page < total)


def enrollment_record(conn: Connection, enrollment_id: int) -> Stored[Enrollment] | None:
    e = schema.enrollments
    row = conn.execute(_enrollment_select(conn, e.c.removed_at).where(e.c.enrollment_id == enrollment_id)).first()
    return None if row is None else Stored(_enrollment(row), row.removed_at)
