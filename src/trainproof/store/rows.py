"""KnowBe4 records (validated wire models plus their raw JSON) turned into staged store rows.

Each function returns exactly the mirror's data columns (see `staging.MIRRORS`), so a row either fits
its table or fails loudly here. `raw` is the record as KnowBe4 sent it, serialised compactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from trainproof.client.models import (
    Account,
    ContentItem,
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
    module_key_for,
)

__all__ = [
    "ModuleIndex",
    "account_row",
    "content_rows",
    "dump_raw",
    "enrollment_row",
    "group_row",
    "member_rows",
    "phishing_campaign_row",
    "policy_row",
    "recipient_row",
    "security_test_row",
    "store_purchase_row",
    "training_campaign_row",
    "user_row",
]


def dump_raw(raw: Mapping[str, Any] | None, model: BaseModel) -> str:
    """Compact JSON of the record as received (the model's own fields when no raw dict is at hand)."""
    if raw is not None:
        return json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
    return model.model_dump_json(exclude_unset=True)


def account_row(m: Account, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": 1,
        "name": m.name,
        "type": m.type,
        "subscription_level": m.subscription_level,
        "subscription_end_date": m.subscription_end_date,
        "number_of_seats": m.number_of_seats,
        "current_risk_score": m.current_risk_score,
        "domains": list(m.domains),
        "admins": [a.model_dump(mode="json", exclude_unset=True) for a in m.admins],
        "raw": dump_raw(raw, m),
    }


def user_row(m: User, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": m.id,
        "employee_number": m.employee_number,
        "first_name": m.first_name,
        "last_name": m.last_name,
        "email": m.email,
        "job_title": m.job_title,
        "department": m.department,
        "division": m.division,
        "location": m.location,
        "organization": m.organization,
        "manager_name": m.manager_name,
        "manager_email": m.manager_email,
        "employee_start_date": m.employee_start_date,
        "joined_on": m.joined_on,
        "last_sign_in": m.last_sign_in,
        "status": m.status,
        "archived_at": m.archived_at,
        "aliases": list(m.aliases),
        "group_ids": m.group_ids,
        "phish_prone_percentage": m.phish_prone_percentage,
        "current_risk_score": m.current_risk_score,
        "provisioning_managed": m.provisioning_managed,
        "language": m.language,
        "raw": dump_raw(raw, m),
    }


def member_rows(m: User) -> list[dict[str, Any]]:
    """Group membership read from the user's own `groups` (no extra request per group)."""
    return [{"group_id": gid, "user_id": m.id, "raw": ""} for gid in dict.fromkeys(m.group_ids)]


def group_row(m: Group, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "group_type": m.group_type,
        "status": m.status,
        "member_count": m.member_count,
        "current_risk_score": m.current_risk_score,
        "raw": dump_raw(raw, m),
    }


def training_campaign_row(m: TrainingCampaign, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "campaign_id": m.campaign_id,
        "name": m.name,
        "status": m.status,
        "duration_type": m.duration_type,
        "start_date": m.start_date,
        "end_date": m.end_date,
        "relative_duration": m.relative_duration,
        "auto_enroll": m.auto_enroll,
        "allow_multiple_enrollments": m.allow_multiple_enrollments,
        "group_ids": m.group_ids,
        "raw": dump_raw(raw, m),
    }


def content_rows(m: TrainingCampaign) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for position, item in enumerate(m.content):
        key = item.module_key
        if key in rows:
            continue
        rows[key] = {
            "campaign_id": m.campaign_id,
            "module_key": key,
            "position": position,
            "content_type": item.content_type,
            "name": item.name,
            "store_purchase_id": item.store_purchase_id,
            "policy_id": item.policy_id,
            "raw": item.model_dump_json(exclude_unset=True),
        }
    return list(rows.values())


def store_purchase_row(m: StorePurchase, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "store_purchase_id": m.store_purchase_id,
        "name": m.name,
        "content_type": m.content_type,
        "type": m.type,
        "duration": m.duration,
        "retired": m.retired,
        "retirement_date": m.retirement_date,
        "publish_date": m.publish_date,
        "publisher": m.publisher,
        "purchase_date": m.purchase_date,
        "policy_url": m.policy_url,
        "raw": dump_raw(raw, m),
    }


def policy_row(m: Policy, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "policy_id": m.policy_id,
        "name": m.name,
        "content_type": m.content_type,
        "minimum_time": m.minimum_time,
        "default_language": m.default_language,
        "status": None if m.status is None else str(m.status),
        "raw": dump_raw(raw, m),
    }


@dataclass
class ModuleIndex:
    """Resolves an enrollment to its campaign and module ids.

    Enrollments carry `campaign_id` and `store_purchase_id` only when asked, and never a policy id;
    policies are found by name in the campaign's content, the way KnowBe4's console shows them.
    """

    by_campaign: dict[int, dict[str, ContentItem]] = field(default_factory=dict[int, dict[str, ContentItem]])
    campaign_ids_by_name: dict[str, int | None] = field(default_factory=dict[str, int | None])

    def add_campaign(self, m: TrainingCampaign) -> None:
        self.by_campaign[m.campaign_id] = {item.name_key: item for item in m.content}
        if m.name is not None:
            # A name shared by two campaigns resolves to nothing rather than to the wrong one.
            self.campaign_ids_by_name[m.name] = None if m.name in self.campaign_ids_by_name else m.campaign_id

    def campaign_for(self, m: Enrollment, fallback: int | None) -> int | None:
        if m.campaign_id is not None:
            return m.campaign_id
        if fallback is not None:
            return fallback
        return self.campaign_ids_by_name.get(m.campaign_name or "")

    def module_for(self, m: Enrollment, campaign_id: int | None) -> tuple[str, int | None, int | None]:
        """(module_key, store_purchase_id, policy_id)."""
        if m.store_purchase_id is not None:
            return (
                module_key_for(store_purchase_id=m.store_purchase_id, policy_id=None, content_type=None, name=None),
                m.store_purchase_id,
                None,
            )
        name_key = module_key_for(
            store_purchase_id=None, policy_id=None, content_type=m.content_type, name=m.module_name
        )
        item = self.by_campaign.get(campaign_id, {}).get(name_key) if campaign_id is not None else None
        if item is not None:
            return item.module_key, item.store_purchase_id, item.policy_id
        return name_key, None, None


def enrollment_row(
    m: Enrollment,
    raw: Mapping[str, Any] | None,
    index: ModuleIndex,
    *,
    campaign_id: int | None = None,
) -> dict[str, Any]:
    """A staged enrollment; `campaign_id` is the campaign the fetch was filtered on, if any."""
    cid = index.campaign_for(m, campaign_id)
    module_key, spid, policy_id = index.module_for(m, cid)
    user = m.user
    return {
        "enrollment_id": m.enrollment_id,
        "user_id": user.id if user is not None else None,
        "user_email": user.email if user is not None else None,
        "user_employee_number": user.employee_number if user is not None else None,
        "campaign_id": cid,
        "campaign_name": m.campaign_name,
        "content_type": m.content_type,
        "module_name": m.module_name,
        "store_purchase_id": spid,
        "policy_id": policy_id,
        "module_key": module_key,
        "status": m.status,
        "enrollment_date": m.enrollment_date,
        "start_date": m.start_date,
        "completion_date": m.completion_date,
        "time_spent": m.time_spent,
        "policy_acknowledged": m.policy_acknowledged,
        "score": m.score,
        "raw": dump_raw(raw, m),
    }


def phishing_campaign_row(m: PhishingCampaign, raw: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "campaign_id": m.campaign_id,
        "name": m.name,
        "status": m.status,
        "frequency": m.frequency,
        "last_run": m.last_run,
        "create_date": m.create_date,
        "psts_count": m.psts_count,
        "last_phish_prone_percentage": m.last_phish_prone_percentage,
        "group_ids": [g.group_id for g in m.groups if g.group_id is not None],
        "raw": dump_raw(raw, m),
    }


def security_test_row(
    m: SecurityTest, raw: Mapping[str, Any] | None = None, *, campaign_type: str = "standard"
) -> dict[str, Any]:
    return {
        "pst_id": m.pst_id,
        "campaign_id": m.campaign_id,
        "campaign_type": campaign_type,
        "name": m.name,
        "status": m.status,
        "started_at": m.started_at,
        "duration": m.duration,
        "phish_prone_percentage": m.phish_prone_percentage,
        "scheduled_count": m.scheduled_count,
        "delivered_count": m.delivered_count,
        "clicked_count": m.clicked_count,
        "reported_count": m.reported_count,
        "raw": dump_raw(raw, m),
    }


def recipient_row(m: Recipient, raw: Mapping[str, Any] | None = None, *, pst_id: int | None = None) -> dict[str, Any]:
    user = m.user
    return {
        "recipient_id": m.recipient_id,
        "pst_id": m.pst_id if m.pst_id is not None else pst_id,
        "user_id": user.id if user is not None else None,
        "user_email": user.email if user is not None else None,
        "scheduled_at": m.scheduled_at,
        "delivered_at": m.delivered_at,
        "opened_at": m.opened_at,
        "clicked_at": m.clicked_at,
        "replied_at": m.replied_at,
        "attachment_opened_at": m.attachment_opened_at,
        "macro_enabled_at": m.macro_enabled_at,
        "data_entered_at": m.data_entered_at,
        "qr_code_scanned": m.qr_code_scanned,
        "reported_at": m.reported_at,
        "bounced_at": m.bounced_at,
        "raw": dump_raw(raw, m),
    }
