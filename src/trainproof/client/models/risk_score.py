"""Risk score history of the account, a group or a user (one point per day)."""

from __future__ import annotations

from trainproof.client.models._base import ApiModel, OptDay

__all__ = ["RiskScore"]


class RiskScore(ApiModel):
    """One point of a risk score history; `date` arrives as a date or as a midnight datetime."""

    risk_score: float | None = None
    date: OptDay = None
