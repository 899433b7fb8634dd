"""What every page of a running console needs: the settings, the open store, and whether it may act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from starlette.requests import Request

from trainproof.config import Settings
from trainproof.store.handle import StoreConnection, StoreEngine, read

__all__ = ["ConsoleState", "state_of"]

R = TypeVar("R")


@dataclass(frozen=True)
class ConsoleState:
    settings: Settings
    engine: StoreEngine
    read_only: bool

    def read(self, work: Callable[[StoreConnection], R]) -> R:
        """`work` on a connection of its own; a database error is one StoreError line (store.handle)."""
        return read(self.engine, work)


def state_of(request: Request) -> ConsoleState:
    found: ConsoleState = request.app.state.console
    return found
