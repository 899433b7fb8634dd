"""Hand-built KnowBe4 tenants for the report tests, and a real sync of them into a SQLite store.

Records are API-shaped (the Reporting API's field names and formats), so each test runs the real path:
simulator over HTTP on 127.0.0.1 -> `run_sync` -> store -> report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from trainproof.config import Settings, load_settings
from trainproof.simulator import Simulator
from trainproof.store import open_store
from trainproof.sync.engine import run_sync

Record = dict[str, Any]

DOMAIN = "acme.example"

# Client pacing off: the simulator's limits are off too, and tests must be fast.
FAST = """
[knowbe4.limits]
per_second = 10000
per_minute = 1000000
"""


def ts(value: datetime | str | None) -> str | None:
    """The API's timestamp format: 2026-03-01T00:00:00.000Z."""
    if value is None:
        return None
    if isinstance(value, str):
        value = (
            datetime.fromisoformat(value).replace(tzinfo=UTC)
            if "T" in value
            else datetime.fromisoformat(value + "T00:00:00").replace(tzinfo=UTC)
        )
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def user(
    uid: int,
    first: str,
    last: str,
    *,
    department: str | None = None,
    division: str | None = None,
    location: str | None = None,
    manager: tuple[str, str] | None = None,
    groups: list[int] | None = None,
    joined: str = "2024-01-10",
    start: str | None = None,
    status: str = "active",
    archived: str | None = None,
) -> Record:
    return {
        "id": uid,
        "employee_number": str(uid),
        "first_name": first,
        "last_name": last,
        "job_title": None,
        "email": f"{first.lower()}@{DOMAIN}",
        "phish_prone_percentage": 0.0,
        "phone_number": None,
        "extension": None,
        "mobile_phone_number": None,
        "location": location,
        "division": division,
        "manager_name": manager[0] if manager else None,
        "manager_email": manager[1] if manager else None,
        "provisioning_managed": False,
        "provisioning_guid": None,
        "groups": groups if groups is not None else [1],
        "current_risk_score": 10.0,
        "aliases": [],
        "joined_on": ts(joined),
        "last_sign_in": None,
        "status": status,
        "organization": "Acme",
        "department": department,
        "language": "English - United States",
        "comment": None,
        "employee_start_date": ts(start),
        "archived_at": ts(archived),
        "custom_field_1": None,
        "custom_field_2": None,
        "custom_field_3": None,
        "custom_field_4": None,
        "custom_date_1": None,
        "custom_date_2": None,
    }


def group(gid: int, name: str, members: int = 0) -> Record:
    return {
        "id": gid,
        "name": name,
        "group_type": "console_group",
        "provisioning_guid": None,
        "member_count": members,
        "current_risk_score": 10.0,
        "status": "active",
    }


def purchase(
    pid: int,
    name: str,
    *,
    description: str = "",
    kind: str = "Training Module",
    duration: int | None = 15,
    retired: bool = False,
    retirement: str | None = None,
    published: str = "2025-06-01",
) -> Record:
    return {
        "store_purchase_id": pid,
        "content_type": "Store Purchase",
        "name": name,
        "description": description,
        "type": kind,
        "duration": duration,
        "retired": retired,
        "retirement_date": ts(retirement),
        "publish_date": ts(published),
        "publisher": "KnowBe4",
        "purchase_date": ts("2025-07-01"),
        "policy_url": None,
    }


def campaign(
    cid: int,
    name: str,
    modules: list[Record],
    *,
    status: str = "In Progress",
    groups: list[tuple[int, str]] | None = None,
    duration_type: str = "Specific End Date",
    start: str | datetime = "2026-08-01",
    end: str | datetime | None = None,
    relative: str | None = None,
    multiple: bool = False,
) -> Record:
    return {
        "campaign_id": cid,
        "name": name,
        "groups": [{"group_id": g, "name": n} for g, n in (groups or [(0, "All Users")])],
        "status": status,
        "content": modules,
        "duration_type": duration_type,
        "start_date": ts(start),
        "end_date": ts(end),
        "relative_duration": relative,
        "auto_enroll": True,
        "allow_multiple_enrollments": multiple,
        "completion_percentage": 0,
    }


def enrollment(
    eid: int,
    who: Record,
    camp: Record,
    module: Record,
    *,
    status: str = "Not Started",
    enrolled: str | datetime = "2026-08-01",
    started: str | None = None,
    completed: str | datetime | None = None,
    time_spent: int = 0,
) -> Record:
    return {
        "enrollment_id": eid,
        "content_type": "Store Purchase",
        "module_name": module["name"],
        "user": {
            "id": who["id"],
            "first_name": who["first_name"],
            "last_name": who["last_name"],
            "email": who["email"],
            "employee_number": who["employee_number"],
        },
        "campaign_name": camp["name"],
        "enrollment_date": ts(enrolled),
        "start_date": ts(started),
        "completion_date": ts(completed),
        "status": status,
        "time_spent": time_spent,
        "policy_acknowledged": False,
        "campaign_id": camp["campaign_id"],
        "store_purchase_id": module["store_purchase_id"],
    }


def phishing_campaign(cid: int, name: str, psts: list[Record]) -> Record:
    return {
        "campaign_id": cid,
        "name": name,
        "groups": [{"group_id": 0, "name": "All Users"}],
        "last_phish_prone_percentage": psts[-1]["phish_prone_percentage"] if psts else 0.0,
        "last_run": psts[-1]["started_at"] if psts else None,
        "status": "Closed",
        "hidden": False,
        "send_duration": "3 Business Days",
        "track_duration": "3 Days",
        "frequency": "One Time",
        "difficulty_filter": [1, 2, 3, 4, 5],
        "create_date": ts("2024-01-01"),
        "psts_count": len(psts),
        "psts": [
            {
                "pst_id": p["pst_id"],
                "status": p["status"],
                "start_date": p["started_at"],
                "users_count": p["delivered_count"],
                "phish_prone_percentage": p["phish_prone_percentage"],
            }
            for p in psts
        ],
    }


def security_test(
    pst_id: int,
    campaign_id: int,
    name: str,
    *,
    started: str,
    categories: list[str],
    template: str,
    phish_prone: float,
    delivered: int,
) -> Record:
    return {
        "campaign_id": campaign_id,
        "pst_id": pst_id,
        "status": "Closed",
        "name": name,
        "groups": [{"group_id": 0, "name": "All Users"}],
        "phish_prone_percentage": phish_prone,
        "started_at": ts(started),
        "duration": 3,
        "categories": [{"category_id": 100 + i, "name": c} for i, c in enumerate(categories)],
        "template": {"id": pst_id, "name": template},
        "landing_page": {"id": 1842, "name": "SEI Landing Page"},
        "scheduled_count": delivered,
        "delivered_count": delivered,
        "opened_count": 0,
        "clicked_count": 0,
        "replied_count": 0,
        "attachment_open_count": 0,
        "macro_enabled_count": 0,
        "data_entered_count": 0,
        "qr_code_scanned_count": 0,
        "reported_count": 0,
        "bounced_count": 0,
    }


def recipient(rid: int, test: Record, who: Record, **events: str) -> Record:
    """`events`: clicked, data_entered, attachment_opened, macro_enabled, qr_code_scanned, reported -> date."""
    delivered = test["started_at"]

    def at(name: str) -> str | None:
        return ts(events[name]) if name in events else None

    return {
        "recipient_id": rid,
        "pst_id": test["pst_id"],
        "user": {
            "id": who["id"],
            "provisioning_guid": None,
            "first_name": who["first_name"],
            "last_name": who["last_name"],
            "email": who["email"],
        },
        "template": test["template"],
        "scheduled_at": delivered,
        "delivered_at": delivered,
        "opened_at": at("clicked"),
        "clicked_at": at("clicked"),
        "replied_at": None,
        "attachment_opened_at": at("attachment_opened"),
        "macro_enabled_at": at("macro_enabled"),
        "data_entered_at": at("data_entered"),
        "qr_code_scanned": at("qr_code_scanned"),
        "reported_at": at("reported"),
        "bounced_at": None,
        "ip": None,
        "ip_location": None,
        "browser": None,
        "browser_version": None,
        "os": None,
    }


def tenant(**kinds: list[Record]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "account": {
            "name": "Acme",
            "type": "paid",
            "domains": [DOMAIN],
            "admins": [],
            "subscription_level": "Diamond",
            "subscription_end_date": None,
            "number_of_seats": 100,
            "current_risk_score": 20.0,
        },
        "account_risk_score_history": [],
        "group_risk_score_history": {},
        "user_risk_score_history": {},
    }
    for key in (
        "users",
        "groups",
        "training_campaigns",
        "store_purchases",
        "policies",
        "enrollments",
        "phishing_campaigns",
        "security_tests",
        "recipients",
    ):
        out[key] = kinds.get(key, [])
    return out


def sync_into_store(
    data: dict[str, Any], directory: Path, toml: str = "", url: str | None = None
) -> tuple[Engine, Settings]:
    """Serve `data` from the simulator, sync it into a fresh store (SQLite in `directory` unless `url`)."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "trainproof.toml"
    config.write_text(FAST + '\n[sync]\ncampaigns = "all"\n' + toml, encoding="utf-8")
    database = url or f"sqlite:///{directory / 'store.db'}"
    with Simulator(data, limits="off") as sim:
        env = {
            "KNOWBE4_API_KEY": sim.token,
            "KNOWBE4_BASE_URL": sim.base_url,
            "TRAINPROOF_DATABASE_URL": database,
            "TRAINPROOF_NO_KEYRING": "1",
            "TRAINPROOF_STATE_DIR": str(directory / "state"),
        }
        settings = load_settings(config, env=env)
        report = run_sync(settings)
        assert report.outcome == "ok", report
    return open_store(database), settings
