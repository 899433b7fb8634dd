"""A small hand-written tenant holding every quirk the reference documents, served by the simulator.

Campaign 101 holds exactly 1,234 enrollments (three cursor pages of 500), including a null user and
duplicate (user, module) pairs; there are 12 training campaigns (more than the 10-campaign cap).
"""

from __future__ import annotations

from typing import Any

BIG_CAMPAIGN = 101
BIG_ENROLLMENTS = 1234
CAMPAIGNS = 12
NULL_USER_ENROLLMENT = 2_000_007
DATE_ONLY_ENROLLMENT = 2_000_011
UNKNOWN_STATUS_ENROLLMENT = 2_000_013
PST_HYPHEN = 16142
PST_UNDERSCORE = 510501
USERS = 40

_STATUSES = ("Passed", "Completed", "In Progress", "Not Started", "Past Due")
_CAMPAIGN_STATUSES = (
    "Completed",
    "In Progress",
    "Closed",
    "Canceled",
    "Cancelled",
    "Enrolling",
    "Created",
    "Completed",
    "In Progress",
    "Closed",
    "Completed",
    "Awaiting Something New",
)

SP7: dict[str, Any] = {
    "store_purchase_id": 7,
    "content_type": "Store Purchase",
    "name": "2019 Security Awareness Training",
    "description": "A comprehensive overview of best practices...",
    "type": "Training Module",
    "duration": 42,
    "retired": False,
    "retirement_date": None,
    "publish_date": "2019-04-02T15:02:38.000Z",
    "publisher": "KnowBe4",
    "purchase_date": "2019-04-02T15:02:38.000Z",
    "policy_url": None,
}
SP_TYPO: dict[str, Any] = {
    "store_purchased_id": 6420,
    "content_type": "Store Purchase",
    "name": "FFIEC (Financial Compliance)",
    "description": "This module covers specific IT...",
    "type": "Training Module",
    "duration": 40,
    "retired": False,
    "retirement_date": None,
    "publish_date": "2019-04-02",
    "publisher": "Security Awareness Company",
    "purchase_date": "2019-04-02T15:02:38.000Z",
    "policy_url": None,
}
POLICY_INT: dict[str, Any] = {
    "policy_id": 142,
    "content_type": "Uploaded Policy",
    "name": "Security Awareness Policy",
    "minimum_time": 3,
    "default_language": "en-us",
    "status": 1,
}
POLICY_STR: dict[str, Any] = {
    "policy_id": 2420,
    "content_type": "Uploaded Policy",
    "name": "Physical Security Policy",
    "minimum_time": 3,
    "default_language": "en-us",
    "status": "published",
}


def _user(i: int) -> dict[str, Any]:
    employee_number: Any = [123456 + i, str(19000 + i), None][i % 3]
    return {
        "id": 700_000 + i,
        "employee_number": employee_number,
        "first_name": f"First{i}",
        "last_name": f"Last{i}",
        "job_title": "Analyst",
        "email": f"user{i}@quirk.example",
        "phish_prone_percentage": 14.235,
        "phone_number": None,
        "extension": None,
        "mobile_phone_number": None,
        "location": "Office A",
        "division": "Sales",
        "manager_name": None,
        "manager_email": None,
        "provisioning_managed": False,
        "provisioning_guid": None,
        "groups": [3142] if i % 2 else [3142, 3143],
        "current_risk_score": 45.742,
        "aliases": [],
        "joined_on": "2019-04-02" if i == 1 else "2019-04-02T15:02:38.000Z",
        "last_sign_in": None,
        "status": "archived" if i == USERS else "active",
        "organization": "Quirk Co",
        "department": ["Sales", "Finance", "Engineering"][i % 3],
        "language": "English - United States",
        "comment": None,
        "employee_start_date": "2019-04-02T15:02:38.000Z",
        "archived_at": "2026-01-02T10:00:00.000Z" if i == USERS else None,
        "custom_field_1": None,
        "custom_field_2": None,
        "custom_field_3": None,
        "custom_field_4": None,
        "custom_date_1": "1986-11-26",
        "custom_date_2": None,
        **({"favourite_colour": "teal"} if i == 2 else {}),
    }


def _enrollment(n: int, campaign_id: int, campaign_name: str, module: dict[str, Any]) -> dict[str, Any]:
    eid = 2_000_000 + n
    user_index = n % USERS + 1
    user: dict[str, Any] | None = {
        "id": 700_000 + user_index,
        "first_name": f"First{user_index}",
        "last_name": f"Last{user_index}",
        "email": f"user{user_index}@quirk.example",
        "employee_number": [123456 + user_index, str(19000 + user_index), None][user_index % 3],
    }
    if eid == NULL_USER_ENROLLMENT:
        user = None
    status = "Exempted By Admin" if eid == UNKNOWN_STATUS_ENROLLMENT else _STATUSES[n % len(_STATUSES)]
    completed = status in {"Passed", "Completed"}
    policy = module.get("content_type") == "Uploaded Policy"
    return {
        "enrollment_id": eid,
        "content_type": module["content_type"],
        "module_name": module["name"],
        "user": user,
        "campaign_name": campaign_name,
        "enrollment_date": "2026-01-05" if eid == DATE_ONLY_ENROLLMENT else "2026-01-05T09:00:00.000Z",
        "start_date": "2026-01-06T09:00:00.000Z" if status != "Not Started" else None,
        "completion_date": "2026-01-20T12:00:00.000Z" if completed else None,
        "status": status,
        "time_spent": 600 if completed else 0,
        "policy_acknowledged": policy and completed,
        "campaign_id": campaign_id,
        "store_purchase_id": None if policy else module.get("store_purchase_id", module.get("store_purchased_id")),
    }


def _campaign(i: int) -> dict[str, Any]:
    cid = BIG_CAMPAIGN + i
    campaign: dict[str, Any] = {
        "campaign_id": cid,
        "name": f"Campaign {cid}",
        "groups": [{"group_id": 0, "name": "All Users"}],
        "status": _CAMPAIGN_STATUSES[i],
        "content": [SP7],
        "duration_type": "Specific End Date",
        "start_date": "2026-01-05T09:00:00.000Z",
        "end_date": "2026-02-05" if i == 3 else "2026-02-05T23:59:59.000Z",
        "relative_duration": None,
        "auto_enroll": True,
        "allow_multiple_enrollments": False,
    }
    if i == 0:
        campaign["content"] = [[SP7, {**POLICY_INT, "published": True}]]  # the 2025 docs' nesting
    if i == 1:
        campaign["content"] = [SP7]
        campaign["modules"] = [SP7, SP_TYPO]  # the old list, overlapping content
    return campaign


def quirk_tenant() -> dict[str, Any]:
    """The tenant as the simulator's JSON form (objects exactly as the API returns them)."""
    campaigns = [_campaign(i) for i in range(CAMPAIGNS)]
    enrollments = [_enrollment(n, BIG_CAMPAIGN, "Campaign 101", SP7) for n in range(BIG_ENROLLMENTS)]
    enrollments += [
        _enrollment(BIG_ENROLLMENTS + n, BIG_CAMPAIGN + 1, "Campaign 102", [SP7, SP_TYPO, POLICY_STR][n % 3])
        for n in range(9)
    ]
    return {
        "account": {
            "name": "Quirk Co",
            "type": "paid",
            "domains": ["quirk.example"],
            "admins": [{"id": 974278, "first_name": "Grace", "last_name": "O'Malley", "email": "g@quirk.example"}],
            "subscription_level": "Diamond",
            "subscription_end_date": "2027-03-06",
            "number_of_seats": 25,
            "current_risk_score": 45.742,
        },
        "users": [_user(i) for i in range(1, USERS + 1)],
        "groups": [
            {
                "id": 3142,
                "name": "Customer Service",
                "group_type": "console_group",
                "provisioning_guid": None,
                "member_count": 40,
                "current_risk_score": 45.742,
                "status": "active",
            },
            {
                "id": 3143,
                "name": "Legacy AD",
                "group_type": "adi_managed_group",
                "adi_guid": "abc12345-6789",
                "member_count": 20,
                "current_risk_score": 35.18206022600573,
                "status": "archived",
            },
        ],
        "training_campaigns": campaigns,
        "store_purchases": [SP7, SP_TYPO],
        "policies": [POLICY_INT, POLICY_STR],
        "enrollments": enrollments,
        "phishing_campaigns": [
            {
                "campaign_id": 242333,
                "name": "One Time Phishing Security Test",
                "groups": [{"group_id": 0, "name": "All Users"}],
                "last_phish_prone_percentage": 0.3,
                "last_run": "2019-04-02T15:02:38.000Z",
                "status": "Closed",
                "hidden": False,
                "send_duration": "3 Business Days",
                "track_duration": "3 Days",
                "frequency": "One Time",
                "difficulty_filter": [1, 2, 3, 4, 5],
                "create_date": "2019-04-02T15:02:38.000Z",
                "psts_count": 2,
                "psts": [
                    {
                        "pst_id": PST_HYPHEN,
                        "status": "Closed",
                        "start_date": "2019-04-02T15:02:38.000Z",
                        "users_count": 3,
                        "phish_prone_percentage": 0.3,
                    },
                    {
                        "pst_id": PST_UNDERSCORE,
                        "status": "Error",
                        "start_date": None,
                        "users_count": None,
                        "phish_prone_percentage": 0.0,
                    },
                ],
            }
        ],
        "security_tests": [
            {
                "campaign_id": 242333,
                "pst_id": PST_HYPHEN,
                "status": "Closed",
                "name": "Corporate Test",
                "groups": [{"group_id": 16342, "name": "Corporate Employees"}],
                "phish_prone_percentage": 0.5,
                "started_at": "2019-04-02T15:02:38.000Z",
                "duration": 1,
                "categories": [{"category_id": 4237, "name": "Current Events"}],
                "template": {"id": 11428, "name": "CNN Breaking News"},
                "landing-page": {"id": 1842, "name": "SEI Landing Page"},
                "scheduled_count": 42,
                "delivered_count": 4,
                "opened_count": 24,
                "clicked_count": 20,
                "replied_count": 0,
                "attachment_open_count": 3,
                "macro_enabled_count": 0,
                "data_entered_count": 0,
                "qr_code_scanned_count": 0,
                "reported_count": 0,
                "bounced_count": 0,
            },
            {
                "campaign_id": 242333,
                "pst_id": PST_UNDERSCORE,
                "status": "Error",
                "name": "test-inactive-campaign",
                "groups": [{"group_id": 640840, "name": "test_group"}],
                "phish_prone_percentage": 0.0,
                "started_at": None,
                "duration": 4,
                "categories": [],
                "template": {"id": None, "name": None},
                "landing_page": {"id": 4072, "name": "Verify Java"},
                "scheduled_count": None,
                "delivered_count": 0,
                "opened_count": 0,
                "clicked_count": 0,
                "replied_count": 0,
                "attachment_open_count": 0,
                "macro_enabled_count": 0,
                "data_entered_count": 0,
                "reported_count": 0,
                "bounced_count": 0,
            },
        ],
        "recipients": [
            {
                "recipient_id": 3077740 + k,
                "pst_id": PST_HYPHEN,
                "user": {
                    "id": 700_000 + k + 1,
                    "provisioning_guid": None,
                    "first_name": f"First{k + 1}",
                    "last_name": f"Last{k + 1}",
                    "email": f"user{k + 1}@quirk.example",
                },
                "template": {"id": 2, "name": "Your Amazon Order"},
                "scheduled_at": "2019-04-02T15:02:38.000Z",
                "delivered_at": "2019-04-02T15:02:38.000Z",
                "opened_at": "2019-04-02T15:02:38.000Z" if k else None,
                "clicked_at": "2019-04-02T15:02:38.000Z" if k == 2 else None,
                "replied_at": None,
                "attachment_opened_at": None,
                "macro_enabled_at": None,
                "data_entered_at": None,
                "qr_code_scanned": "2022-05-12T15:29:54.000Z" if k == 1 else None,
                "reported_at": None,
                "bounced_at": None,
                "ip": None,
                "ip_location": None,
                "browser": None,
                "browser_version": None,
                "os": None,
            }
            for k in range(3)
        ],
    }
