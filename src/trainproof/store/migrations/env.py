"""Alembic environment: migrations run on the connection trainproof passes in (see store/db.py).

There is no alembic.ini; `trainproof db upgrade` (or `trainproof.store.upgrade(engine)`) drives Alembic
with `script_location` pointing here, inside the installed package.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from trainproof.store.db import compare_type
from trainproof.store.schema import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through trainproof.store.upgrade(engine) or `trainproof db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables instead
    compare_type=compare_type,
)
with context.begin_transaction():
    context.run_migrations()
