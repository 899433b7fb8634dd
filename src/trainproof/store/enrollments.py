"""Reads of enrollments: the compliance facts now or at `as_of`, the rows reports read, one enrollment's history.

The hot read of the store: a million rows are read as plain tuples in batches (SQLite through its own
cursor, PostgreSQL through a server-side cursor) and built straight into facts. See `facts.py` for
what "as it stood at `as_of`" means for an enrollment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, text

from trainproof.compliance.facts import EnrollmentFact
from trainproof.gc_pause import gc_paused
from trainproof.statuses import EnrollmentState, enrollment_state, is_complete
from trainproof.store import schema
from trainproof.store.cursor import instant_reader, plain_rows
from trainproof.store.scoping import account_param, mine

__all__ = ["EnrollmentRow", "enrollment_history", "load_enrollment_rows", "load_enrollments"]

_BIG_IN = 500  # above this many ids, filter in Python instead of an IN list


# Conversions on raw driver values (SQLite: ISO text; PostgreSQL: datetime).


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _bind_dt(conn: Connection, value: datetime) -> Any:
    return schema.UTCDateTime().process_bind_param(value, conn.dialect)


def load_enrollments(
    conn: Connection,
    as_of: datetime | None = None,
    *,
    campaign_ids: Collection[int] | None = None,
    include_removed: bool = False,
) -> list[EnrollmentFact]:
    """Enrollments (with a campaign) now or at `as_of`; see the module docstring for the rules."""
    with gc_paused():
        if as_of is None:
            return _current_enrollments(conn, campaign_ids, include_removed)
        return _enrollments_at(conn, as_of, campaign_ids, include_removed)


def _campaign_filter(campaign_ids: Collection[int] | None, column: str) -> tuple[str, dict[str, Any]]:
    if campaign_ids is None or len(campaign_ids) > _BIG_IN:
        return "", {}
    return f" AND {column} IN :cids", {"cids": sorted({int(i) for i in campaign_ids}) or [-1]}


def _time_reader(conn: Connection) -> Callable[[Any], datetime | None]:
    """Driver value -> aware UTC datetime: SQLite holds ISO text, psycopg already returns datetimes."""
    if conn.dialect.name == "sqlite":
        parse = datetime.fromisoformat
        return lambda v: None if v is None else parse(v)
    return _dt


def _current_enrollments(
    conn: Connection, campaign_ids: Collection[int] | None, include_removed: bool
) -> list[EnrollmentFact]:
    where, params = _campaign_filter(campaign_ids, "campaign_id")
    params.update(account_param(conn))
    removed_col = ", removed_at" if include_removed else ""
    if not include_removed:
        where += " AND removed_at IS NULL"
    # Only columns of ix_enrollments_facts: SQLite answers from the index, never touching the raw JSON.
    sql = (
        "SELECT enrollment_id, user_id, campaign_id, module_key, status,"
        f" enrollment_date, start_date, completion_date{removed_col} FROM enrollments"
        " WHERE account = :account AND campaign_id IS NOT NULL" + where
    )
    wanted = None if campaign_ids is None or "cids" in params else {int(i) for i in campaign_ids}
    sqlite = conn.dialect.name == "sqlite"
    parse = datetime.fromisoformat if sqlite else _dt
    module = _ModuleNames(conn)
    known = module.known.get
    shared: dict[Any, Any] = {}
    one = shared.setdefault  # statuses repeat: keep one copy of each
    fact = EnrollmentFact
    out: list[EnrollmentFact] = []
    append = out.append
    # The hot loop of a million rows: no function call that can be avoided.
    for row in plain_rows(conn, sql, params):
        eid, uid, cid, mkey, status, edate, sdate, cdate = row[:8]
        if wanted is not None and cid not in wanted:
            continue
        key, name, ctype = known(mkey) or module(mkey)
        removed = row[8] if include_removed else None
        append(
            fact(
                eid,
                uid,
                cid,
                key,
                name,
                ctype,
                one(status, status),
                None if edate is None else parse(edate),
                None if sdate is None else parse(sdate),
                None if cdate is None else parse(cdate),
                None if removed is None else parse(removed),
            )
        )
    return out


class _ModuleNames:
    """module_key -> (the shared key string, module name, content type), from the small catalogue tables.

    Keys are "store_purchase:<id>", "policy:<id>" (named by the campaigns' content or the catalogue) or
    "<content type>:<name>"; a key the catalogue does not know is named by one of its enrollments.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[str, tuple[str, str, str | None]] = {}
        self.params = account_param(conn)
        for sql in (
            "SELECT 'store_purchase:' || store_purchase_id, name, content_type FROM store_purchases",
            "SELECT 'policy:' || policy_id, name, content_type FROM policies",
            "SELECT module_key, name, content_type FROM campaign_content",
        ):
            for key, name, ctype in conn.execute(text(sql + " WHERE account = :account"), self.params):
                self.known[key] = (key, name or "", ctype)

    def __call__(self, key: str) -> tuple[str, str, str | None]:
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._lookup(key)
        return found

    def _lookup(self, key: str) -> tuple[str, str, str | None]:
        row = self.conn.execute(
            text(
                "SELECT module_name, content_type FROM enrollments WHERE account = :account AND module_key = :k LIMIT 1"
            ),
            {"k": key, **self.params},
        ).first()
        if row is not None:
            return key, row[0] or "", row[1]
        ctype, _, name = key.partition(":")
        return key, name, ctype or None


def _enrollments_at(
    conn: Connection, as_of: datetime, campaign_ids: Collection[int] | None, include_removed: bool
) -> list[EnrollmentFact]:
    where, params = _campaign_filter(campaign_ids, "v.campaign_id")
    params = {**params, "as_of": _bind_dt(conn, as_of), **account_param(conn)}
    sql = (
        "SELECT v.enrollment_id, v.user_id, v.campaign_id, v.module_key,"
        " v.status, v.enrollment_date, v.start_date, v.completion_date, v.seen_at, v.kind"
        " FROM enrollment_versions v"
        " JOIN (SELECT enrollment_id,"
        "  COALESCE(MAX(CASE WHEN seen_at <= :as_of THEN id END), MIN(id)) AS vid"
        "  FROM enrollment_versions WHERE account = :account GROUP BY enrollment_id) pick ON v.id = pick.vid"
        " WHERE v.campaign_id IS NOT NULL" + where
    )
    wanted = None if campaign_ids is None or "cids" in params else {int(i) for i in campaign_ids}
    module = _ModuleNames(conn)
    dt = _time_reader(conn)
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    out: list[EnrollmentFact] = []
    for eid, uid, cid, mkey, status, edate, sdate, cdate, seen, kind in plain_rows(conn, sql, params):
        if wanted is not None and cid not in wanted:
            continue
        seen_at = dt(seen)
        assert seen_at is not None
        seen_by_then = seen_at <= as_of
        enrollment_date, start_date, completion_date = dt(edate), dt(sdate), dt(cdate)
        removed_at = None
        if kind == "removed":  # only ever chosen when seen by as_of: the earliest version is "new"
            if not include_removed:
                continue
            removed_at = seen_at
        if not seen_by_then and (enrollment_date is None or enrollment_date > as_of):
            continue  # it did not exist yet, as far as anyone can tell
        if start_date is not None and start_date > as_of:
            start_date = None
        if is_complete(status):
            done_by_then = (completion_date is not None and completion_date <= as_of) or (
                completion_date is None and seen_by_then
            )
            if not done_by_then:
                status = "In Progress" if start_date is not None else "Not Started"
                completion_date = None
        elif completion_date is not None and completion_date > as_of:
            completion_date = None
        key, mname, ctype = module(mkey)
        out.append(
            EnrollmentFact(
                eid,
                uid,
                cid,
                key,
                mname,
                ctype,
                one(status, status),
                enrollment_date,
                start_date,
                completion_date,
                removed_at,
            )
        )
    return out


def enrollment_history(conn: Connection, enrollment_id: int) -> list[dict[str, Any]]:
    """Every version of one enrollment, oldest first."""
    v = schema.enrollment_versions
    rows = conn.execute(select(v).where(mine(conn, v), v.c.enrollment_id == enrollment_id).order_by(v.c.id)).mappings()
    return [dict(r) for r in rows]


@dataclass(frozen=True, slots=True)
class EnrollmentRow:
    enrollment_id: int
    user_id: int | None
    user_email: str | None
    campaign_id: int | None
    campaign_name: str | None
    content_type: str | None
    module_name: str | None
    module_key: str
    store_purchase_id: int | None
    policy_id: int | None
    status: str | None
    enrollment_date: datetime | None
    start_date: datetime | None
    completion_date: datetime | None
    time_spent: int | None
    removed: bool

    @property
    def state(self) -> EnrollmentState:
        found = _STATES.get(self.status)
        if found is None:
            found = _STATES[self.status] = enrollment_state(self.status)
        return found

    @property
    def complete(self) -> bool:
        found = _COMPLETE.get(self.status)
        if found is None:
            found = _COMPLETE[self.status] = is_complete(self.status)
        return found


# A status read once per distinct text (a report asks each of 300,000 rows, which hold a handful of statuses).
_STATES: dict[str | None, EnrollmentState] = {}
_COMPLETE: dict[str | None, bool] = {}


def load_enrollment_rows(
    conn: Connection,
    *,
    campaign_ids: Iterable[int] | None = None,
    include_removed: bool = False,
    completed_only: bool = False,
    user_ids: Collection[int] | None = None,
) -> list[EnrollmentRow]:
    """Enrollments (of some campaigns, of some people), in enrollment id order; removed ones, which KnowBe4
    forgot, only when asked; with `completed_only`, those with a completion date (a report still checks
    `complete`).

    Read as plain tuples (`cursor.plain_rows`): reports read every enrollment of a 50,000-person store.
    """
    ids = None if campaign_ids is None else sorted({int(i) for i in campaign_ids})
    where, params = _campaign_filter(ids, "campaign_id")
    params.update(account_param(conn))
    if not include_removed:
        where += " AND removed_at IS NULL"
    if completed_only:
        where += " AND completion_date IS NOT NULL"
    sql = (
        "SELECT enrollment_id, user_id, user_email, campaign_id, campaign_name, content_type, module_name,"
        " module_key, store_purchase_id, policy_id, status, enrollment_date, start_date, completion_date,"
        " time_spent, removed_at FROM enrollments WHERE account = :account" + where + " ORDER BY enrollment_id"
    )
    wanted = None if ids is None or "cids" in params else set(ids)
    people = None if user_ids is None else frozenset(user_ids)
    when = instant_reader(conn)
    shared: dict[Any, Any] = {}
    one = shared.setdefault  # campaign names, module names and statuses repeat: one copy of each
    row = EnrollmentRow
    out: list[EnrollmentRow] = []
    append = out.append
    with gc_paused():
        for (
            eid,
            uid,
            email,
            cid,
            cname,
            ctype,
            mname,
            mkey,
            spid,
            pid,
            status,
            edate,
            sdate,
            cdate,
            spent,
            gone,
        ) in plain_rows(conn, sql, params):
            if (wanted is not None and cid not in wanted) or (people is not None and uid not in people):
                continue
            append(
                row(
                    eid, uid, email, cid, one(cname, cname), one(ctype, ctype), one(mname, mname), one(mkey, mkey),
                    spid, pid, one(status, status), when(edate), when(sdate), when(cdate), spent, gone is not None,
                )
            )  # fmt: skip
    return out
