"""Drata's four-person example table (its KnowBe4 connection article), worked out by hand.

Selected for Security Awareness: Campaign A and Campaign B. Campaign C is not selected and everyone is
enrolled in it, so it must be ignored (here it is incomplete for the astronaut and complete for the
others, and neither changes anything).

|            | A           | B           | C            | Drata's overall status |
| astronaut  | enrolled, ✔ | enrolled, ✔ | not selected | compliant (2)         |
| wizard     | enrolled, ✘ | enrolled, ✔ | not selected | not compliant (1/2)   |
| superhero  | enrolled, ✔ | not enrolled| not selected | compliant             |
| ninja      | not enrolled| enrolled, ✘ | not selected | not compliant         |
"""

from __future__ import annotations

from compliance.builders import campaign, day, enrollment, person, policy
from trainproof.compliance import evaluate

A, B, C = 1, 2, 3
ASTRONAUT, WIZARD, SUPERHERO, NINJA = 11, 12, 13, 14

PEOPLE = [
    person(ASTRONAUT, "Astro", "Naut"),
    person(WIZARD, "Wiz", "Ard"),
    person(SUPERHERO, "Super", "Hero"),
    person(NINJA, "Nin", "Ja"),
]
CAMPAIGNS = [campaign(A, "Campaign A"), campaign(B, "Campaign B"), campaign(C, "Campaign C")]
ENROLLMENTS = [
    enrollment(ASTRONAUT, A, "a1", "Completed", day(10)),
    enrollment(ASTRONAUT, B, "b1", "Passed", day(20)),
    enrollment(ASTRONAUT, C, "c1", "Not Started"),
    enrollment(WIZARD, A, "a1", "Not Started"),
    enrollment(WIZARD, B, "b1", "Completed", day(12)),
    enrollment(WIZARD, C, "c1", "Completed", day(5)),
    enrollment(SUPERHERO, A, "a1", "Completed", day(15)),
    enrollment(SUPERHERO, C, "c1", "Completed", day(5)),
    enrollment(NINJA, B, "b1", "In Progress"),
    enrollment(NINJA, C, "c1", "Completed", day(5)),
]
POLICY = policy(security_awareness={"campaigns": [A, "Campaign B"]})


def test_the_seed_table() -> None:
    result = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, POLICY, [], day(30))
    by_user = {d.user_id: d for d in result.decisions}
    assert {u: (d.state, d.compliant) for u, d in by_user.items()} == {
        ASTRONAUT: ("compliant", True),
        WIZARD: ("incomplete", False),
        SUPERHERO: ("compliant", True),
        NINJA: ("incomplete", False),
    }
    # Campaign C appears nowhere: only selected campaigns the person is enrolled in are listed.
    assert [(c.campaign_id, c.complete) for c in by_user[ASTRONAUT].campaigns] == [(A, True), (B, True)]
    assert [(c.campaign_id, c.complete) for c in by_user[WIZARD].campaigns] == [(A, False), (B, True)]
    assert [(c.campaign_id, c.complete) for c in by_user[SUPERHERO].campaigns] == [(A, True)]
    assert [(c.campaign_id, c.complete) for c in by_user[NINJA].campaigns] == [(B, False)]
    # Compliant since the last of the completions that made them compliant.
    assert by_user[ASTRONAUT].compliant_since == day(20)
    assert by_user[SUPERHERO].compliant_since == day(15)
    assert by_user[WIZARD].compliant_since is None


def test_the_seed_table_explains_itself() -> None:
    result = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, POLICY, [], day(30))
    reasons = {d.user_id: d.reason for d in result.decisions}
    assert reasons[ASTRONAUT] == (
        "Astro Naut is compliant for Security Awareness Training since 2026-01-21: enrolled in 2 selected "
        "campaigns (Campaign A, Campaign B) and completed every module of each."
    )
    assert reasons[WIZARD] == (
        "Wiz Ard is not compliant for Security Awareness Training: 1 of the 2 selected campaigns they are "
        "enrolled in is complete; outstanding: Campaign A (Module a1)."
    )
    assert reasons[SUPERHERO] == (
        "Super Hero is compliant for Security Awareness Training since 2026-01-16: enrolled in 1 selected "
        "campaign (Campaign A) and completed every module of it."
    )
    assert reasons[NINJA] == (
        "Nin Ja is not compliant for Security Awareness Training: 0 of the 1 selected campaign they are "
        "enrolled in are complete; outstanding: Campaign B (Module b1)."
    )
    assert result.totals() == {
        "security_awareness": {
            "compliant": 2, "incomplete": 2, "not_enrolled": 0, "grace": 0, "expired": 0, "total": 4,
        }
    }  # fmt: skip
