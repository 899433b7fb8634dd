"""Is the store whole? SQLite's integrity check, and the health report `trainproof db check` prints.

A damaged SQLite file can still answer most reads: SQLite only notices a bad page when a query walks
it. So a sync could write into a damaged file and an evidence pack could be built from one without a
word, while another command later fails. `require_intact` runs `PRAGMA quick_check` (SQLite's
documented O(N) check of every page, without the slower index-content cross-check) before a sync
writes and before evidence is built. PostgreSQL guards its own pages (checksums, WAL); there the
check is that the server answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, inspect

from trainproof.errors import StoreError
from trainproof.store.failures import RESTORE, StoreDamagedError, driver_message

__all__ = ["StoreHealth", "check_store", "quick_check", "require_intact"]

_MAX_PROBLEMS = 20


def quick_check(conn: Connection) -> list[str]:
    """SQLite's quick_check findings (at most 20); empty when the file is whole or on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("SELECT 1").scalar_one()
        return []
    try:
        rows = conn.exec_driver_sql(f"PRAGMA quick_check({_MAX_PROBLEMS})").scalars().all()
    except StoreDamagedError as exc:  # damage where the check starts (the schema, a root page)
        return [driver_message(exc.__cause__ or exc)]
    found = [str(r) for r in rows]
    return [] if found == ["ok"] else found


def _damaged(where: str, problems: list[str]) -> StoreDamagedError:
    more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
    return StoreDamagedError(f"{where} is damaged (SQLite quick_check: {problems[0][:200]}{more})", RESTORE)


def require_intact(engine: Engine) -> None:
    """Raise StoreDamagedError (with what to do) unless the store passes SQLite's quick_check."""
    from trainproof.store.db import store_label

    with engine.connect() as conn:
        problems = quick_check(conn)
    if problems:
        raise _damaged(store_label(engine.url), problems)


@dataclass
class StoreHealth:
    """What `trainproof db check` found: integrity, schema revision against this trainproof's, row counts."""

    where: str
    integrity: list[str]
    revision: str | None
    head: str
    schema: str  # current, empty, behind, newer (a revision this trainproof does not know), foreign
    counts: dict[str, int] = field(default_factory=dict[str, int])
    problem: StoreError | None = None  # the first thing wrong, as the error to raise


def check_store(engine: Engine) -> StoreHealth:
    """Everything `db check` reports, read without writing: integrity first, then schema, then counts."""
    from trainproof.store.contents import store_counts
    from trainproof.store.db import current_revision, head_revision, known_revisions, schema_problem, store_label

    where = store_label(engine.url)
    head = head_revision()
    with engine.connect() as conn:
        integrity = quick_check(conn)
        if integrity:
            return StoreHealth(where, integrity, None, head, "unknown", problem=_damaged(where, integrity))
        revision = current_revision(conn)
        has_tables = bool(inspect(conn).get_table_names())
        problem = schema_problem(revision, has_tables=has_tables, where=where)
        if revision == head:
            state = "current"
        elif revision is None:
            state = "foreign" if has_tables else "empty"
        else:
            state = "behind" if revision in known_revisions() else "newer"
        counts = store_counts(conn) if state == "current" else {}
        conn.rollback()
    return StoreHealth(where, [], revision, head, state, counts, problem)
