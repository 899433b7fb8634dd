"""GET /v1/users[/{user_id}] and /v1/groups/{group_id}/members: people in the console."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field

from trainproof.client.models._base import ApiModel, IntStr, OptDay, OptInstant

__all__ = ["User"]


class User(ApiModel):
    """A console user. `employee_number` is normalised to text (the API sends int or string).

    `groups` holds group ids; with `expand=group` the API may send objects instead (shape undocumented),
    so items are kept as sent and `group_ids` reads the ids from either form.
    """

    id: int
    employee_number: IntStr = None
    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    email: str | None = None
    phish_prone_percentage: float | None = None
    phone_number: str | None = None
    extension: str | None = None
    mobile_phone_number: str | None = None
    location: str | None = None
    division: str | None = None
    manager_name: str | None = None
    manager_email: str | None = None
    provisioning_managed: bool | None = Field(
        default=None, validation_alias=AliasChoices("provisioning_managed", "adi_manageable")
    )
    provisioning_guid: str | None = Field(default=None, validation_alias=AliasChoices("provisioning_guid", "adi_guid"))
    groups: list[int | dict[str, Any]] = Field(default_factory=list[int | dict[str, Any]])
    current_risk_score: float | None = None
    aliases: list[str] = Field(default_factory=list[str])
    joined_on: OptInstant = None
    last_sign_in: OptInstant = None
    status: str | None = None
    organization: str | None = None
    department: str | None = None
    language: str | None = None
    comment: str | None = None
    employee_start_date: OptInstant = None
    archived_at: OptInstant = None
    custom_field_1: str | None = None
    custom_field_2: str | None = None
    custom_field_3: str | None = None
    custom_field_4: str | None = None
    custom_date_1: OptDay = None
    custom_date_2: OptDay = None

    @property
    def group_ids(self) -> list[int]:
        """Group ids, whether the API sent bare ids or expanded group objects."""
        ids: list[int] = []
        for item in self.groups:
            if isinstance(item, int):
                ids.append(item)
            else:
                value = item.get("id", item.get("group_id"))
                if isinstance(value, int):
                    ids.append(value)
        return ids

    @property
    def is_archived(self) -> bool:
        return (self.status or "").strip().lower() == "archived"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
