"""The compliance facts in one call: people, campaigns, enrollments and sticky records, now or at `as_of`.

`load_facts(conn, as_of=None)` is the hot read. As they stood at `as_of`:

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

Every part is read with plain column queries and built straight into the facts, no SQLAlchemy row
processing per value: `enrollments.py` reads the enrollments (SQLite's own cursor, in batches), and
the people of now and the sticky records are read here the same way, their JSON parsed by orjson
and each distinct date text parsed once. At 50,000 people (150,000 kept records, 300,000
enrollments) that is what made `trainproof status` fit its 2 seconds: the per-value type processing
of the general readers (`people.load_people`, `sticky.sticky_records`) cost several times the read
itself. A past `as_of` (version history, group memberships) goes through `people.load_people`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, text

from trainproof.compliance.facts import Campaign, EnrollmentFact, Person, StickyRecord
from trainproof.gc_pause import gc_paused
from trainproof.store.campaigns import load_campaigns
from trainproof.store.enrollments import load_enrollments
from trainproof.store.people import load_people
from trainproof.store.schema import UTCDateTime
from trainproof.store.scoping import account_param

__all__ = ["Facts", "load_facts", "load_sticky_facts"]


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
    with gc_paused():
        enrollments = tuple(load_enrollments(conn, as_of, campaign_ids=campaign_ids, include_removed=include_removed))
        return Facts(
            as_of=as_of,
            people=tuple(_current_people(conn) if as_of is None else load_people(conn, as_of)),
            campaigns=tuple(load_campaigns(conn, as_of)),
            enrollments=enrollments,
            sticky=tuple(load_sticky_facts(conn, as_of, same_as=enrollments)),
        )


def _when(value: Any) -> datetime | None:
    """Driver or snapshot value -> aware UTC datetime.

    SQLite holds fixed-width ISO text with its offset (`schema.UTCDateTime`), PostgreSQL returns
    datetimes, and a kept snapshot (`EnrollmentFact.to_dict`) is ISO text on both; `datetime.fromisoformat`
    reads the text at C speed, and "+00:00" comes back as `UTC` itself, so the common case is one check.
    """
    if value is None:
        return None
    parsed: datetime = _parse(value) if value.__class__ is str else value
    if parsed.tzinfo is UTC:
        return parsed
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_parse = datetime.fromisoformat


def _json(value: Any) -> Any:
    """A JSON column's value: text on SQLite, already parsed on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _current_people(conn: Connection) -> list[Person]:
    """Every user KnowBe4 returns now (archived too), removed users left out; in user id order."""
    sql = (
        "SELECT id, email, first_name, last_name, department, division, location, manager_name, manager_email,"
        " employee_number, status, joined_on, employee_start_date, archived_at, group_ids"
        " FROM users WHERE account = :account AND removed_at IS NULL ORDER BY id"
    )
    person, when = Person, _when
    one = _one_copy()
    out: list[Person] = []
    append = out.append
    result = conn.execute(text(sql), account_param(conn))
    for rows in result.partitions(_BATCH):
        for uid, email, first, last, dept, div, loc, mname, memail, number, status, joined, start, gone, ids in rows:
            groups = _json(ids)
            append(
                person(
                    uid, email or "", first, last, one(dept, dept), one(div, div), one(loc, loc), one(mname, mname),
                    one(memail, memail), number, one(status, status), when(joined), when(start), when(gone),
                    tuple(map(int, groups)) if isinstance(groups, list) else (),  # pyright: ignore[reportUnknownArgumentType]
                )
            )  # fmt: skip
    return out


_BATCH = 10_000  # rows fetched at a time: one driver call per batch, not per row


def _one_copy() -> Callable[[Any, Any], Any]:
    """`one(text, text)`: the first copy of each equal text (departments, statuses, module names repeat by the
    thousand: one string object each instead of one per row)."""
    copies: dict[Any, Any] = {}
    return copies.setdefault


def _moments() -> Callable[[Any], datetime | None]:
    """`_when` for values that repeat (an enrollment date is a campaign's, a record time a run's): each distinct
    value read once, one datetime object shared."""
    seen: dict[Any, datetime | None] = {}

    def moment(value: Any) -> datetime | None:
        found = seen.get(value)
        if found is None and value is not None:
            found = seen[value] = _when(value)
        return found

    return moment


def load_sticky_facts(
    conn: Connection, as_of: datetime | None = None, *, same_as: Iterable[EnrollmentFact] = ()
) -> list[StickyRecord]:
    """Every sticky record as it stood at `as_of` (recorded by then; a later reset not yet applied), in id order.

    What `sticky.sticky_records(conn, as_of=as_of)` returns, read for judging: each record's frozen
    enrollments are what the engine holds a kept decision on, so all of them are parsed. A snapshot is
    the JSON `EnrollmentFact.to_dict` wrote, read back as `EnrollmentFact.from_dict` reads it.

    A frozen enrollment equal to one of `same_as` (the enrollments loaded beside the records: usually
    unchanged since the record was kept) is that object: at 50,000 people, 150,000 fewer facts in memory.
    """
    sql = (
        "SELECT id, user_id, training, compliant_since, earned_by, recorded_at, reset_at, reset_reason"
        " FROM sticky_records WHERE account = :account"
    )
    params: dict[str, Any] = account_param(conn)
    if as_of is not None:
        sql += " AND recorded_at <= :as_of"
        params["as_of"] = UTCDateTime().process_bind_param(as_of, conn.dialect)
    fact, record, when, loads = EnrollmentFact, StickyRecord, _when, orjson.loads
    one = _one_copy()
    moment = _moments()
    loaded = {e.enrollment_id: e for e in same_as}

    def known(built: EnrollmentFact) -> EnrollmentFact:
        same = loaded.get(built.enrollment_id)
        return same if same is not None and same == built else built

    out: list[StickyRecord] = []
    append = out.append
    result = conn.execute(text(sql + " ORDER BY id"), params)
    for rows in result.partitions(_BATCH):
        for rid, uid, training, since, earned, recorded, reset_at, reset_reason in rows:
            reset = when(reset_at)
            if as_of is not None and reset is not None and reset > as_of:
                reset, reset_reason = None, None
            snapshot = tuple(
                [
                    known(fact(
                        e["enrollment_id"], e.get("user_id"), e["campaign_id"], one(k := e["module_key"], k),
                        one(n := e["module_name"], n), one(c := e.get("content_type"), c), one(t := e.get("status"), t),
                        moment(e.get("enrollment_date")), when(e.get("start_date")), when(e.get("completion_date")),
                        when(e.get("removed_at")),
                    ))
                    for e in loads(earned)
                ]
            )  # fmt: skip
            kept_since, kept_at = when(since), moment(recorded)
            assert kept_since is not None  # NOT NULL columns
            assert kept_at is not None
            append(record(uid, one(training, training), kept_since, snapshot, kept_at, reset, reset_reason, rid))
    return out
