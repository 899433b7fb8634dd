"""`check()`: the policy against the store's campaigns and the seed's prerequisites."""

from __future__ import annotations

from compliance.builders import campaign
from trainproof.compliance import check, parse_policy, seed_status
from trainproof.statuses import SEED_ALLOWED_CAMPAIGN_STATUSES

CAMPAIGNS = [
    campaign(101, "Annual 2026", "In Progress"),
    campaign(102, "Annual 2025", "Completed"),
    campaign(103, "Old onboarding", "Archived"),
    campaign(104, "Phishing Basics", "Active"),
    campaign(105, "Phishing Basics", "Closed"),
]


def test_a_clean_policy_has_no_problems() -> None:
    pol = parse_policy({"trainings": {"security_awareness": {"campaigns": [101, 104]}}})
    assert check(pol, CAMPAIGNS) == ()


def test_every_problem_is_reported_errors_first() -> None:
    pol = parse_policy(
        {
            "trainings": {
                "security_awareness": {
                    "campaigns": [999, "annual 2026", "Phishing Basics", 102, 103, 101, "Annual 2026"]
                },
                "hipaa": {},
            }
        }
    )
    problems = check(pol, CAMPAIGNS)
    assert [(p.severity, p.code, p.training, p.campaign) for p in problems] == [
        ("error", "unknown_campaign_id", "security_awareness", 999),
        ("error", "unknown_campaign_name", "security_awareness", "annual 2026"),
        ("error", "ambiguous_campaign_name", "security_awareness", "Phishing Basics"),
        ("error", "campaign_status_not_allowed", "security_awareness", 103),
        ("error", "training_without_campaign", "hipaa", None),
        ("warning", "campaign_completed", "security_awareness", 102),
        ("warning", "campaign_selected_twice", "security_awareness", "Annual 2026"),
    ]
    messages = [p.message for p in problems]
    assert messages[4] == (
        "[trainings.hipaa] selects no campaign, so nobody can be compliant for HIPAA Training: add campaigns = [101, "
        '"Campaign name"]'
    )
    assert messages[1] == (
        "[trainings.security_awareness] campaigns: no campaign is named 'annual 2026': write the exact name "
        "'Annual 2026' or its id 101"
    )
    assert messages[3] == (
        "[trainings.security_awareness] campaign 'Old onboarding' (id 103) is Archived; the seed allows only "
        "Created, Pending, In Progress, Active, Canceled, Closed: select a campaign in one of those statuses"
    )
    assert messages[5] == (
        "[trainings.security_awareness] campaign 'Annual 2025' (id 102) is Completed: KnowBe4's API reports "
        "finished campaigns as Completed where the seed lists Closed, so it is accepted; its enrollments no "
        "longer change"
    )
    assert all("\n" not in m for m in messages)
    assert problems[4].to_dict()["code"] == "training_without_campaign"


def test_seed_prerequisite_at_least_one_campaign_in_an_allowed_status() -> None:
    pol = parse_policy({"trainings": {"security_awareness": {"campaigns": [1]}}})
    problems = check(pol, [campaign(1, "Old", "Archived"), campaign(2, "Queued", "Enrolling")])
    assert [p.code for p in problems][:1] == ["no_allowed_campaign"]
    assert problems[0].message == (
        "no training campaign in KnowBe4 is in a status the seed allows (Created, Pending, In Progress, Active, "
        "Canceled, Closed): create or start a training campaign"
    )
    assert [p.code for p in check(pol, [])] == ["no_campaigns_in_store", "unknown_campaign_id"]
    assert [p.code for p in check(parse_policy({}), [campaign(1, "A", "Active")])] == ["no_trainings"]
    # A finished campaign satisfies the prerequisite (with its warning), as the API calls finished ones Completed.
    assert [p.code for p in check(pol, [campaign(1, "Done", "Completed")])] == ["campaign_completed"]


def test_seed_status_words() -> None:
    assert {s: seed_status(s) for s in SEED_ALLOWED_CAMPAIGN_STATUSES} == dict.fromkeys(
        SEED_ALLOWED_CAMPAIGN_STATUSES, "allowed"
    )
    assert [seed_status(s) for s in ("Cancelled", "in_progress", "Completed", "Archived", "Enrolling", None)] == [
        "allowed", "allowed", "completed", "not_allowed", "not_allowed", "not_allowed",
    ]  # fmt: skip


def test_a_relative_duration_that_cannot_be_read_is_named() -> None:
    pol = parse_policy({"trainings": {"security_awareness": {"campaigns": [101]}}})
    relative = {"duration_type": "Relative End Date"}
    campaigns = [
        *CAMPAIGNS,
        campaign(106, "Quarterly\nrefresher", relative_duration="1.5 months", **relative),
        campaign(107, "Onboarding", relative_duration="10 business days", **relative),
        # The API documentation's sample: a Specific End Date campaign with the placeholder "string".
        campaign(108, "Annual", duration_type="Specific End Date", relative_duration="string"),
    ]
    problems = check(pol, campaigns)
    assert [(p.severity, p.code, p.campaign) for p in problems] == [("warning", "unreadable_relative_duration", 106)]
    assert problems[0].message == (
        "campaign 'Quarterly\\nrefresher' (id 106) has the relative duration '1.5 months', which is no readable time "
        "(e.g. '2 weeks', '1 month', '10 business days'), so its enrollments have no deadline: nobody is late, "
        "overdue or reminded there; correct it in KnowBe4"
    )
