"""Opening the store: engines for SQLite and PostgreSQL, owner-only files, migrations.

SQLite runs in WAL mode with `synchronous=FULL`, so a process killed at any moment leaves the last
committed state readable, and readers never block the (single) sync writer. Transactions that write
start with `BEGIN IMMEDIATE` (see `write_transaction`): taking the write lock up front avoids the
deadlock SQLite reports when two readers both try to upgrade to writers.

PostgreSQL sessions run in UTC. Either way the schema is created and upgraded only by the Alembic
migrations shipped in `trainproof/store/migrations/`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import StaticPool

from trainproof.errors import StoreError
from trainproof.store.failures import on_driver_error
from trainproof.store.scoping import DEFAULT_ACCOUNT, bind_account

__all__ = [
    "HEAD",
    "create_store_engine",
    "current_revision",
    "downgrade",
    "ensure_schema",
    "head_revision",
    "known_revisions",
    "redact_url",
    "schema_problem",
    "sqlite_path",
    "store_label",
    "stored_revision",
    "upgrade",
    "write_transaction",
]

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0003"
"""The newest migration in `migrations/` (tests/store/test_head.py checks it against Alembic's head).

Known without importing Alembic: every command opens the store and checks its schema version, and
importing Alembic to read that one row cost more than a whole `trainproof status` may take."""
_IMMEDIATE = "trainproof_begin_immediate"
BUSY_TIMEOUT_MS = 30_000


def _parse(url: str | URL) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(
            f"'{redact_url(str(url))}' is not a database URL",
            "use sqlite:///path/to/trainproof.db or postgresql+psycopg://user:pass@host/db",
        ) from None


def redact_url(url: str | URL) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def store_label(url: str | URL) -> str:
    """How messages name the store: `the store /path/to/file.db` or `the store at <URL, no password>`."""
    path = sqlite_path(url)
    return f"the store {path}" if path is not None else f"the store at {redact_url(url)}"


def sqlite_path(url: str | URL) -> Path | None:
    """The file behind a SQLite URL; None for an in-memory database or another dialect."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    if database.startswith("file:"):
        database = database[5:].split("?", 1)[0]
    return Path(database)


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, before SQLite creates it with the umask.

    SQLite gives the -wal and -shm files the permissions of the database file, so they are private too.
    """
    if path.exists():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # private too: no one may plant a -wal
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
    except OSError as exc:
        raise StoreError(
            f"cannot create the store {path} ({exc.strerror or type(exc).__name__})",
            "check that this user may write in its folder, or point TRAINPROOF_DATABASE_URL elsewhere",
        ) from exc


def create_store_engine(url: str | URL, *, account: str = DEFAULT_ACCOUNT, **kwargs: Any) -> Engine:
    """An Engine for the store, with the per-dialect session settings trainproof relies on.

    It answers for one KnowBe4 `account` ([accounts.NAME]; `default` for a single-account file): every
    store function reads and writes that account's rows only (`scoping.py`).

    Its driver errors that describe the store's condition (damaged, read-only, not a database, server
    gone) are raised as StoreError with what to do (see `failures.py`), whichever command hit them.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            kwargs.setdefault("poolclass", StaticPool)
            kwargs.setdefault("connect_args", {"check_same_thread": False})
        else:
            _create_private_file(path)
            kwargs.setdefault("connect_args", {"timeout": BUSY_TIMEOUT_MS / 1000})
        engine = create_engine(parsed, **kwargs)
        _sqlite_events(engine, wal=path is not None)
        event.listen(engine, "handle_error", on_driver_error)
        return bind_account(engine, account)
    if backend == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
        _postgres_events(engine)
        event.listen(engine, "handle_error", on_driver_error)
        return bind_account(engine, account)
    raise StoreError(
        f"unsupported database '{backend}'",
        "use SQLite (sqlite:///trainproof.db) or PostgreSQL (postgresql+psycopg://...)",
    )


def _sqlite_events(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:  # pyright: ignore[reportUnusedFunction]
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if wal:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA temp_store = FILE")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:  # pyright: ignore[reportUnusedFunction]
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgres_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:  # pyright: ignore[reportUnusedFunction]
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cur = dbapi_conn.cursor()
        try:
            cur.execute("SET TIME ZONE 'UTC'")
        finally:
            cur.close()
        dbapi_conn.autocommit = autocommit


@contextlib.contextmanager
def write_transaction(conn: Connection) -> Generator[Connection]:
    """One transaction that will write: takes SQLite's write lock at BEGIN; commits or rolls back.

    A transaction already open on `conn` (SQLAlchemy opens one implicitly on the first read) is
    committed first, so "read, then write_transaction" works without ceremony.
    """
    if conn.in_transaction():
        conn.commit()
    conn.execution_options(**{_IMMEDIATE: True})
    try:
        with conn.begin():
            yield conn
    finally:
        conn.execution_options(**{_IMMEDIATE: False})


def compare_type(
    _context: Any, _inspected_column: Any, _metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic type comparison that knows UTCDateTime is stored as DATETIME / TIMESTAMP WITH TIME ZONE."""
    from sqlalchemy import DateTime

    from trainproof.store.schema import UTCDateTime

    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, DateTime)
    return None  # Alembic's default comparison


def _alembic_config(conn: Connection) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this trainproof."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every migration this trainproof ships; a store at any other revision was made by a newer one."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def schema_problem(current: str | None, *, has_tables: bool, where: str = "the store") -> StoreError | None:
    """Why this trainproof must not use a store at revision `current`; None at head or when empty."""
    if current == HEAD or (current is None and not has_tables):
        return None
    head = head_revision()
    if current is None:
        return StoreError(
            f"{where} holds tables that are not a trainproof store",
            "point [store] url or TRAINPROOF_DATABASE_URL at an empty or trainproof database",
        )
    if current not in known_revisions():
        return StoreError(
            f"{where} is at schema {current}, newer than this trainproof knows (head {head})",
            "upgrade trainproof (pip install -U trainproof) before using this store; do not downgrade it",
        )
    return StoreError(
        f"{where} is at schema {current}, this trainproof needs {head}",
        "run `trainproof db upgrade` (back up the store first)",
    )


def stored_revision(conn: Connection, tables: list[str]) -> str | None:
    """The migration the store is at, read from Alembic's own table (`tables`: the store's table names);
    None for an empty store. What `current_revision` answers, without importing Alembic."""
    if "alembic_version" not in tables:
        return None
    versions = [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    if len(versions) > 1:  # Alembic's branches: let it say what it makes of them
        return current_revision(conn)
    return versions[0] if versions else None


def current_revision(conn: Connection) -> str | None:
    """The migration the store is at; None for an empty store."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply migrations in one transaction; returns (revision before, revision after)."""
    from alembic import command

    try:
        with engine.connect() as conn, write_transaction(conn):
            before = current_revision(conn)
            if before is not None and before not in known_revisions():
                newer = schema_problem(before, has_tables=True, where=store_label(engine.url))
                assert newer is not None
                raise newer
            command.upgrade(_alembic_config(conn), revision)
            after = current_revision(conn)
    except OperationalError as exc:
        raise StoreError(
            f"cannot migrate the store at {redact_url(engine.url)} ({_short(exc)})",
            "check the URL, that the database is reachable and writable",
        ) from None
    return before, after


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    """Reverse migrations down to `revision` ("base": drop everything) in one transaction."""
    from alembic import command

    with engine.connect() as conn, write_transaction(conn):
        before = current_revision(conn)
        command.downgrade(_alembic_config(conn), revision)
        after = current_revision(conn)
    return before, after


def ensure_schema(engine: Engine) -> None:
    """Create the schema in a new store; refuse to write into a store another version must migrate.

    A new (empty) store is upgraded here, so `sync` works on first use. An existing store behind this
    trainproof's migrations is left alone: migrating someone's evidence store is an explicit step.
    """
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
            current = stored_revision(conn, tables)
            has_tables = bool(tables)
            conn.rollback()
    except OperationalError as exc:
        raise StoreError(
            f"cannot open the store at {redact_url(engine.url)} ({_short(exc)})",
            "check the URL, that the database is reachable and the file readable",
        ) from None
    if current is None and not has_tables:
        upgrade(engine)
        return
    problem = schema_problem(current, has_tables=has_tables, where=store_label(engine.url))
    if problem is not None:
        raise problem


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__
