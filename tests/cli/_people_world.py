"""Six people, two trainings, one store: the tenant `trainproof people` and `trainproof status` are tested on.

Served by the simulator and synced into SQLite through the real client, once per test module. On
2026-09-01 (NOW) the decisions are:

    person                        security (campaign 101)    hipaa (campaign 102, 30-day grace)
    Ada Astronaut  Eng            compliant 08-10            compliant 08-12
    Bo Builder     Eng            compliant 08-25, late      incomplete
    Cy Cook        Sales          incomplete                 not_enrolled
    Di Diver       sales          compliant 08-05            compliant 08-06
    Eve (hostile)  [bold]Ops...   incomplete                 not_enrolled
    Fay Farmer     -              not_enrolled               grace (started 08-20)

Ada is in the group Nurses, has the alias ada.old@acme.example and employee number E-0042; Ada and
Bo report to Maria Boss, Cy and Di to Sam Chief.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reports._tenant import campaign, enrollment, group, purchase, sync_into_store, tenant, user

NOW = "2026-09-01T12:00:00Z"
AT = datetime(2026, 9, 1, 12, tzinfo=UTC)

HOSTILE_FIRST = "\x1b]0;owned\x07Eve"
HOSTILE_DEPARTMENT = "[bold]Ops[link=https://evil.example]x[/link]"

TOML = """
[trainings.security]
title = "Security Awareness"
campaigns = [101]

[trainings.hipaa]
title = "HIPAA"
campaigns = [102]
new_hire_grace_days = 30
"""

MARIA = ("Maria Boss", "maria@acme.example")
SAM = ("Sam Chief", "sam@acme.example")


def people_tenant() -> dict[str, Any]:
    ma, mh = purchase(1, "Security Basics"), purchase(2, "HIPAA Basics")
    sec = campaign(101, "Security 2026", [ma], start="2026-08-01", end="2026-08-20")
    hip = campaign(102, "HIPAA 2026", [mh], start="2026-08-01", end="2026-09-30")
    ada = user(1, "Ada", "Astronaut", department="Eng", manager=MARIA, groups=[1, 7])
    ada["aliases"] = ["ada.old@acme.example"]
    ada["employee_number"] = "E-0042"
    bo = user(2, "Bo", "Builder", department="Eng", manager=MARIA)
    cy = user(3, "Cy", "Cook", department="Sales", manager=SAM)
    di = user(4, "Di", "Diver", department="sales", manager=SAM)
    eve = user(5, "Eve", "[/red]", department=HOSTILE_DEPARTMENT)
    eve["first_name"] = HOSTILE_FIRST
    fay = user(6, "Fay", "Farmer", start="2026-08-20")

    def done(eid: int, who: dict[str, Any], camp: dict[str, Any], mod: dict[str, Any], day: str) -> dict[str, Any]:
        return enrollment(eid, who, camp, mod, status="Passed", started=day, completed=day)

    return tenant(
        users=[ada, bo, cy, di, eve, fay],
        groups=[group(1, "All Staff", 6), group(7, "Nurses", 1)],
        store_purchases=[ma, mh],
        training_campaigns=[sec, hip],
        enrollments=[
            done(11, ada, sec, ma, "2026-08-10"),
            done(12, ada, hip, mh, "2026-08-12"),
            done(21, bo, sec, ma, "2026-08-25"),
            enrollment(22, bo, hip, mh, status="In Progress", started="2026-08-05"),
            enrollment(31, cy, sec, ma, status="In Progress", started="2026-08-05"),
            done(41, di, sec, ma, "2026-08-05"),
            done(42, di, hip, mh, "2026-08-06"),
            enrollment(51, eve, sec, ma),
        ],
    )


class World:
    """The synced store and what a command needs to read it."""

    def __init__(self, root: Path) -> None:
        engine, self.settings = sync_into_store(people_tenant(), root, TOML)
        self.engine = engine
        self.env = {
            "TRAINPROOF_CONFIG": str(root / "trainproof.toml"),
            "TRAINPROOF_DATABASE_URL": f"sqlite:///{root / 'store.db'}",
            "TRAINPROOF_STATE_DIR": str(root / "state"),
        }
