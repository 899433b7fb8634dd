"""A tenant built for the report tools, answered by hand in test_report_tools.py; judged 2026-08-15 12:00 UTC.

Trainings: security_awareness = campaign 301 (Specific End Date 1 Jul - 10 Aug; Basics + Phishing; 30-day
new-hire grace); hipaa = 302 (Relative End Date, two weeks from enrollment). Onboarding: 303 (Relative,
30 days). 304 is a phishing refresher (Specific, 5 - 25 Aug); 300 a spring campaign closed in Q2.

| person | dept  | manager | security_awareness (301) | hipaa (302)                | other                       |
|--------|-------|---------|--------------------------|----------------------------|-----------------------------|
| Ann    | Sales | Maya    | both passed: compliant   | enrolled 4 Aug, due 18 Aug | 304 Not Started (50 % sent) |
| Bob    | Sales | Maya    | Phishing Past Due        | enrolled 20 Jul, due 3 Aug | clicked 4 Aug               |
| Cat    | Sales | Maya    | not enrolled             | not enrolled               |                             |
| Dee    | IT    | Omar    | both completed           | passed 25 Jul              | 304 done 6 Aug; data 3 Aug  |
| Eli    | IT    | Omar    | in progress: incomplete  | not enrolled               | 304 started; clicked 11 May |
| Fay    | IT    | Omar    | started 1 Aug: grace     | not enrolled               | new hire, no onboarding     |
| Gus    | -     | -       | started 25 Jul: grace    | not enrolled               | new hire, onboarding 303    |
| Hal    | Sales | Maya    | archived 1 Jun: left out everywhere                   | clicked 4 Aug               |
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reports._tenant import (
    campaign,
    enrollment,
    group,
    phishing_campaign,
    purchase,
    recipient,
    security_test,
    tenant,
    user,
)

AT = datetime(2026, 8, 15, 12, tzinfo=UTC)
MAYA = ("Maya M", "maya@acme.example")
OMAR = ("Omar O", "omar@acme.example")

TOML = """
[trainings.security_awareness]
title = "Security Awareness"
campaigns = [301]
new_hire_grace_days = 30

[trainings.hipaa]
title = "HIPAA"
campaigns = ["HIPAA 2026"]

[onboarding]
campaigns = [303]
"""


def build() -> dict[str, Any]:
    def person(uid: int, first: str, dept: str | None, mgr: tuple[str, str] | None, **kw: Any) -> dict[str, Any]:
        return user(uid, first, first[0], department=dept, manager=mgr, **kw)

    ann = person(1, "Ann", "Sales", MAYA)
    bob = person(2, "Bob", "Sales", MAYA)
    cat = person(3, "Cat", "Sales", MAYA)
    dee = person(4, "Dee", "IT", OMAR)
    eli = person(5, "Eli", "IT", OMAR)
    fay = person(6, "Fay", "IT", OMAR, joined="2026-08-01", start="2026-08-01")
    gus = person(7, "Gus", None, None, joined="2026-07-25", start="2026-07-25")
    hal = person(8, "Hal", "Sales", MAYA, status="archived", archived="2026-06-01")

    basics = purchase(31, "Security Awareness Basics")
    phishing = purchase(32, "Phishing Fundamentals", description="Spot phishing emails, links and fake logins")
    privacy = purchase(33, "HIPAA Privacy Rule", published="2023-01-15")  # older than two years
    passwords = purchase(34, "Password Hygiene", retired=True, retirement="2026-05-01")

    spring = campaign(300, "Spring SA", [basics], status="Closed", start="2026-04-01", end="2026-05-31")
    sa = campaign(301, "Annual SA", [basics, phishing], start="2026-07-01", end="2026-08-10")
    hipaa = campaign(
        302, "HIPAA 2026", [privacy], duration_type="Relative End Date", start="2026-07-01", relative="2 weeks"
    )
    onboarding = campaign(
        303, "New Hire Onboarding", [basics], duration_type="Relative End Date", start="2026-01-01", relative="30 days"
    )
    refresher = campaign(304, "Phishing Refresher", [phishing], start="2026-08-05", end="2026-08-25")

    e = enrollment
    enrollments = [
        e(1, ann, sa, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-05"),
        e(2, ann, sa, phishing, enrolled="2026-07-01", status="Passed", completed="2026-07-06"),
        e(3, bob, sa, basics, enrolled="2026-07-01", status="Passed", completed="2026-07-09"),
        e(4, bob, sa, phishing, enrolled="2026-07-01", status="Past Due"),
        e(5, dee, sa, basics, enrolled="2026-07-01", status="Completed", completed="2026-07-02"),
        e(6, dee, sa, phishing, enrolled="2026-07-01", status="Completed", completed="2026-07-03"),
        e(7, eli, sa, basics, enrolled="2026-07-01", status="In Progress", started="2026-07-20"),
        e(8, eli, sa, phishing, enrolled="2026-07-01"),
        e(9, ann, hipaa, privacy, enrolled="2026-08-04"),
        e(10, bob, hipaa, privacy, enrolled="2026-07-20"),
        e(11, dee, hipaa, privacy, enrolled="2026-07-20", status="Passed", completed="2026-07-25"),
        e(12, gus, onboarding, basics, enrolled="2026-07-25", status="In Progress", started="2026-07-26"),
        e(13, ann, refresher, phishing, enrolled="2026-08-05"),
        e(14, eli, refresher, phishing, enrolled="2026-08-05", status="In Progress", started="2026-08-06"),
        e(15, dee, refresher, phishing, enrolled="2026-08-05", status="Completed", completed="2026-08-06"),
        e(16, ann, spring, basics, enrolled="2026-04-01", status="Passed", completed="2026-04-10"),
        e(17, bob, spring, basics, enrolled="2026-04-01", status="Passed", completed="2026-05-02"),
        e(18, cat, spring, basics, enrolled="2026-04-01", status="Past Due"),
    ]

    bank = security_test(
        601, 501, "Bank alert", started="2026-08-03", categories=["Banking"],
        template="Your bank account is locked", phish_prone=0.25, delivered=8,
    )  # fmt: skip
    parcel = security_test(
        602, 501, "Parcel notice", started="2026-05-10", categories=["Shipping"],
        template="Your parcel could not be delivered", phish_prone=0.5, delivered=8,
    )  # fmt: skip
    return tenant(
        users=[ann, bob, cat, dee, eli, fay, gus, hal],
        groups=[group(1, "Everyone", 8)],
        store_purchases=[basics, phishing, privacy, passwords],
        training_campaigns=[spring, sa, hipaa, onboarding, refresher],
        enrollments=enrollments,
        phishing_campaigns=[phishing_campaign(501, "Monthly phishing", [parcel, bank])],
        security_tests=[parcel, bank],
        recipients=[
            recipient(1, bank, bob, clicked="2026-08-04T09:00:00"),
            recipient(2, bank, dee, clicked="2026-08-03T10:00:00", data_entered="2026-08-03T10:01:00"),
            recipient(3, bank, hal, clicked="2026-08-04T11:00:00"),
            recipient(4, bank, ann, reported="2026-08-03T12:00:00"),
            recipient(5, parcel, eli, clicked="2026-05-11T08:00:00"),
        ],
    )
