"""Shared by the MCP server tests."""

from __future__ import annotations

# KnowBe4's eight training tools, the compliance tools and the report tools, with (required, optional)
# parameters besides `account`, which every one of them takes (ACCOUNT).
_ANSWERS: dict[str, tuple[set[str], set[str]]] = {
    "knowbe4_training_list_campaigns": (set(), {"status", "page", "per_page"}),
    "knowbe4_training_get_campaign": ({"campaign_id"}, set()),
    "knowbe4_training_list_enrollments": ({"campaign_id"}, {"status", "page", "per_page"}),
    "knowbe4_training_get_enrollment": ({"enrollment_id"}, set()),
    "knowbe4_training_list_modules": (set(), {"type", "page", "per_page"}),
    "knowbe4_training_get_module": ({"module_id"}, set()),
    "knowbe4_training_list_store_purchases": (set(), {"page", "per_page"}),
    "knowbe4_training_get_store_purchase": ({"store_purchase_id"}, set()),
    "knowbe4_training_compliance_summary": (set(), {"training", "as_of"}),
    "knowbe4_training_person_status": ({"person"}, set()),
    "knowbe4_training_list_noncompliant": ({"training"}, {"group_by", "state", "department", "page", "per_page"}),
    "knowbe4_training_sync_status": (set(), set()),
    "knowbe4_training_campaigns": (set(), {"status", "page", "per_page"}),
    "knowbe4_training_departments": (set(), {"training", "group_by", "page", "per_page"}),
    "knowbe4_training_overdue": (set(), {"training", "manager", "department", "page", "per_page"}),
    "knowbe4_training_reminders": (set(), {"thresholds", "page", "per_page"}),
    "knowbe4_training_remediation": (set(), {"since", "untrained_only", "page", "per_page"}),
    "knowbe4_training_new_hires": (set(), {"days", "include_enrolled", "page", "per_page"}),
    "knowbe4_training_quarterly": (set(), {"quarter", "page", "per_page"}),
}

ACCOUNT = "account"
LIST_ACCOUNTS = "knowbe4_training_list_accounts"
ACCOUNTS_COMPLIANCE = "knowbe4_training_accounts_compliance"

# The tools about accounts themselves take no `account`: one lists them, the other compares them all.
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    **{name: (required, optional | {ACCOUNT}) for name, (required, optional) in _ANSWERS.items()},
    LIST_ACCOUNTS: (set(), set()),
    ACCOUNTS_COMPLIANCE: (set(), {"training", "below_percent", "page", "per_page"}),
}
