"""GET /v1/training/campaigns[/{campaign_id}]: what was assigned, to whom, and by when."""

from __future__ import annotations

from typing import Any, cast

from pydantic import Field, model_validator

from trainproof.client.models._base import ApiModel, OptInstant
from trainproof.client.models.content import ContentItem, module_key_for
from trainproof.client.models.group import GroupRef
from trainproof.statuses import CampaignState, campaign_state

__all__ = ["TrainingCampaign"]


def _flatten(value: Any) -> list[Any]:
    """`content` is flat in real payloads and nested one level (`[[...]]`) in the 2025 docs."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [value]
    items: list[Any] = []
    for item in value:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(item, list):
            items.extend(item)  # pyright: ignore[reportUnknownArgumentType]
        else:
            items.append(item)
    return items


def _key_of(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    obj = cast(dict[str, Any], item)
    spid = obj.get("store_purchase_id", obj.get("store_purchased_id"))
    pid = obj.get("policy_id")
    return module_key_for(
        store_purchase_id=spid if isinstance(spid, int) else None,
        policy_id=pid if isinstance(pid, int) else None,
        content_type=str(obj.get("content_type")),
        name=str(obj.get("name")),
    )


class TrainingCampaign(ApiModel):
    """A training campaign.

    `content` is always a flat list: a doubly nested list is flattened, and the old `modules` list
    (store purchases only) is merged in without duplicates; the `modules` key itself is kept as sent.
    `status` is the API's string; `state` is its word in KnowBe4's campaign lifecycle.
    """

    campaign_id: int
    name: str | None = None
    groups: list[GroupRef] = Field(default_factory=list[GroupRef])
    status: str | None = None
    content: list[ContentItem] = Field(default_factory=list[ContentItem])
    duration_type: str | None = None
    start_date: OptInstant = None
    end_date: OptInstant = None
    relative_duration: str | None = None
    auto_enroll: bool | None = None
    allow_multiple_enrollments: bool | None = None
    completion_percentage: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _merge_content(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = _flatten(data.get("content"))  # pyright: ignore[reportUnknownMemberType]
        seen = {k for k in map(_key_of, merged) if k is not None}
        for module in _flatten(data.get("modules")):  # pyright: ignore[reportUnknownMemberType]
            key = _key_of(module)
            if key is None or key not in seen:
                merged.append(module)
                if key is not None:
                    seen.add(key)
        return {**data, "content": merged}  # pyright: ignore[reportUnknownVariableType]

    @property
    def state(self) -> CampaignState:
        return campaign_state(self.status)

    @property
    def module_keys(self) -> list[str]:
        return [item.module_key for item in self.content]

    @property
    def group_ids(self) -> list[int]:
        return [g.group_id for g in self.groups if g.group_id is not None]
