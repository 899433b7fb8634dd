"""GET /v1/groups[/{group_id}]: console, smart and provisioning-managed groups."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel

__all__ = ["Group", "GroupRef"]


class GroupRef(ApiModel):
    """A group as referenced by a campaign or test: `group_id` 0 means "All Users"."""

    group_id: int | None = None
    name: str | None = None


class Group(ApiModel):
    """A group. Older payloads say `adi_guid` and `adi_managed_group`; both are accepted."""

    id: int
    name: str | None = None
    group_type: str | None = None
    provisioning_guid: str | None = Field(default=None, validation_alias=AliasChoices("provisioning_guid", "adi_guid"))
    member_count: int | None = None
    current_risk_score: float | None = None
    status: str | None = None

    @property
    def is_archived(self) -> bool:
        return (self.status or "").strip().lower() == "archived"
