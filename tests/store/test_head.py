"""The schema version every command checks is known without Alembic, and is Alembic's head."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trainproof.store import open_store
from trainproof.store.db import HEAD, head_revision, stored_revision


def test_head_is_the_newest_migration() -> None:
    assert head_revision() == HEAD


def test_opening_a_store_reads_its_revision_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).dispose()  # creates the schema (Alembic runs here, in this process)
    script = (
        "import sys\n"
        "from sqlalchemy import inspect\n"
        "from trainproof.store import open_store\n"
        "from trainproof.store.db import stored_revision\n"
        f"engine = open_store({url!r})\n"
        "with engine.connect() as conn:\n"
        "    print(stored_revision(conn, inspect(conn).get_table_names()))\n"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [HEAD, "[]"]


def test_an_empty_store_has_no_revision(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from trainproof.store.db import create_store_engine

    engine = create_store_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with engine.connect() as conn:
        assert stored_revision(conn, inspect(conn).get_table_names()) is None
    engine.dispose()
