"""An item of a training campaign's `content`: a store purchase or an uploaded policy."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel, OptInstant

__all__ = ["ContentItem", "module_key_for"]


def module_key_for(
    *, store_purchase_id: int | None, policy_id: int | None, content_type: str | None, name: str | None
) -> str:
    """The one way to name a training module across campaigns, enrollments and the store.

    Ids win ("store_purchase:7", "policy:142"); without an id the content type and name are used
    ("Uploaded Policy:Acceptable Use Policy"), which is all an enrollment carries by default.
    """
    if store_purchase_id is not None:
        return f"store_purchase:{store_purchase_id}"
    if policy_id is not None:
        return f"policy:{policy_id}"
    return f"{content_type or 'unknown'}:{name or ''}"


class ContentItem(ApiModel):
    """A campaign content item, discriminated by `content_type` ("Store Purchase" or "Uploaded Policy")."""

    content_type: str | None = None
    name: str | None = None
    store_purchase_id: int | None = Field(
        default=None, validation_alias=AliasChoices("store_purchase_id", "store_purchased_id")
    )
    policy_id: int | None = None
    description: str | None = None
    type: str | None = None
    duration: int | None = None
    retired: bool | None = None
    retirement_date: OptInstant = None
    publish_date: OptInstant = None
    publisher: str | None = None
    purchase_date: OptInstant = None
    policy_url: str | None = None
    minimum_time: int | None = None
    default_language: str | None = None
    published: bool | None = None

    @property
    def is_policy(self) -> bool:
        return self.policy_id is not None or "policy" in (self.content_type or "").lower()

    @property
    def name_key(self) -> str:
        """ "<content_type>:<name>", the key an enrollment without ids falls back to."""
        return module_key_for(store_purchase_id=None, policy_id=None, content_type=self.content_type, name=self.name)

    @property
    def module_key(self) -> str:
        return module_key_for(
            store_purchase_id=self.store_purchase_id,
            policy_id=self.policy_id,
            content_type=self.content_type,
            name=self.name,
        )
