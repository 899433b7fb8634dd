"""The `trainproof` command: a thin face over the packages below it.

Each sub-command lives in its own module and registers itself on `app`; `main()` is the only place
that turns a TrainproofError into one line on stderr and an exit code (no traceback unless `--debug`).
A database error that no code turned into a StoreError (the store engines already do for a damaged,
read-only or unreachable store) becomes one line here too, as the last resort.
"""

from __future__ import annotations

import sqlite3
import sys
import traceback

from sqlalchemy.exc import SQLAlchemyError

from trainproof.cli import api as _api  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import db as _db  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import demo as _demo  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import evidence as _evidence  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import mcp as _mcp  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import report as _report  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import simulate as _simulate  # noqa: F401  # pyright: ignore[reportUnusedImport]

# Command modules register themselves on import.
from trainproof.cli import status as _status  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli import sync as _sync  # noqa: F401  # pyright: ignore[reportUnusedImport]
from trainproof.cli._app import app, debugging, settings
from trainproof.errors import TrainproofError

__all__ = ["app", "main"]


def _fail(error: TrainproofError, cause: BaseException) -> SystemExit:
    if debugging():
        traceback.print_exception(cause, file=sys.stderr)
    sys.stderr.write(f"error: {error.message}\n")
    return SystemExit(error.exit_code)


def _store_url() -> str | None:
    try:
        return settings().database_url
    except TrainproofError:
        return None


def main() -> None:
    """Run the CLI; expected failures print one line and exit non-zero."""
    from trainproof.store.failures import store_failure

    try:
        app()
    except TrainproofError as exc:
        raise _fail(exc, exc) from None
    except (SQLAlchemyError, sqlite3.Error) as exc:
        raise _fail(store_failure(exc, _store_url()), exc) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
