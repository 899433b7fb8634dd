"""GET /v1/training/store_purchases[/{store_purchase_id}]: training modules bought from the store."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel, OptInstant

__all__ = ["StorePurchase"]


class StorePurchase(ApiModel):
    """A store purchase. The docs' sample spells the key `store_purchased_id`; both spellings are accepted."""

    store_purchase_id: int = Field(validation_alias=AliasChoices("store_purchase_id", "store_purchased_id"))
    content_type: str | None = None
    name: str | None = None
    description: str | None = None
    type: str | None = None
    duration: int | None = None
    retired: bool | None = None
    retirement_date: OptInstant = None
    publish_date: OptInstant = None
    publisher: str | None = None
    purchase_date: OptInstant = None
    policy_url: str | None = None

    @property
    def module_key(self) -> str:
        """The key enrollments and campaign content use for this module."""
        return f"store_purchase:{self.store_purchase_id}"
