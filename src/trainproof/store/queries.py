"""The reads the compliance engine, reports, evidence and the sync planner need.

`load_facts(conn, as_of=None)` is the hot one: it returns the compliance facts (people, campaigns,
enrollments, sticky records) either as they are now, or as they stood at `as_of`:

* each enrollment as its version current at `as_of` (the latest `enrollment_versions` row seen by
  then). For a date before the store first saw it, the earliest version is used, and the enrollment
  counts only if its `enrollment_date` is not after `as_of`;
* a completion counts only if `completion_date <= as_of` (or, with no completion date, if a sync saw
  it complete by then); otherwise it is presented as it stood: `In Progress` if started by then, else
  `Not Started`, with no completion date;
* the people population from `user_versions` the same way (people added to KnowBe4 after `as_of`,
  by `joined_on`, are left out; someone archived later is active on `as_of`);
* an enrollment or person marked removed by `as_of` is left out; sticky records recorded by `as_of`,
  with a reset made later not yet applied.

It reads with plain SQL and builds the dataclasses directly: a million enrollments load in seconds.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, case, func, select, text

from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.statuses import is_complete
from trainproof.store import schema

__all__ = [
    "CampaignBookmark",
    "Facts",
    "api_usage_on",
    "campaign_bookmarks",
    "canonical_dump",
    "compliance_events",
    "enrollment_history",
    "last_run",
    "load_campaigns",
    "load_enrollments",
    "load_facts",
    "load_people",
    "recipient_bookmarks",
    "sticky_records",
    "store_counts",
    "sync_runs",
    "user_history",
]

_BIG_IN = 500  # above this many ids, filter in Python instead of an IN list


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the compliance engine judges, resolved for one point in time (None: now)."""

    as_of: datetime | None
    people: tuple[Person, ...]
    campaigns: tuple[Campaign, ...]
    enrollments: tuple[EnrollmentFact, ...]
    sticky: tuple[StickyRecord, ...]


def load_facts(
    conn: Connection,
    as_of: datetime | None = None,
    *,
    campaign_ids: Collection[int] | None = None,
    include_removed: bool = False,
) -> Facts:
    """The compliance facts now, or as they stood at `as_of` (see the module docstring).

    `campaign_ids` limits enrollments to those campaigns (the ones trainings select); `include_removed`
    keeps enrollments KnowBe4 no longer returns, with their `removed_at`.
    """
    return Facts(
        as_of=as_of,
        people=tuple(load_people(conn, as_of)),
        campaigns=tuple(load_campaigns(conn, as_of)),
        enrollments=tuple(load_enrollments(conn, as_of, campaign_ids=campaign_ids, include_removed=include_removed)),
        sticky=tuple(sticky_records(conn, as_of=as_of)),
    )


# --- conversions on raw driver values (SQLite: ISO text; PostgreSQL: datetime) ---------------------


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def _bind_dt(conn: Connection, value: datetime) -> Any:
    return schema.UTCDateTime().process_bind_param(value, conn.dialect)


def _json_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else []  # pyright: ignore[reportUnknownVariableType]
    return list(value) if isinstance(value, list) else []  # pyright: ignore[reportUnknownArgumentType]


# --- people ------------------------------------------------------------------------------------------


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
        ).order_by(u.c.id)
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
        .group_by(v.c[fk])
        .subquery()
    )
    rows = conn.execute(select(v).join(pick, v.c.id == pick.c.vid)).all()
    return {getattr(r, fk): r for r in rows}


def _members_at(conn: Connection, as_of: datetime) -> dict[int, tuple[int, ...]]:
    """Group ids per user at `as_of`; memberships seen in the store's first sync count from before it."""
    gm = schema.group_members
    baseline = conn.execute(select(func.min(gm.c.first_seen_at))).scalar()
    rows = conn.execute(select(gm.c.user_id, gm.c.group_id, gm.c.first_seen_at, gm.c.removed_at)).all()
    out: dict[int, list[int]] = {}
    for r in rows:
        started = r.first_seen_at <= as_of or r.first_seen_at == baseline
        ended = r.removed_at is not None and r.removed_at <= as_of
        if started and not ended:
            out.setdefault(r.user_id, []).append(r.group_id)
        else:
            out.setdefault(r.user_id, [])
    return {k: tuple(sorted(g)) for k, g in out.items()}


# --- campaigns ---------------------------------------------------------------------------------------


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


# --- enrollments -------------------------------------------------------------------------------------


def load_enrollments(
    conn: Connection,
    as_of: datetime | None = None,
    *,
    campaign_ids: Collection[int] | None = None,
    include_removed: bool = False,
) -> list[EnrollmentFact]:
    """Enrollments (with a campaign) now or at `as_of`; see the module docstring for the rules."""
    with _collector_paused():
        if as_of is None:
            return _current_enrollments(conn, campaign_ids, include_removed)
        return _enrollments_at(conn, as_of, campaign_ids, include_removed)


@contextlib.contextmanager
def _collector_paused() -> Generator[None]:
    """Pause the cyclic garbage collector while a million facts are built.

    Building them creates no reference cycles, yet every 700 allocations the collector would walk the
    young objects, and now and then the whole growing list: about a third of the load time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _campaign_filter(campaign_ids: Collection[int] | None, column: str) -> tuple[str, dict[str, Any]]:
    if campaign_ids is None or len(campaign_ids) > _BIG_IN:
        return "", {}
    return f" AND {column} IN :cids", {"cids": sorted({int(i) for i in campaign_ids}) or [-1]}


def _run(conn: Connection, sql: str, params: dict[str, Any]) -> Any:
    stmt = text(sql).execution_options(stream_results=True)  # PostgreSQL: a server-side cursor
    if "cids" in params:
        stmt = stmt.bindparams(bindparam("cids", expanding=True))
    return conn.execute(stmt, params)


def _rows(conn: Connection, sql: str, params: dict[str, Any]) -> Iterator[Sequence[Any]]:
    """Plain row tuples in batches: bounded memory on both dialects, no per-row fetch call.

    SQLite is read through its own cursor (named parameters are its native style), which skips
    SQLAlchemy's row objects; PostgreSQL through a server-side cursor.
    """
    if conn.dialect.name != "sqlite":
        result = _run(conn, sql, params)
        try:
            for batch in result.partitions(20_000):
                yield from batch
        finally:
            result.close()
        return
    flat = dict(params)
    ids = flat.pop("cids", None)
    if ids is not None:
        names = [f"c{i}" for i in range(len(ids))]
        sql = sql.replace(":cids", "(" + ", ".join(f":{n}" for n in names) + ")")
        flat.update(zip(names, ids, strict=True))
    conn.execute(text("SELECT 1"))  # make sure the connection's transaction has begun, as SQLAlchemy does
    cursor = conn.connection.dbapi_connection.cursor()  # pyright: ignore[reportOptionalMemberAccess]
    try:
        cursor.execute(sql, flat)
        while batch := cursor.fetchmany(20_000):
            yield from batch
    finally:
        cursor.close()


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
    removed_col = ", removed_at" if include_removed else ""
    if not include_removed:
        where += " AND removed_at IS NULL"
    # Only columns of ix_enrollments_facts: SQLite answers from the index, never touching the raw JSON.
    sql = (
        "SELECT enrollment_id, user_id, campaign_id, module_key, status,"
        f" enrollment_date, start_date, completion_date{removed_col} FROM enrollments"
        " WHERE campaign_id IS NOT NULL" + where
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
    for row in _rows(conn, sql, params):
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
        for sql in (
            "SELECT 'store_purchase:' || store_purchase_id, name, content_type FROM store_purchases",
            "SELECT 'policy:' || policy_id, name, content_type FROM policies",
            "SELECT module_key, name, content_type FROM campaign_content",
        ):
            for key, name, ctype in conn.execute(text(sql)):
                self.known[key] = (key, name or "", ctype)

    def __call__(self, key: str) -> tuple[str, str, str | None]:
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._lookup(key)
        return found

    def _lookup(self, key: str) -> tuple[str, str, str | None]:
        row = self.conn.execute(
            text("SELECT module_name, content_type FROM enrollments WHERE module_key = :k LIMIT 1"), {"k": key}
        ).first()
        if row is not None:
            return key, row[0] or "", row[1]
        ctype, _, name = key.partition(":")
        return key, name, ctype or None


def _enrollments_at(
    conn: Connection, as_of: datetime, campaign_ids: Collection[int] | None, include_removed: bool
) -> list[EnrollmentFact]:
    where, params = _campaign_filter(campaign_ids, "v.campaign_id")
    params = {**params, "as_of": _bind_dt(conn, as_of)}
    sql = (
        "SELECT v.enrollment_id, v.user_id, v.campaign_id, v.module_key,"
        " v.status, v.enrollment_date, v.start_date, v.completion_date, v.seen_at, v.kind"
        " FROM enrollment_versions v"
        " JOIN (SELECT enrollment_id,"
        "  COALESCE(MAX(CASE WHEN seen_at <= :as_of THEN id END), MIN(id)) AS vid"
        "  FROM enrollment_versions GROUP BY enrollment_id) pick ON v.id = pick.vid"
        " WHERE v.campaign_id IS NOT NULL" + where
    )
    wanted = None if campaign_ids is None or "cids" in params else {int(i) for i in campaign_ids}
    module = _ModuleNames(conn)
    dt = _time_reader(conn)
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    out: list[EnrollmentFact] = []
    for eid, uid, cid, mkey, status, edate, sdate, cdate, seen, kind in _rows(conn, sql, params):
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
    rows = conn.execute(select(v).where(v.c.enrollment_id == enrollment_id).order_by(v.c.id)).mappings()
    return [dict(r) for r in rows]


def user_history(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """Every version of one user's population fields, oldest first."""
    v = schema.user_versions
    rows = conn.execute(select(v).where(v.c.user_id == user_id).order_by(v.c.id)).mappings()
    return [dict(r) for r in rows]


# --- sticky records and the decision log ---------------------------------------------------------------


def sticky_records(
    conn: Connection,
    *,
    as_of: datetime | None = None,
    training: str | None = None,
    user_ids: Iterable[int] | None = None,
    open_only: bool = False,
) -> list[StickyRecord]:
    """Sticky records, as they stood at `as_of` (recorded by then; a later reset not yet applied).

    `open_only` keeps the records that hold (not reset) at `as_of` (or now).
    """
    from trainproof.compliance.facts import EnrollmentFact as _EF

    s = schema.sticky_records
    query = select(s).order_by(s.c.id)
    if training is not None:
        query = query.where(s.c.training == training)
    if user_ids is not None:
        ids = sorted({int(i) for i in user_ids})
        query = query.where(s.c.user_id.in_(ids))
    if as_of is not None:
        query = query.where(s.c.recorded_at <= as_of)
    out: list[StickyRecord] = []
    for r in conn.execute(query):
        reset_at, reset_reason = r.reset_at, r.reset_reason
        if as_of is not None and reset_at is not None and reset_at > as_of:
            reset_at, reset_reason = None, None
        if open_only and reset_at is not None:
            continue
        earned = json.loads(r.earned_by)
        out.append(
            StickyRecord(
                user_id=r.user_id,
                training=r.training,
                compliant_since=r.compliant_since,
                earned_by=tuple(_EF.from_dict(e) for e in earned),
                recorded_at=r.recorded_at,
                reset_at=reset_at,
                reset_reason=reset_reason,
                record_id=r.id,
            )
        )
    return out


def compliance_events(
    conn: Connection, *, user_id: int | None = None, training: str | None = None
) -> list[dict[str, Any]]:
    """The decision and reset log, oldest first."""
    e = schema.compliance_events
    query = select(e).order_by(e.c.id)
    if user_id is not None:
        query = query.where(e.c.user_id == user_id)
    if training is not None:
        query = query.where(e.c.training == training)
    return [dict(r) for r in conn.execute(query).mappings()]


# --- sync bookkeeping ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignBookmark:
    """What the store knows about a training campaign, for the sync planner."""

    campaign_id: int
    name: str | None
    status: str | None
    removed: bool
    fetched_at: datetime | None
    fetched_status: str | None
    enrollment_count: int | None
    stored_enrollments: int


def campaign_bookmarks(conn: Connection) -> dict[int, CampaignBookmark]:
    c = schema.training_campaigns
    e = schema.enrollments
    counts = dict(
        conn.execute(
            select(e.c.campaign_id, func.count())
            .where(e.c.removed_at.is_(None), e.c.campaign_id.is_not(None))
            .group_by(e.c.campaign_id)
        ).all()
    )
    rows = conn.execute(
        select(
            c.c.campaign_id,
            c.c.name,
            c.c.status,
            c.c.removed_at,
            c.c.enrollments_fetched_at,
            c.c.enrollments_fetched_status,
            c.c.enrollment_count,
        )
    ).all()
    return {
        r.campaign_id: CampaignBookmark(
            campaign_id=r.campaign_id,
            name=r.name,
            status=r.status,
            removed=r.removed_at is not None,
            fetched_at=r.enrollments_fetched_at,
            fetched_status=r.enrollments_fetched_status,
            enrollment_count=r.enrollment_count,
            stored_enrollments=int(counts.get(r.campaign_id, 0)),
        )
        for r in rows
    }


def recipient_bookmarks(conn: Connection) -> dict[int, tuple[str | None, int | None]]:
    """Per security test: (its status when its recipients were last fetched, how many there were)."""
    s = schema.security_tests
    rows = conn.execute(
        select(s.c.pst_id, s.c.recipients_fetched_status, s.c.recipient_count).where(
            s.c.recipients_fetched_at.is_not(None)
        )
    ).all()
    return {r.pst_id: (r.recipients_fetched_status, r.recipient_count) for r in rows}


def sync_runs(conn: Connection, *, limit: int = 20, outcome: str | None = None) -> list[dict[str, Any]]:
    """The most recent sync runs, newest first."""
    r = schema.sync_runs
    query = select(r).order_by(r.c.id.desc()).limit(limit)
    if outcome is not None:
        query = query.where(r.c.outcome == outcome)
    return [dict(row) for row in conn.execute(query).mappings()]


def last_run(conn: Connection, *, outcome: str | None = "ok") -> dict[str, Any] | None:
    runs = sync_runs(conn, limit=1, outcome=outcome)
    return runs[0] if runs else None


def api_usage_on(conn: Connection, day: date) -> int:
    """Requests trainproof's syncs spent on `day` (UTC), as recorded in this store."""
    a = schema.api_usage
    return int(conn.execute(select(a.c.requests).where(a.c.day == day)).scalar() or 0)


def store_counts(conn: Connection) -> dict[str, int]:
    """Rows per mirror table that KnowBe4 still returns (removed ones left out)."""
    out: dict[str, int] = {}
    for name in (
        "users",
        "groups",
        "training_campaigns",
        "store_purchases",
        "policies",
        "enrollments",
        "phishing_campaigns",
        "security_tests",
        "security_test_recipients",
    ):
        t = schema.metadata.tables[name]
        out[name] = int(conn.execute(select(func.count()).select_from(t).where(t.c.removed_at.is_(None))).scalar_one())
    return out


# --- canonical dump -------------------------------------------------------------------------------------

# Columns that legitimately differ between two stores holding the same content: surrogate ids, run
# ids and the wall-clock times a sync ran.
_VOLATILE = {"id", "run_id", "last_run_id", "enrollments_fetched_run_id"}
_RUN_TABLES = {"sync_runs", "api_usage"}


def _canon(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    return value


def canonical_dump(
    conn: Connection, *, tables: Sequence[str] | None = None, keep_times: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows in a dialect-neutral, deterministic form, to compare stores and snapshots.

    Sync runs and usage are left out (they record requests and ids, not content), as are surrogate
    ids; rows are sorted. `keep_times=False` also drops the bookkeeping timestamps.
    """
    names = tables or [t for t in schema.metadata.tables if t not in _RUN_TABLES]
    dump: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        table = schema.metadata.tables[name]
        rows: list[dict[str, Any]] = []
        for r in conn.execute(select(table)).mappings():
            row = {k: _canon(v) for k, v in r.items() if k not in _VOLATILE}
            if not keep_times:
                for k in ("first_seen_at", "last_seen_at", "changed_at", "seen_at", "enrollments_fetched_at"):
                    row.pop(k, None)
            rows.append(row)
        keys = [c.name for c in table.primary_key.columns if c.name not in _VOLATILE]
        if keys:
            rows.sort(key=lambda d: tuple(d[k] for k in keys))
        else:  # surrogate keys only (history, events): order by content
            rows.sort(key=lambda d: json.dumps(d, sort_keys=True, default=str))
        dump[name] = rows
    return dump
