"""Only `trainproof/store/` imports SQLAlchemy: every query is a store function with a typed result.

Imports are read with ast (lazy imports and TYPE_CHECKING blocks count). Code outside the store holds
an open store as `store.handle.StoreEngine` and hands it to store functions. `PENDING` lists the modules
that still query the store themselves; it may only shrink: a new module importing SQLAlchemy fails,
and so does an entry whose module no longer needs it (remove it from the list).
"""

from __future__ import annotations

from tests.test_dependencies import imported_modules

PENDING = frozenset(
    {
        "trainproof/cli/_store.py",
        "trainproof/cli/report.py",
        "trainproof/judging.py",
        "trainproof/reports/_evaluate.py",
        "trainproof/reports/html.py",
        "trainproof/reports/reminders.py",
        "trainproof/sync/engine.py",
        "trainproof/sync/estimate.py",
        "trainproof/sync/state.py",
    }
)


def outside_store() -> set[str]:
    return {f for f in imported_modules().get("sqlalchemy", set()) if not f.startswith("trainproof/store/")}


def test_no_new_module_outside_the_store_imports_sqlalchemy() -> None:
    new = sorted(outside_store() - PENDING)
    assert not new, f"{new} import SQLAlchemy: put the query in a store/ module and call it"


def test_the_pending_list_only_shrinks() -> None:
    done = sorted(PENDING - outside_store())
    assert not done, f"{done} no longer import SQLAlchemy: remove them from PENDING"


def test_the_mcp_server_holds_no_sql() -> None:
    assert not {f for f in outside_store() if f.startswith("trainproof/mcp_server/")}
