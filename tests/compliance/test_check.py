"""`check()`: the policy against the store's campaigns and Drata's prerequisites."""

from __future__ import annotations

from compliance.builders import campaign, day, enrollment, person
from trainproof.compliance import check, evaluate, parse_trainings
from trainproof.compliance.check import data_problems
from trainproof.statuses import SELECTABLE_CAMPAIGN_STATUSES, is_selectable_campaign

CAMPAIGNS = [
    campaign(101, "Annual 2026", "In Progress"),
    campaign(102, "Annual 2025", "Completed"),
    campaign(103, "Old onboarding", "Archived"),
    campaign(104, "Phishing Basics", "Active"),
    campaign(105, "Phishing Basics", "Closed"),
]


def test_a_clean_policy_has_no_problems() -> None:
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": [101, 104]}}})
    assert check(pol, CAMPAIGNS) == ()


def test_every_problem_is_reported_errors_first() -> None:
    pol = parse_trainings(
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
        ("warning", "campaign_selected_twice", "security_awareness", "Annual 2026"),
    ]  # 102 is Completed: selectable
    messages = [p.message for p in problems]
    assert messages == [
        "[trainings.security_awareness] campaigns: no campaign has id 999: check the id; "
        "`trainproof api training-campaigns` lists them",
        "[trainings.security_awareness] campaigns: no campaign is named 'annual 2026': write the exact name "
        "'Annual 2026' or its id 101",
        "[trainings.security_awareness] campaigns: the name 'Phishing Basics' matches 2 campaigns (ids 104, 105): "
        "write the id of the one meant instead, e.g. campaigns = [104]",
        "[trainings.security_awareness] campaign 'Old onboarding' (id 103) is 'Archived'; Drata lets a training "
        "select only Created, Pending, In Progress, Active, Canceled, Cancelled, Closed, Completed: select a "
        "campaign in one of those statuses",
        "[trainings.hipaa] selects no campaign, so nobody can be compliant for HIPAA Training: add campaigns = [101, "
        '"Campaign name"]',
        "[trainings.security_awareness] campaigns: 'Annual 2026' and 101 are the same campaign (id 101): list it once",
    ]
    assert problems[4].to_dict()["code"] == "training_without_campaign"


def test_drata_prerequisite_at_least_one_campaign_in_a_selectable_status() -> None:
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": [1]}}})
    problems = check(pol, [campaign(1, "Old", "Archived"), campaign(2, "Queued", "Enrolling")])
    assert [p.code for p in problems][:1] == ["no_allowed_campaign"]
    assert problems[0].message == (
        "no training campaign in KnowBe4 is in a status Drata lets a training select (Created, Pending, In "
        "Progress, Active, Canceled, Cancelled, Closed, Completed): create or start a training campaign"
    )
    assert [p.code for p in check(pol, [])] == ["no_campaigns_in_store", "unknown_campaign_id"]
    assert check(pol, [])[1].message == (
        "[trainings.security_awareness] campaigns: no campaign has id 1: no training campaign is known yet: "
        "create one in KnowBe4, then run `trainproof sync`"
    )
    assert [p.code for p in check(parse_trainings({}), [campaign(1, "A", "Active")])] == ["no_trainings"]


def test_every_status_drata_lets_a_training_select_is_selectable() -> None:
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": [1]}}})
    for status in SELECTABLE_CAMPAIGN_STATUSES:
        assert check(pol, [campaign(1, "A", status)]) == (), status
    assert all(is_selectable_campaign(s) for s in ("in_progress", "CANCELLED", " completed "))
    assert [is_selectable_campaign(s) for s in ("Archived", "Enrolling", "Scheduled", "", None)] == [False] * 5


def test_a_relative_duration_that_cannot_be_read_is_named() -> None:
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": [101]}}})
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


def test_a_selected_campaign_that_ended_with_people_incomplete_is_a_warning() -> None:
    """Drata lets a training select a Completed, Closed or Canceled campaign; people left incomplete there are named."""
    pol = parse_trainings(
        {"trainings": {"security_awareness": {"campaigns": [1, 2, 3, 4]}, "hipaa": {"campaigns": [1]}}}
    )
    campaigns = [
        campaign(1, "Annual 2025", "Completed"),
        campaign(2, "Annual 2026", "In Progress", duration_type="Specific End Date", end_date=day(30)),
        campaign(3, "Phishing 2026", "Active", duration_type="Specific End Date", end_date=day(90)),
        campaign(4, "Old refresher", "Canceled"),
    ]
    people = [person(1), person(2), person(3), person(4, archived_at=day(10))]
    enrollments = [
        enrollment(1, 1, status="Not Started"),
        enrollment(2, 1, status="In Progress"),
        enrollment(4, 1, status="Not Started"),  # archived: outside the population, not counted
        enrollment(3, 2, status="Past Due"),
        enrollment(1, 3, status="Not Started"),  # still open: nothing to say
        enrollment(2, 4, done=day(5)),  # ended, but everyone in it completed
    ]
    assert check(pol, campaigns) == ()  # the configuration alone is fine
    ev = evaluate(people, campaigns, enrollments, pol, [], day(40))
    problems = data_problems(ev, campaigns)
    assert [(p.severity, p.code, p.training, p.campaign, p.count) for p in problems] == [
        ("warning", "ended_campaign_incomplete", "security_awareness", 1, 2),
        ("warning", "ended_campaign_incomplete", "security_awareness", 2, 1),
        ("warning", "ended_campaign_incomplete", "hipaa", 1, 2),
    ]
    assert problems[0].message == (
        "[trainings.security_awareness] campaign 'Annual 2025' (id 1) is 'Completed' with 2 people still incomplete "
        "in it, who stay incomplete for Security Awareness Training while it is selected: enrol them in an open "
        "campaign, or unselect it if it should no longer count"
    )
    assert problems[1].message.startswith(
        "[trainings.security_awareness] campaign 'Annual 2026' (id 2) ended on 2026-01-31 12:00 UTC with 1 person "
    )
    before_the_end = evaluate(people, campaigns, enrollments, pol, [], day(20))
    assert [p.campaign for p in data_problems(before_the_end, campaigns)] == [1, 1]
