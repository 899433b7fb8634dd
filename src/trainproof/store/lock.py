"""One sync (or migration) at a time per store and account, released by the OS if the holder dies.

SQLite: an exclusive `flock` on `<database>.lock` (another account: `<database>.NAME.lock`) next to the
database file. PostgreSQL: a session advisory lock keyed on the database, schema and account. Both
vanish with the process or its connection, so `kill -9` never leaves a stale lock behind, and no lock
row needs cleaning up. Waiting is bounded.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, text

from trainproof.errors import StoreError, SyncInProgressError
from trainproof.store.db import sqlite_path
from trainproof.store.scoping import DEFAULT_ACCOUNT, account_of

__all__ = ["StoreLock"]

_POLL_S = 0.2
# Keyed on the database, schema and account: syncs of two accounts of one store may run at once.
_KEY = "hashtextextended('trainproof.sync:' || current_database() || ':' || current_schema() || :suffix, 0)"


class StoreLock:
    """The store's sync lock: `with StoreLock(engine, wait_s=0): ...`.

    `wait_s=0` fails at once with SyncInProgressError (exit code 3); a positive value waits that many
    seconds, then fails naming the bound.
    """

    def __init__(self, engine: Engine, *, wait_s: float = 0.0, holder: str = "sync") -> None:
        self.engine = engine
        self.wait_s = max(0.0, wait_s)
        self.holder = holder
        self._fd: int | None = None
        self._conn: Connection | None = None
        self._path: Path | None = None

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None or self._conn is not None

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait_s
        while True:
            if self._try():
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(_POLL_S)
        waited = f" after waiting {self.wait_s:g} s" if self.wait_s else ""
        raise SyncInProgressError(
            f"another trainproof sync is running on this store{waited}",
            "let it finish, or run again with --wait" if not self.wait_s else "try again later",
        )

    @property
    def _key_param(self) -> dict[str, str]:
        account = account_of(self.engine)
        return {"suffix": "" if account == DEFAULT_ACCOUNT else f":{account}"}

    def _try(self) -> bool:
        if self.engine.dialect.name == "sqlite":
            return self._try_file()
        if self.engine.dialect.name == "postgresql":
            return self._try_advisory()
        return True

    def _try_file(self) -> bool:
        import fcntl

        path = sqlite_path(self.engine.url)
        if path is None:  # in-memory database: private to this process anyway
            self._fd = -1
            return True
        account = account_of(self.engine)
        suffix = ".lock" if account == DEFAULT_ACCOUNT else f".{account}.lock"
        self._path = path.with_name(path.name + suffix)
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"cannot open the lock file {self._path} ({exc.strerror or type(exc).__name__})",
                "make the store's folder and files writable by this user (a sync writes its lock beside the store)",
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {self.holder}\n".encode())
        self._fd = fd
        return True

    def _try_advisory(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(text(f"SELECT pg_try_advisory_lock({_KEY})"), self._key_param).scalar_one()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._fd is not None:
            if self._fd >= 0:
                import fcntl

                with contextlib.suppress(OSError):
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(text(f"SELECT pg_advisory_unlock({_KEY})"), self._key_param)
            self._conn.close()
            self._conn = None
