"""`connect(source)`: a connection from whatever a caller holds, so report functions take any of them."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine

__all__ = ["Source", "connect"]


class _HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


Source = Connection | Engine | _HasEngine


@contextmanager
def connect(source: Source) -> Generator[Connection]:
    """A connection from a Connection (used as is), an Engine, or a store object with `.engine`."""
    if isinstance(source, Connection):
        yield source
        return
    engine = source if isinstance(source, Engine) else source.engine
    with engine.connect() as conn:
        yield conn
