"""Small builders shared by the simulator tests."""

from __future__ import annotations

from typing import Any

import httpx2

from trainproof.simulator import Simulator

CAMPAIGN_ID = 101


def client(sim: Simulator, **kwargs: Any) -> httpx2.Client:
    """An HTTP client for the simulator, authenticated with its token."""
    return httpx2.Client(base_url=sim.base_url, headers=sim.headers, **kwargs)


def enrollment(
    enrollment_id: int, *, user_id: int | None = 1, campaign_id: int = CAMPAIGN_ID, **fields: Any
) -> dict[str, Any]:
    """An enrollment as the API shows it, plus the hidden campaign_id / store_purchase_id."""
    record: dict[str, Any] = {
        "enrollment_id": enrollment_id,
        "content_type": "Store Purchase",
        "module_name": "Security Awareness Fundamentals 2026",
        "user": None
        if user_id is None
        else {
            "id": user_id,
            "first_name": "Sam",
            "last_name": f"User{user_id}",
            "email": f"user{user_id}@example.com",
            "employee_number": f"E{user_id:05d}",
        },
        "campaign_name": f"Campaign {campaign_id}",
        "enrollment_date": "2026-01-12T09:00:00.000Z",
        "start_date": None,
        "completion_date": None,
        "status": "Not Started",
        "time_spent": 0,
        "policy_acknowledged": False,
        "campaign_id": campaign_id,
        "store_purchase_id": 6401,
    }
    record.update(fields)
    return record


def user(user_id: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": user_id,
        "employee_number": f"E{user_id:05d}",
        "first_name": "Sam",
        "last_name": f"User{user_id}",
        "email": f"user{user_id}@example.com",
        "status": "active",
        "groups": [],
        "current_risk_score": 20.0,
    }
    record.update(fields)
    return record


def campaign(campaign_id: int, name: str | None = None, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "campaign_id": campaign_id,
        "name": name or f"Campaign {campaign_id}",
        "groups": [{"group_id": 0, "name": "All Users"}],
        "status": "In Progress",
        "content": [],
        "duration_type": "Specific End Date",
        "start_date": "2026-01-12T09:00:00.000Z",
        "end_date": "2026-03-31T23:59:59.000Z",
        "relative_duration": None,
        "auto_enroll": False,
        "allow_multiple_enrollments": False,
    }
    record.update(fields)
    return record


def tenant_with_enrollments(count: int, *, users: int = 10, seats: int = 10) -> dict[str, Any]:
    """A hand-made tenant: one campaign holding `count` enrollments spread over `users` people."""
    return {
        "account": {"name": "Test Co", "type": "paid", "number_of_seats": seats, "subscription_level": "Platinum"},
        "users": [user(u) for u in range(1, users + 1)],
        "training_campaigns": [campaign(CAMPAIGN_ID), campaign(CAMPAIGN_ID + 1)],
        "enrollments": [enrollment(1000 + i, user_id=1 + i % users) for i in range(count)],
    }
