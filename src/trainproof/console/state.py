"""What every page of a running console needs: the settings, the open store, and whether it may act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from trainproof.config import Settings
from trainproof.console.judgements import Judgements
from trainproof.store.handle import StoreConnection, StoreEngine, read

__all__ = ["ConsoleState", "state_of"]

R = TypeVar("R")


@dataclass(frozen=True)
class ConsoleState:
    settings: Settings
    engine: StoreEngine
    read_only: bool
    judgements: Judgements = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "judgements", Judgements(self.settings))

    def read(self, work: Callable[[StoreConnection], R]) -> R:
        """`work` on a connection of its own; a database error is one StoreError line (store.handle)."""
        return read(self.engine, work)


def state_of(request: Request) -> ConsoleState:
    found: ConsoleState = request.app.state.console
    return found
