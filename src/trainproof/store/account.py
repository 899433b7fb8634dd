"""The KnowBe4 account's own record (one row per account in the store), written by every sync."""

from __future__ import annotations

from sqlalchemy import Connection, select

from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = ["account_name"]


def account_name(conn: Connection) -> str | None:
    """The account's name as KnowBe4 reports it; None before the first sync."""
    return conn.execute(select(schema.account.c.name).where(mine(conn, schema.account))).scalar()
