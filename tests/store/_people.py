"""A tenant whose people are found by every key KnowBe4 gives them: id, email, aliases, employee number.

The keys collide on purpose: Bob's employee number is Ada's user id, Eve's alias is Ada's email, and Cy
and Di share an employee number, so the order of the kinds of key and the ambiguity error are seen.
"""

from __future__ import annotations

from typing import Any

from reports._tenant import campaign, enrollment, purchase, tenant, user

MODULE = purchase(31, "Security Awareness")
SA = campaign(301, "Security Awareness 2026", [MODULE], start="2026-07-01", end="2026-08-10")

ADA = {
    **user(1, "Ada", "Lovelace"),
    "employee_number": "E-100",
    "aliases": ["ada.old@acme.example", "A.L@Acme.example"],
}
BOB = {**user(2, "Bob", "Babbage"), "employee_number": "1"}
CY = {**user(3, "Cy", "Clerk"), "employee_number": "X-7"}
DI = {**user(4, "Di", "Dahl"), "employee_number": "X-7"}
EVE = {**user(5, "Eve", "Early"), "employee_number": None, "aliases": ["ada@acme.example"]}

TOML = """
[trainings.sa]
title = "Security Awareness"
campaigns = [301]
"""


def people_tenant() -> dict[str, Any]:
    people = [ADA, BOB, CY, DI, EVE]
    return tenant(
        users=people,
        store_purchases=[MODULE],
        training_campaigns=[SA],
        enrollments=[
            enrollment(10 + p["id"], p, SA, MODULE, status="Passed", completed="2026-07-05")
            if p is ADA
            else enrollment(10 + p["id"], p, SA, MODULE)
            for p in people
        ],
    )
