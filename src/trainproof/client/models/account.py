"""GET /v1/account: the organisation, its admins and its seat count (the daily budget depends on it)."""

from __future__ import annotations

from pydantic import Field

from trainproof.client.models._base import ApiModel, OptDay

__all__ = ["Account", "Admin"]


class Admin(ApiModel):
    """An account administrator as listed in the account object."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


class Account(ApiModel):
    """The account. Trial accounts omit `subscription_level`, `subscription_end_date` and `number_of_seats`."""

    name: str | None = None
    type: str | None = None
    domains: list[str] = Field(default_factory=list[str])
    admins: list[Admin] = Field(default_factory=list[Admin])
    subscription_level: str | None = None
    subscription_end_date: OptDay = None
    number_of_seats: int | None = None
    current_risk_score: float | None = None
