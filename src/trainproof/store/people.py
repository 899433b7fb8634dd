"""Reads of people: the population now or as it stood at `as_of`, the rows reports read, one user's history.

People added to KnowBe4 after `as_of` (by `joined_on`) are left out, someone archived later is active
on `as_of`, and group memberships are the ones held then (see `facts.py` for the whole rule set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table, case, func, select

from trainproof.compliance.facts import Person
from trainproof.gc_pause import gc_paused
from trainproof.store import schema
from trainproof.store.cursor import instant_reader, plain_rows
from trainproof.store.raw import group_ids
from trainproof.store.scoping import account_param, mine

__all__ = ["UserRow", "active_user_ids", "load_people", "load_user_rows", "user_history"]


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else []  # pyright: ignore[reportUnknownVariableType]
    return list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]


def load_people(conn: Connection, as_of: datetime | None = None) -> list[Person]:
    """Every user KnowBe4 returns (archived too), as they stood at `as_of`; removed users left out."""
    u = schema.users
    rows = conn.execute(
        select(
            u.c.id,
            u.c.email,
            u.c.first_name,
            u.c.last_name,
            u.c.department,
            u.c.division,
            u.c.location,
            u.c.manager_name,
            u.c.manager_email,
            u.c.employee_number,
            u.c.status,
            u.c.joined_on,
            u.c.employee_start_date,
            u.c.archived_at,
            u.c.group_ids,
            u.c.removed_at,
        )
        .where(mine(conn, u))
        .order_by(u.c.id)
    ).all()
    if as_of is None:
        return [
            Person(
                user_id=r.id,
                email=r.email or "",
                first_name=r.first_name,
                last_name=r.last_name,
                department=r.department,
                division=r.division,
                location=r.location,
                manager_name=r.manager_name,
                manager_email=r.manager_email,
                employee_number=r.employee_number,
                status=r.status,
                joined_on=r.joined_on,
                employee_start_date=r.employee_start_date,
                archived_at=r.archived_at,
                groups=tuple(int(g) for g in _json_list(r.group_ids)),
            )
            for r in rows
            if r.removed_at is None
        ]

    versions = _versions_at(conn, schema.user_versions, "user_id", as_of)
    members = _members_at(conn, as_of)
    people: list[Person] = []
    for r in rows:
        v = versions.get(r.id)
        if v is None:
            continue
        seen_by_then = v.seen_at <= as_of
        if v.kind == "removed" and seen_by_then:
            continue
        if not seen_by_then and r.joined_on is not None and r.joined_on > as_of:
            continue  # added to KnowBe4 after as_of
        status, archived_at = v.status, v.archived_at
        if archived_at is not None and archived_at > as_of:
            status, archived_at = "active", None
        people.append(
            Person(
                user_id=r.id,
                email=v.email or "",
                first_name=r.first_name,
                last_name=r.last_name,
                department=v.department,
                division=v.division,
                location=v.location,
                manager_name=r.manager_name,
                manager_email=v.manager_email,
                employee_number=r.employee_number,
                status=status,
                joined_on=r.joined_on,
                employee_start_date=v.employee_start_date,
                archived_at=archived_at,
                groups=members.get(r.id, tuple(int(g) for g in _json_list(r.group_ids))),
            )
        )
    return people


def _versions_at(conn: Connection, versions: Table, fk: str, as_of: datetime) -> dict[int, Any]:
    """Per record, its version current at `as_of`, else its earliest version (ids grow with time)."""
    v = versions
    pick = (
        select(
            v.c[fk].label("fk"),
            func.coalesce(func.max(case((v.c.seen_at <= as_of, v.c.id))), func.min(v.c.id)).label("vid"),
        )
        .where(mine(conn, v))
        .group_by(v.c[fk])
        .subquery()
    )
    rows = conn.execute(select(v).join(pick, v.c.id == pick.c.vid)).all()
    return {getattr(r, fk): r for r in rows}


def _members_at(conn: Connection, as_of: datetime) -> dict[int, tuple[int, ...]]:
    """Group ids per user at `as_of`; memberships seen in the store's first sync count from before it."""
    gm = schema.group_members
    baseline = conn.execute(select(func.min(gm.c.first_seen_at)).where(mine(conn, gm))).scalar()
    rows = conn.execute(
        select(gm.c.user_id, gm.c.group_id, gm.c.first_seen_at, gm.c.removed_at).where(mine(conn, gm))
    ).all()
    out: dict[int, list[int]] = {}
    for r in rows:
        started = r.first_seen_at <= as_of or r.first_seen_at == baseline
        ended = r.removed_at is not None and r.removed_at <= as_of
        if started and not ended:
            out.setdefault(r.user_id, []).append(r.group_id)
        else:
            out.setdefault(r.user_id, [])
    return {k: tuple(sorted(g)) for k, g in out.items()}


def active_user_ids(conn: Connection) -> frozenset[int]:
    """The people KnowBe4 still lists whose status is active (a missing status counts as active)."""
    u = schema.users
    query = select(u.c.id).where(
        mine(conn, u), u.c.removed_at.is_(None), func.lower(func.coalesce(u.c.status, "active")) == "active"
    )
    return frozenset(int(uid) for uid in conn.execute(query).scalars())


def user_history(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """Every version of one user's population fields, oldest first."""
    v = schema.user_versions
    rows = conn.execute(select(v).where(mine(conn, v), v.c.user_id == user_id).order_by(v.c.id)).mappings()
    return [dict(r) for r in rows]


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    department: str | None
    division: str | None
    location: str | None
    manager_name: str | None
    manager_email: str | None
    employee_start_date: datetime | None
    joined_on: datetime | None
    status: str | None
    archived_at: datetime | None
    group_ids: tuple[int, ...]
    phish_prone_percentage: float | None
    removed: bool

    @property
    def name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or (self.email or f"user {self.id}")

    @property
    def started(self) -> datetime | None:
        """When the person started: the HR start date, else when KnowBe4 first saw them."""
        return self.employee_start_date or self.joined_on

    def active_at(self, at: datetime) -> bool:
        """In KnowBe4's active population at `at` (archived users leave it from archived_at)."""
        if self.removed:
            return False
        if self.archived_at is not None:
            return self.archived_at > at
        return (self.status or "active").lower() != "archived"


def load_user_rows(conn: Connection, *, include_removed: bool = False) -> dict[int, UserRow]:
    """Every user the store knows (archived ones too: reports decide who is in the population).

    Read as plain tuples (`cursor.plain_rows`), each distinct date and text once: reports read all
    50,000 people of a large store.
    """
    sql = (
        "SELECT id, email, first_name, last_name, department, division, location, manager_name, manager_email,"
        " employee_start_date, joined_on, status, archived_at, group_ids, phish_prone_percentage, removed_at"
        " FROM users WHERE account = :account" + ("" if include_removed else " AND removed_at IS NULL")
    )
    when = instant_reader(conn)
    shared: dict[Any, Any] = {}
    one = shared.setdefault  # departments, managers and statuses repeat: one copy of each
    sqlite = conn.dialect.name == "sqlite"
    row = UserRow
    out: dict[int, UserRow] = {}
    with gc_paused():
        for (
            uid,
            email,
            first,
            last,
            dept,
            div,
            loc,
            mname,
            memail,
            start,
            joined,
            status,
            gone,
            ids,
            ppp,
            removed,
        ) in plain_rows(conn, sql, account_param(conn)):
            groups = group_ids(orjson.loads(ids) if sqlite and ids is not None else ids)
            out[uid] = row(
                uid, email, first, last, one(dept, dept), one(div, div), one(loc, loc), one(mname, mname),
                one(memail, memail), when(start), when(joined), one(status, status), when(gone), groups, ppp,
                removed is not None,
            )  # fmt: skip
    return out
