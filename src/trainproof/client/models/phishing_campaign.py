"""GET /v1/phishing/campaigns[/{campaign_id}]: phishing campaigns and a summary of their tests."""

from __future__ import annotations

from pydantic import Field

from trainproof.client.models._base import ApiModel, OptInstant
from trainproof.client.models.group import GroupRef
from trainproof.statuses import CampaignState, campaign_state

__all__ = ["PhishingCampaign", "PstSummary"]


class PstSummary(ApiModel):
    """A security test as summarised inside a phishing campaign."""

    pst_id: int
    status: str | None = None
    start_date: OptInstant = None
    users_count: int | None = None
    phish_prone_percentage: float | None = None

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)


class PhishingCampaign(ApiModel):
    """A phishing campaign. Its `last_phish_prone_percentage` is a fraction (0.3 = 30 %)."""

    campaign_id: int
    name: str | None = None
    groups: list[GroupRef] = Field(default_factory=list[GroupRef])
    last_phish_prone_percentage: float | None = None
    last_run: OptInstant = None
    status: str | None = None
    hidden: bool | None = None
    send_duration: str | None = None
    track_duration: str | None = None
    frequency: str | None = None
    difficulty_filter: list[int] = Field(default_factory=list[int])
    create_date: OptInstant = None
    psts_count: int | None = None
    psts: list[PstSummary] = Field(default_factory=list[PstSummary])

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)
