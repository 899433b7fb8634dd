"""Small pieces every report shares: the row base class, rates, and the options they read from trainproof.toml."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from types import GenericAlias
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from trainproof.errors import TrainproofError

__all__ = ["MODULE_MAX_AGE", "ReportInputError", "ReportRow", "as_dicts", "is_retired", "rate", "too_old"]

# A module is "older than two years" past this age (KnowBe4's quarterly review: "are modules current and relevant?").
MODULE_MAX_AGE = timedelta(days=730)


class ReportRow(BaseModel):
    """A report row: typed for Python and MCP, a flat dict for `render` (table, JSON, CSV)."""

    model_config = ConfigDict(frozen=True)

    def row(self) -> dict[str, Any]:
        return self.model_dump()


def as_dicts(rows: Sequence[ReportRow]) -> list[dict[str, Any]]:
    """Every row's `row()`; rows of one class in one pydantic call (half the time of a call per row at
    100,000 rows)."""
    kind = type(rows[0]) if rows else ReportRow
    if kind.row is not ReportRow.row or any(type(r) is not kind for r in rows):
        return [r.row() for r in rows]
    return _adapter(kind).dump_python(list(rows))


@cache
def _adapter(kind: type[ReportRow]) -> TypeAdapter[list[Any]]:
    shape: Any = GenericAlias(list, (kind,))  # list[kind], a type made at run time
    return TypeAdapter(shape)


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide (not 0 %, which would accuse)."""
    if whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def is_retired(retired: bool, retirement_date: datetime | None, at: datetime) -> bool:
    return retired or (retirement_date is not None and retirement_date <= at)


def too_old(publish_date: datetime | None, at: datetime) -> bool:
    return publish_date is not None and at - publish_date > MODULE_MAX_AGE


class ReportInputError(TrainproofError):
    """A report option the store cannot answer (unknown status, training, quarter)."""

    exit_code = 2
