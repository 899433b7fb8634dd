"""What a simulated tenant holds: its top-level keys, its record kinds and the field that names each record.

A tenant is, on disk and on the wire, a JSON object with the keys in `TENANT_KEYS` (plus the optional
risk-score-history keys in `HISTORY_KEYS`), each holding objects exactly as the Reporting API returns
them. Two kinds carry fields the API only shows on request: enrollments keep `campaign_id` and
`store_purchase_id` (shown with `include_campaign_id=true` / `include_store_purchase_id=true`) and
`user.employee_number` (shown with `include_employee_number=true`); phishing campaigns may carry
`"campaign_type": "callback"` (never shown; it decides what `campaign_type=callback` returns).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from trainproof.errors import TrainproofError

__all__ = [
    "ALT_KEYS",
    "HISTORY_KEYS",
    "KINDS",
    "PRIMARY_KEYS",
    "TENANT_KEYS",
    "Record",
    "TenantError",
    "normalize_id",
]

Record = dict[str, Any]

TENANT_KEYS: tuple[str, ...] = (
    "account",
    "users",
    "groups",
    "training_campaigns",
    "store_purchases",
    "policies",
    "enrollments",
    "phishing_campaigns",
    "security_tests",
    "recipients",
)
"""The top-level keys of a tenant file, in the order they are written."""

KINDS: tuple[str, ...] = TENANT_KEYS[1:]
"""The record kinds (every tenant key except the single `account` object)."""

HISTORY_KEYS: tuple[str, ...] = (
    "account_risk_score_history",
    "group_risk_score_history",
    "user_risk_score_history",
)
"""Optional tenant keys: a list for the account, `{"<id>": [...]}` maps for groups and users.

A user without an entry gets a history derived from its id and current risk score, so a 50,000-person
tenant does not store 50,000 histories; give `[]` to serve none.
"""

PRIMARY_KEYS: dict[str, str] = {
    "users": "id",
    "groups": "id",
    "training_campaigns": "campaign_id",
    "store_purchases": "store_purchase_id",
    "policies": "policy_id",
    "enrollments": "enrollment_id",
    "phishing_campaigns": "campaign_id",
    "security_tests": "pst_id",
    "recipients": "recipient_id",
}
"""The field that identifies a record of each kind (what `/{id}` paths look up)."""

ALT_KEYS: dict[str, str] = {"store_purchases": "store_purchased_id"}  # the documentation's typo, accepted


class TenantError(TrainproofError):
    """A tenant (file, dict or mutation) that the simulator cannot serve."""

    exit_code = 2


def normalize_id(value: object) -> Hashable:
    """The lookup key of an id: ints and digit strings compare equal (`/v1/users/7` finds `"7"` too)."""
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, Hashable):
        return value
    return json.dumps(value, sort_keys=True)
