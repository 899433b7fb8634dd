"""GET /v1/training/policies[/{policy_id}]: uploaded policies people must read or acknowledge."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel

__all__ = ["Policy"]


class Policy(ApiModel):
    """An uploaded policy. `status` arrives as an int (1) or a string ("published") and is kept as sent."""

    policy_id: int = Field(validation_alias=AliasChoices("policy_id", "id"))
    content_type: str | None = None
    name: str | None = None
    minimum_time: int | None = None
    default_language: str | None = None
    status: int | str | None = None

    @property
    def is_published(self) -> bool | None:
        """True/False when the status says so; None when the status is missing or unrecognised."""
        if self.status is None:
            return None
        text = str(self.status).strip().lower()
        if text in {"1", "published", "active", "true"}:
            return True
        if text in {"0", "unpublished", "draft", "inactive", "false"}:
            return False
        return None

    @property
    def module_key(self) -> str:
        return f"policy:{self.policy_id}"
