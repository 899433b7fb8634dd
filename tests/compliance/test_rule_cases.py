"""One test per case of Drata's rule, each worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from compliance.builders import campaign, day, enrollment, person, policy
from trainproof.compliance import Campaign, Decision, EnrollmentFact, Person, TrainingsConfig, evaluate

A, B, C = 1, 2, 3
CAMPAIGNS = [campaign(A, "Campaign A"), campaign(B, "Campaign B"), campaign(C, "Campaign C")]
SEC_AB = policy(security_awareness={"campaigns": [A, B]})


def decide(
    enrollments: list[EnrollmentFact],
    pol: TrainingsConfig = SEC_AB,
    people: list[Person] | None = None,
    as_of_day: float = 30,
    campaigns: list[Campaign] | None = None,
) -> dict[tuple[int, str], Decision]:
    people = people if people is not None else [person(1, "Pat", "Lee")]
    result = evaluate(people, campaigns or CAMPAIGNS, enrollments, pol, [], day(as_of_day))
    return {(d.user_id, d.training): d for d in result.decisions}


def one(
    enrollments: list[EnrollmentFact],
    pol: TrainingsConfig = SEC_AB,
    people: list[Person] | None = None,
    as_of_day: float = 30,
    campaigns: list[Campaign] | None = None,
) -> Decision:
    decisions = decide(enrollments, pol, people, as_of_day, campaigns)
    assert len(decisions) == 1
    return next(iter(decisions.values()))


def test_multi_module_campaign_needs_every_module() -> None:
    partly = one([enrollment(1, A, "m1", "Completed", day(3)), enrollment(1, A, "m2", "In Progress")])
    assert (partly.state, partly.campaigns[0].outstanding_modules) == ("incomplete", ("Module m2",))
    assert partly.campaigns[0].completed_at is None
    fully = one([enrollment(1, A, "m1", "Completed", day(3)), enrollment(1, A, "m2", "Passed", day(8))])
    assert (fully.state, fully.compliant_since) == ("compliant", day(8))  # the later of the two modules
    assert fully.campaigns[0].completed_at == day(8)
    assert len(fully.evidence) == 2


def test_duplicate_enrollments_one_completion_is_enough_and_the_first_counts() -> None:
    retake = enrollment(1, A, "m1", "Completed", day(9), eid=3)
    first = enrollment(1, A, "m1", "Completed", day(4), eid=2)
    not_started = enrollment(1, A, "m1", "Not Started", eid=1)
    for order in ([not_started, retake, first], [first, not_started, retake]):
        d = one(order)
        assert (d.state, d.compliant_since, d.evidence_ids) == ("compliant", day(4), (2,))
        assert d.campaigns[0].outstanding_modules == ()


def test_completion_after_end_date_counts_and_is_late() -> None:
    ended = [campaign(A, "Campaign A", end_date=day(5)), campaign(B, "Campaign B", end_date=day(30))]
    d = one([enrollment(1, A, "m1", "Completed", day(7)), enrollment(1, B, "m1", "Completed", day(6))], campaigns=ended)
    assert (d.state, d.late) == ("compliant", True)
    assert [(c.campaign_id, c.late) for c in d.campaigns] == [(A, True), (B, False)]
    assert "Campaign A was completed after the deadline (late, still counted)" in d.reason
    on_time = one([enrollment(1, A, "m1", "Completed", day(5))], campaigns=ended)
    assert on_time.late is False  # exactly on the end date is on time
    # In a multi-module campaign, one module finished after the end date makes the campaign late.
    two = one(
        [enrollment(1, A, "m1", "Completed", day(2)), enrollment(1, A, "m2", "Completed", day(6))], campaigns=ended
    )
    assert (two.late, two.campaigns[0].completed_at) == (True, day(6))
    both_on_time = [enrollment(1, A, "m1", "Completed", day(2)), enrollment(1, A, "m2", "Completed", day(5))]
    assert one(both_on_time, campaigns=ended).late is False


def test_relative_duration_deadline_counts_from_enrollment() -> None:
    relative = [campaign(A, "Campaign A", duration_type="Relative End Date", relative_duration="1 week")]
    late = one([enrollment(1, A, "m1", "Completed", day(8), enrolled=day(0))], campaigns=relative)
    in_time = one([enrollment(1, A, "m1", "Completed", day(6), enrolled=day(0))], campaigns=relative)
    assert (late.late, in_time.late) == (True, False)


def test_relative_deadline_in_a_multi_module_campaign() -> None:
    relative = [campaign(A, "Campaign A", duration_type="Relative End Date", relative_duration="2 weeks")]
    one_late = [
        enrollment(1, A, "m1", "Completed", day(3), enrolled=day(0)),
        enrollment(1, A, "m2", "Completed", day(15), enrolled=day(0)),
    ]
    d = one(one_late, campaigns=relative)
    assert (d.state, d.late, d.compliant_since) == ("compliant", True, day(15))
    monthly = [campaign(A, "Campaign A", relative_duration="1 month")]
    # 2026-01-31 + 1 month is 2026-02-28 (end of the shorter month); 2026-02-28T13:00 is late.
    jan31 = day(30)
    in_time = [enrollment(1, A, "m1", "Completed", day(58), enrolled=jan31),
               enrollment(1, A, "m2", "Completed", day(30), enrolled=jan31)]  # fmt: skip
    assert one(in_time, campaigns=monthly, as_of_day=90).late is False
    late = [*in_time[:1], enrollment(1, A, "m2", "Completed", day(58) + timedelta(hours=1), enrolled=jan31)]
    assert one(late, campaigns=monthly, as_of_day=90).late is True


def test_past_due_is_not_complete_even_with_a_date() -> None:
    d = one([enrollment(1, A, "m1", "Past Due", day(3))])
    assert (d.state, d.compliant) == ("incomplete", False)
    assert d.campaigns[0].outstanding_modules == ("Module m1",)


def test_unknown_and_missing_status_are_not_complete() -> None:
    assert one([enrollment(1, A, "m1", "Finished", day(3))]).state == "incomplete"
    assert one([enrollment(1, A, "m1", None, day(3))]).state == "incomplete"
    assert one([enrollment(1, A, "m1", "passed", day(3))]).state == "compliant"  # case is not meaning


def test_completion_dated_after_as_of_does_not_count() -> None:
    d = one([enrollment(1, A, "m1", "Completed", day(31))], as_of_day=30)
    assert d.state == "incomplete"


def test_null_user_enrollments_are_ignored() -> None:
    d = one([enrollment(None, A, "m1", "Completed", day(3)), enrollment(1, C, "m1", "Completed", day(3))])
    assert (d.state, d.campaigns) == ("not_enrolled", ())


def test_removed_and_future_enrollments() -> None:
    removed = enrollment(1, A, "m1", "Completed", day(3), removed=day(20))
    assert one([removed], as_of_day=30).state == "not_enrolled"  # gone from KnowBe4 by then
    assert one([removed], as_of_day=10).state == "compliant"  # still there on day 10
    assert one([enrollment(1, A, "m1", "Not Started", enrolled=day(35))], as_of_day=30).state == "not_enrolled"


def test_archived_user_leaves_the_population_from_archived_at() -> None:
    people = [person(1, "Pat", "Lee", status="archived", archived_at=day(10)), person(2, "Sam", "Roe")]
    enrollments = [enrollment(1, A, "m1", "Completed", day(3)), enrollment(2, A, "m1", "Completed", day(3))]
    after = evaluate(people, CAMPAIGNS, enrollments, SEC_AB, [], day(30))
    assert [d.user_id for d in after.decisions] == [2]
    assert [(x.person.user_id, x.reason) for x in after.excluded] == [(1, "archived in KnowBe4 on 2026-01-11")]
    before = evaluate(people, CAMPAIGNS, enrollments, SEC_AB, [], day(5))
    assert [(d.user_id, d.state) for d in before.decisions] == [(1, "compliant"), (2, "compliant")]


def test_population_on_a_date_excludes_later_joiners_and_archived_without_date() -> None:
    people = [
        person(1, joined_on=day(40)),
        person(2, status="archived"),
        person(3, status="active", joined_on=day(1)),
    ]
    result = evaluate(people, CAMPAIGNS, [], SEC_AB, [], day(30))
    assert [d.user_id for d in result.decisions] == [3]
    assert {x.person.user_id: x.reason for x in result.excluded} == {
        1: "joined KnowBe4 on 2026-02-10, after the as-of date",
        2: "archived in KnowBe4 (no archive date known)",
    }


def test_scope_exclusions() -> None:
    scoped = policy(
        scope={"exclude_groups": [77], "exclude_emails": ["SVC-Scanner@example.com"]},
        security_awareness={"campaigns": [A]},
    )
    people = [person(1, email="svc-scanner@example.com"), person(2, groups=(5, 77)), person(3)]
    result = evaluate(people, CAMPAIGNS, [], scoped, [], day(30))
    assert [d.user_id for d in result.decisions] == [3]
    assert {x.person.user_id: x.reason for x in result.excluded} == {
        1: "excluded by [scope] exclude_emails",
        2: "excluded by [scope] exclude_groups (group 77)",
    }


def test_campaign_shared_by_two_trainings_counts_for_each() -> None:
    two = policy(security_awareness={"campaigns": [A, B]}, hipaa={"campaigns": [B]})
    decisions = decide(
        [enrollment(1, B, "m1", "Completed", day(3)), enrollment(2, A, "m1", "Completed", day(3)),
         enrollment(2, B, "m1", "In Progress")],
        pol=two, people=[person(1), person(2)],
    )  # fmt: skip
    assert {k: d.state for k, d in decisions.items()} == {
        (1, "security_awareness"): "compliant",
        (1, "hipaa"): "compliant",
        (2, "security_awareness"): "incomplete",
        (2, "hipaa"): "incomplete",
    }
    assert decisions[(1, "hipaa")].title == "HIPAA Training"


def test_unselected_campaign_is_ignored() -> None:
    # Incomplete in unselected C does not hurt; complete in C does not help.
    assert one([enrollment(1, A, "m1", "Completed", day(3)), enrollment(1, C, "m1", "Past Due")]).state == "compliant"
    assert one([enrollment(1, C, "m1", "Completed", day(3))]).state == "not_enrolled"


def test_not_enrolled_anywhere() -> None:
    d = one([])
    assert (d.state, d.compliant, d.campaigns, d.due_date) == ("not_enrolled", False, (), None)
    assert d.reason == (
        "Pat Lee is not compliant for Security Awareness Training: not enrolled in any of its selected campaigns."
    )


def test_new_hire_grace() -> None:
    graced = policy(security_awareness={"campaigns": [A], "new_hire_grace_days": 30})
    hire = person(1, "Pat", "Lee", employee_start_date=day(10))
    inside = one([], pol=graced, people=[hire], as_of_day=39)
    assert (inside.state, inside.compliant, inside.due_date, inside.started_on) == ("grace", False, day(40), day(10))
    assert inside.reason == (
        "Pat Lee started on 2026-01-11 and is inside the 30-day new-hire grace period for Security Awareness "
        "Training until 2026-02-10; not yet enrolled in a selected campaign."
    )
    assert "training_new_hire_grace" in inside.rules
    after = one([], pol=graced, people=[hire], as_of_day=40)
    assert (after.state, after.due_date) == ("not_enrolled", day(40))
    # A new hire who already finished is compliant, not in grace.
    done = one([enrollment(1, A, "m1", "Completed", day(12))], pol=graced, people=[hire], as_of_day=20)
    assert done.state == "compliant"
    # Without an employee start date, the date they joined KnowBe4 counts.
    joined = one([], pol=graced, people=[person(1, joined_on=day(5))], as_of_day=20)
    assert (joined.state, joined.due_date) == ("grace", day(35))


def test_renewal_expiry() -> None:
    yearly = policy(security_awareness={"campaigns": [A], "renew_every_days": 365})
    done = [enrollment(1, A, "m1", "Completed", day(10))]
    valid = one(done, pol=yearly, as_of_day=374.9)
    assert (valid.state, valid.due_date) == ("compliant", day(375))
    assert valid.reason.endswith("; renewal due 2027-01-11.")
    lapsed = one(done, pol=yearly, as_of_day=375)
    assert (lapsed.state, lapsed.compliant, lapsed.compliant_since) == ("expired", False, None)
    assert (lapsed.earned_at, lapsed.due_date) == (day(10), day(375))
    assert lapsed.reason == (
        "Pat Lee's compliance for Security Awareness Training, earned 2026-01-11, lapsed on 2027-01-11 when the "
        "renewal period ended; no newer completion in KnowBe4."
    )
    # A newer selected campaign completed within the period renews it.
    both = policy(security_awareness={"campaigns": [A, B], "renew_every_days": 365})
    renewed = one([*done, enrollment(1, B, "m1", "Completed", day(370))], pol=both, as_of_day=380)
    assert (renewed.state, renewed.compliant_since, renewed.due_date) == ("compliant", day(370), day(735))


def test_incomplete_due_date_is_the_earliest_outstanding_end_date() -> None:
    ends = [campaign(A, "Campaign A", end_date=day(40)), campaign(B, "Campaign B", end_date=day(35))]
    d = one([enrollment(1, A, "m1", "In Progress"), enrollment(1, B, "m1", "Not Started")], campaigns=ends)
    assert (d.state, d.due_date) == ("incomplete", day(35))
    assert d.reason.endswith("outstanding: Campaign A (Module m1); Campaign B (Module m1); due 2026-02-05.")


def test_every_decision_names_its_rules() -> None:
    d = one([enrollment(1, A, "m1", "Completed", day(3))])
    assert d.rules == ("population_active_in_scope", "training_selected_campaigns_complete")
    assert d.training == "security_awareness"
    assert (d.name, d.email) == ("Pat Lee", "user1@example.com")


def test_evaluate_refuses_a_naive_as_of() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate([], CAMPAIGNS, [], SEC_AB, [], day(1).replace(tzinfo=None))
