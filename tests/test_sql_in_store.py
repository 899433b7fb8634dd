"""Only `trainproof/store/` imports SQLAlchemy: every query is a store function with a typed result.

Imports are read with ast (lazy imports and TYPE_CHECKING blocks count). Code outside the store holds
an open store as `store.handle.StoreEngine` (a connection as `StoreConnection`) and hands it to store
functions; it asks `store.failures.database_failure` whether an exception came from the database.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_dependencies import SRC, imported_modules


def outside_store(src: Path = SRC) -> set[str]:
    return {f for f in imported_modules(src).get("sqlalchemy", set()) if not f.startswith("trainproof/store/")}


def test_no_module_outside_the_store_imports_sqlalchemy() -> None:
    found = sorted(outside_store())
    assert not found, f"{found} import SQLAlchemy: put the query in a store/ module and call it"


def test_a_query_outside_the_store_is_found(tmp_path: Path) -> None:
    """The check sees a lazy import inside a function and one under TYPE_CHECKING, and spares store/."""
    package = tmp_path / "trainproof"
    (package / "store").mkdir(parents=True)
    (package / "store" / "people.py").write_text("from sqlalchemy import select\n")
    (package / "lazy.py").write_text("def f():\n    import sqlalchemy.exc\n")
    (package / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import Engine\n"
    )
    assert outside_store(tmp_path) == {"trainproof/lazy.py", "trainproof/typed.py"}
