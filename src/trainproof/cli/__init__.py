"""The `trainproof` command: a thin face over the packages below it.

Each command lives in its own module, registers itself on `app`, and has one line in the table of
`_commands.py`, from which `trainproof --help` is written without importing any command module.
`main()` is the only place that turns a TrainproofError into one line on stderr and an exit code (no
traceback unless `--debug`). A database error that no code turned into a StoreError (the store
engines already do for a damaged, read-only or unreachable store) becomes one line here too, as the
last resort; the store's own module recognises it, so starting the CLI imports no database library.
"""

from __future__ import annotations

import sys
import traceback

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
    try:
        app()
    except TrainproofError as exc:
        raise _fail(exc, exc) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:
        from trainproof.store.failures import database_failure

        failure = database_failure(exc, _store_url())
        if failure is None:
            raise
        raise _fail(failure, exc) from None
