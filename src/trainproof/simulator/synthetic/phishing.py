"""Phishing campaigns (one callback, one in Error) and their security tests, with counts from the recipients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from trainproof.simulator.columns import NONE
from trainproof.simulator.instants import format_instant
from trainproof.simulator.kinds import Record
from trainproof.simulator.synthetic.draft import DAY, Draft, Person, add_months, between, epoch, instant
from trainproof.simulator.synthetic.organisation import anyone, is_clinical_staff, is_leader
from trainproof.simulator.synthetic.recipients import recipient_row

__all__ = ["CATEGORIES", "LANDING_PAGES", "TEMPLATES", "make_phishing"]

CATEGORIES: dict[str, dict[str, Any]] = {
    "current": {"category_id": 4237, "name": "Current Events"},
    "banking": {"category_id": 4240, "name": "Banking and Finance"},
    "online": {"category_id": 4245, "name": "Online Services"},
    "hr": {"category_id": 4251, "name": "Human Resources"},
    "it": {"category_id": 4252, "name": "IT"},
    "health": {"category_id": 4260, "name": "Healthcare"},
    "qr": {"category_id": 64810, "name": "QR Code Phishing"},
    "callback": {"category_id": 70115, "name": "Callback Phishing"},
    "baseline": {"category_id": 11244, "name": "Baseline Templates"},
    "hints": {"category_id": 17525, "name": "Security Hints&Tips (Branded) (Not PST)"},
}
TEMPLATES: dict[str, dict[str, Any]] = {
    "cnn": {"id": 11428, "name": "CNN Breaking News"},
    "amazon": {"id": 2, "name": "Your Amazon Order"},
    "m365": {"id": 20311, "name": "Microsoft 365: Password Expires Today"},
    "docusign": {"id": 18772, "name": "DocuSign: Please Review and Sign"},
    "hr": {"id": 15230, "name": "HR: Updated Holiday Schedule"},
    "mfa": {"id": 21004, "name": "IT: Re-enroll in Multi-Factor Authentication"},
    "ups": {"id": 9981, "name": "UPS: Delivery Exception"},
    "payroll": {"id": 17720, "name": "Payroll: Direct Deposit Change Confirmation"},
    "ehr": {"id": 23110, "name": "EHR Portal: Unread Patient Message"},
    "qr": {"id": 26650, "name": "Parking Permit Renewal (QR Code)"},
    "callback": {"id": 27001, "name": "Norton Subscription Renewal - Call to Cancel"},
    "ceo": {"id": 24502, "name": "CEO: Urgent Wire Request"},
}
LANDING_PAGES = (
    {"id": 1842, "name": "SEI Landing Page"},
    {"id": 4072, "name": "Verify Java"},
    {"id": 5123, "name": "Oops! You Clicked on a Simulated Phishing Test"},
)


def make_phishing(draft: Draft) -> None:
    """Phishing campaigns, one security test per run up to the reference date, and their recipients."""
    rng = draft.rng(4)
    all_users = [{"group_id": 0, "name": "All Users"}]
    monthly_starts = [add_months(draft.ref_date.replace(day=1), -m) for m in range(12, 0, -1)]
    exec_group = draft.group_ref("Executive")
    specs: list[dict[str, Any]] = [
        {
            "name": "Baseline Phishing Test 2024",
            "groups": all_users,
            "frequency": "One Time",
            "status": "Closed",
            "difficulty": [1, 2, 3, 4, 5],
            "starts": [date(2024, 1, 9)],
            "share": 1.0,
            "click": 0.22,
            "categories": ["baseline"],
            "templates": ["amazon", "cnn", "ups"],
        },
        {
            "name": "Monthly Phishing Security Test",
            "groups": all_users,
            "frequency": "Monthly",
            "status": "Active",
            "difficulty": [2, 3, 4],
            "starts": [d + timedelta(days=(1 - d.weekday()) % 7) for d in monthly_starts],
            "share": 0.2,
            "click": 0.08,
            "categories": ["current", "online", "hr", "it", "banking"],
            "templates": ["m365", "docusign", "hr", "mfa", "payroll", "ups"],
        },
        {
            "name": "Executive Spear Phishing - Q3 2026",
            "groups": exec_group,
            "frequency": "One Time",
            "status": "Closed",
            "difficulty": [4, 5],
            "starts": [date(2026, 8, 18)],
            "share": 1.0,
            "click": 0.15,
            "categories": ["banking"],
            "templates": ["ceo"],
            "audience": is_leader,
        },
        {
            "name": "QR Code Phishing 2026",
            "groups": all_users,
            "frequency": "One Time",
            "status": "Closed",
            "difficulty": [3, 4],
            "starts": [date(2026, 8, 11)],
            "share": 0.3,
            "click": 0.03,
            "qr": 0.14,
            "categories": ["qr"],
            "templates": ["qr"],
        },
        {
            "name": "Callback Phishing Test 2026",
            "groups": all_users,
            "frequency": "One Time",
            "status": "Closed",
            "difficulty": [3],
            "starts": [date(2026, 5, 12)],
            "share": 0.1,
            "click": 0.0,
            "reply": 0.09,
            "categories": ["callback"],
            "templates": ["callback"],
            "callback": True,
        },
        {
            "name": "Clinical Phishing Test - EHR Portal",
            "groups": draft.group_ref("Clinical Staff - HIPAA"),
            "frequency": "Quarterly",
            "status": "Active",
            "difficulty": [2, 3],
            "starts": [date(2026, 4, 14), date(2026, 7, 14), date(2026, 10, 13)],
            "share": 0.5,
            "click": 0.1,
            "attach": 0.06,
            "categories": ["health"],
            "templates": ["ehr"],
            "audience": is_clinical_staff,
        },
    ]
    campaign_id = 229_001
    pst_id = 509_001
    recipient_id = 3_077_001
    phishing: list[Record] = []
    tests: list[Record] = []
    recipients = draft.tenant.tables["recipients"]
    recipient_rows: list[tuple[Any, ...]] = []
    ips = [f"{'203.0.113' if k % 2 else '198.51.100'}.{k % 250 + 1}" for k in range(300)]
    for spec in specs:
        pst_summaries: list[Record] = []
        audience: Callable[[Person], bool] = spec.get("audience", anyone)
        audience_people = [p for p in draft.people if audience(p)]
        share: float = spec["share"]
        rates = (spec["click"], spec.get("attach", 0.01), spec.get("qr", 0.002), spec.get("reply", 0.004))
        last_ppp = 0.0
        last_run: int | None = None
        for start_day in spec["starts"]:
            t0 = epoch(start_day, 14)
            if t0 > draft.ref:
                continue
            template_pool = [TEMPLATES[t] for t in spec["templates"]]
            rnd = rng.random
            failed_count = 0
            for person in audience_people:
                if person.start > t0 or (person.archived_at is not None and person.archived_at <= t0):
                    continue
                if rnd() >= share:
                    continue
                row, failed = recipient_row(rng, rates, person, t0, recipient_id, pst_id, template_pool, ips)
                recipient_rows.append(row)
                recipient_id += 1 + (rnd() < 0.05)
                if row[5] != NONE:
                    person.phished += 1
                if failed is not None:
                    failed_count += 1
                    person.fails.append(failed)
            columns = list(zip(*recipient_rows, strict=True)) if recipient_rows else [()] * 20
            counts = {
                key: sum(1 for value in columns[col] if value != NONE)
                for key, col in (
                    ("delivered", 5),
                    ("opened", 6),
                    ("clicked", 7),
                    ("replied", 8),
                    ("attachment", 9),
                    ("macro", 10),
                    ("data", 11),
                    ("qr", 12),
                    ("reported", 13),
                    ("bounced", 14),
                )
            }
            counts["scheduled"] = len(recipient_rows)
            counts["failed"] = failed_count
            ppp = round(counts["failed"] / counts["delivered"], 3) if counts["delivered"] else 0.0
            landing = LANDING_PAGES[pst_id % len(LANDING_PAGES)]
            tests.append(
                {
                    "campaign_id": campaign_id,
                    "pst_id": pst_id,
                    "status": "Closed",
                    "name": spec["name"],
                    "groups": spec["groups"],
                    "phish_prone_percentage": ppp,
                    "started_at": format_instant(t0),
                    "duration": 3,
                    "categories": [CATEGORIES[c] for c in spec["categories"]],
                    "template": template_pool[0],
                    "landing_page": landing,
                    "scheduled_count": counts["scheduled"],
                    "delivered_count": counts["delivered"],
                    "opened_count": counts["opened"],
                    "clicked_count": counts["clicked"],
                    "replied_count": counts["replied"],
                    "attachment_open_count": counts["attachment"],
                    "macro_enabled_count": counts["macro"],
                    "data_entered_count": counts["data"],
                    "qr_code_scanned_count": counts["qr"],
                    "reported_count": counts["reported"],
                    "bounced_count": counts["bounced"],
                }
            )
            pst_summaries.append(
                {
                    "pst_id": pst_id,
                    "status": "Closed",
                    "start_date": format_instant(t0),
                    "users_count": counts["scheduled"],
                    "phish_prone_percentage": ppp,
                }
            )
            last_ppp, last_run = ppp, t0
            recipients.append_encoded(recipient_rows)
            recipient_rows.clear()
            pst_id += 1 + between(rng, 0, 4)
        first_start = epoch(spec["starts"][0], 14)
        campaign: Record = {
            "campaign_id": campaign_id,
            "name": spec["name"],
            "groups": spec["groups"],
            "last_phish_prone_percentage": last_ppp,
            "last_run": instant(last_run),
            "status": spec["status"],
            "hidden": False,
            "send_duration": "3 Business Days",
            "track_duration": "3 Days",
            "frequency": spec["frequency"],
            "difficulty_filter": spec["difficulty"],
            "create_date": format_instant(first_start - 6 * DAY - 3 * 3600),
            "psts_count": len(pst_summaries),
            "psts": pst_summaries,
        }
        if spec.get("callback"):
            campaign["campaign_type"] = "callback"
        phishing.append(campaign)
        campaign_id += 1 + between(rng, 0, 5)
    # The real API's quirks: a campaign in Error with a test that never started.
    error_group = draft.group_ref("Finance")
    phishing.append(
        {
            "campaign_id": campaign_id,
            "name": "Finance Phishing Test (misconfigured)",
            "groups": error_group,
            "last_phish_prone_percentage": 0.0,
            "last_run": None,
            "status": "Error",
            "hidden": False,
            "send_duration": "1 Business Day",
            "track_duration": "3 Days",
            "frequency": "One Time",
            "difficulty_filter": [4, 2],
            "create_date": format_instant(draft.days_ago(40, 13)),
            "psts_count": 1,
            "psts": [
                {
                    "pst_id": pst_id,
                    "status": "Error",
                    "start_date": None,
                    "users_count": None,
                    "phish_prone_percentage": 0.0,
                }
            ],
        }
    )
    tests.append(
        {
            "campaign_id": campaign_id,
            "pst_id": pst_id,
            "status": "Error",
            "name": "Finance Phishing Test (misconfigured)",
            "groups": error_group,
            "phish_prone_percentage": 0.0,
            "started_at": None,
            "duration": 4,
            "categories": [CATEGORIES["baseline"], CATEGORIES["hints"]],
            "template": {"id": None, "name": None},
            "landing_page": LANDING_PAGES[1],
            "scheduled_count": None,
            "delivered_count": 0,
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
    )
    for record in phishing:
        draft.tenant.tables["phishing_campaigns"].append(record)
    for record in tests:
        draft.tenant.tables["security_tests"].append(record)
