"""GET /v1/phishing/security_tests[/{pst_id}] and per campaign: one send of a phishing campaign."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel, OptInstant
from trainproof.client.models.group import GroupRef
from trainproof.statuses import CampaignState, campaign_state

__all__ = ["Category", "LandingPage", "SecurityTest", "TemplateRef"]


class Category(ApiModel):
    category_id: int | None = None
    name: str | None = None


class TemplateRef(ApiModel):
    """A phishing template reference; real payloads carry `{"id": null, "name": null}`."""

    id: int | None = None
    name: str | None = None


class LandingPage(ApiModel):
    id: int | None = None
    name: str | None = None


class SecurityTest(ApiModel):
    """A phishing security test (PST). The docs spell `landing-page`, real payloads `landing_page`.

    `phish_prone_percentage` is a fraction here (0.5 = 50 %), unlike on users.
    """

    campaign_id: int | None = None
    pst_id: int
    status: str | None = None
    name: str | None = None
    groups: list[GroupRef] = Field(default_factory=list[GroupRef])
    phish_prone_percentage: float | None = None
    started_at: OptInstant = None
    duration: int | None = None
    categories: list[Category] = Field(default_factory=list[Category])
    template: TemplateRef | None = None
    landing_page: LandingPage | None = Field(
        default=None, validation_alias=AliasChoices("landing_page", "landing-page")
    )
    scheduled_count: int | None = None
    delivered_count: int | None = None
    opened_count: int | None = None
    clicked_count: int | None = None
    replied_count: int | None = None
    attachment_open_count: int | None = None
    macro_enabled_count: int | None = None
    data_entered_count: int | None = None
    qr_code_scanned_count: int | None = None
    reported_count: int | None = None
    bounced_count: int | None = None

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)
