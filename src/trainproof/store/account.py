"""The KnowBe4 account the store mirrors: one row, written by every sync."""

from __future__ import annotations

from sqlalchemy import Connection, select

from trainproof.store import schema

__all__ = ["account_name"]


def account_name(conn: Connection) -> str | None:
    """The account's name as KnowBe4 reports it; None before the first sync."""
    return conn.execute(select(schema.account.c.name)).scalar()
