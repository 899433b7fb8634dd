"""The compliance decisions the departments, overdue and HTML reports group and count.

Reports judge through `trainproof.judging`, the one path from the store to decisions, so
`report departments` and `trainproof status` always agree. Read only: sticky records are kept by
`sync` and `nightly`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from trainproof.compliance.engine import Evaluation
from trainproof.config import Settings
from trainproof.judging import judge

__all__ = ["evaluate_store"]


def evaluate_store(conn: Connection, settings: Settings, *, at: datetime, training: str | None = None) -> Evaluation:
    """Evaluate the store's current facts on `at` for every configured training (or one)."""
    return judge(conn, settings, at=at, trainings=[training] if training else None).evaluation
