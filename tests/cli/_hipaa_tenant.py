"""A tenant for choosing campaigns: three people, one security awareness campaign and two HIPAA campaigns.

HIPAA counts "HIPAA 2025" (400) only; "HIPAA 2026" (401) is also synced (`[sync] campaigns = "all"`) so
the store can judge a selection of it:

- Ada completed 400 (compliant, kept by the first sync) and has not started 401;
- Bo is enrolled in 401 only and completed it;
- Cy is enrolled in 401 only and has not started it.
"""

from __future__ import annotations

from reports._tenant import FAST, campaign, enrollment, purchase, tenant, user

M1, M2 = purchase(1, "Security Basics"), purchase(2, "HIPAA Essentials")
ANNUAL = campaign(101, "Annual Security Awareness 2026", [M1])
HIPAA_25 = campaign(400, "HIPAA 2025", [M2], status="Completed", start="2025-02-01", end="2025-04-30")
HIPAA_26 = campaign(401, "HIPAA 2026", [M2], start="2026-08-01", end="2026-10-31")
ADA, BO, CY = user(1, "Ada", "Lovelace"), user(2, "Bo", "Diddley"), user(3, "Cy", "Young")

CONFIG = f"""{FAST}
[sync]
campaigns = "all"

[trainings.security_awareness]
campaigns = [101]

# HIPAA: the campaigns our auditor agreed to count
[trainings.hipaa]
campaigns = [400]  # last year's
"""


def hipaa_tenant() -> dict[str, object]:
    return tenant(
        users=[ADA, BO, CY],
        store_purchases=[M1, M2],
        training_campaigns=[ANNUAL, HIPAA_25, HIPAA_26],
        enrollments=[
            enrollment(1, ADA, ANNUAL, M1, status="Passed", started="2026-08-02", completed="2026-08-03"),
            enrollment(2, BO, ANNUAL, M1),
            enrollment(3, CY, ANNUAL, M1),
            enrollment(11, ADA, HIPAA_25, M2, status="Passed", enrolled="2025-02-01", completed="2025-02-10"),
            enrollment(21, ADA, HIPAA_26, M2),
            enrollment(22, BO, HIPAA_26, M2, status="Passed", started="2026-08-05", completed="2026-08-06"),
            enrollment(23, CY, HIPAA_26, M2),
        ],
    )
