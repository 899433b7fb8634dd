"""The `trainproof` command: a thin face over the packages below it.

Each sub-command lives in its own module and registers itself on `app`; `main()` is the only place
that turns a TrainproofError into one line on stderr and an exit code (no traceback).
"""

from __future__ import annotations

import sys

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
from trainproof.cli._app import app
from trainproof.errors import TrainproofError

__all__ = ["app", "main"]


def main() -> None:
    """Run the CLI; expected failures print one line and exit non-zero."""
    try:
        app()
    except TrainproofError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
