"""Small pieces every report shares: the row base class, rates, and the options they read from trainproof.toml."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from trainproof.errors import TrainproofError

__all__ = ["MODULE_MAX_AGE", "ReportInputError", "ReportRow", "is_retired", "rate", "too_old"]

# A module is "older than two years" past this age (KnowBe4's quarterly review: "are modules current and relevant?").
MODULE_MAX_AGE = timedelta(days=730)


class ReportRow(BaseModel):
    """A report row: typed for Python and MCP, a flat dict for `render` (table, JSON, CSV)."""

    model_config = ConfigDict(frozen=True)

    def row(self) -> dict[str, Any]:
        return self.model_dump()


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
