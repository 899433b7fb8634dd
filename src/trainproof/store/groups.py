"""Reads of KnowBe4 groups: the names people type to mean a group (`trainproof people --group Sales`).

People carry their group ids (KnowBe4's `groups` on a user); the names live in the groups table,
removed groups left out like everywhere else.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from trainproof.store import schema
from trainproof.store.scoping import mine

__all__ = ["group_names"]


def group_names(conn: Connection) -> dict[int, str]:
    """Group id -> name of every group KnowBe4 still returns (a group without a name is left out)."""
    g = schema.groups
    rows = conn.execute(select(g.c.id, g.c.name).where(mine(conn, g), g.c.removed_at.is_(None)))
    return {int(gid): str(name) for gid, name in rows if name}
