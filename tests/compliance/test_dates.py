"""Dates from the future: a completion dated after the as-of instant never counts, and `check` names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from compliance.builders import campaign, day, enrollment, person, policy
from trainproof.compliance import StickyRecord, evaluate
from trainproof.compliance.check import data_problems

A, B = 1, 2
CAMPAIGNS = [campaign(A, "Campaign A"), campaign(B, "Campaign B")]
SEC = policy(security_awareness={"campaigns": [A, B]})
FAR = datetime(9999, 12, 31, tzinfo=UTC)
PEOPLE = [person(1, "Pat", "Lee"), person(2, "Bob", "Future")]


def test_a_completion_dated_9999_is_not_compliant_today_and_not_kept() -> None:
    future = enrollment(2, A, status="Passed", done=FAR, eid=12)
    result = evaluate(PEOPLE, CAMPAIGNS, [enrollment(1, A, eid=11), future], SEC, [], day(30))
    states = {d.user_id: (d.state, d.compliant_since) for d in result.decisions}
    assert states == {1: ("compliant", day(1)), 2: ("incomplete", None)}
    assert result.for_user(2)[0].campaigns[0].outstanding_modules == ("Module m1",)
    assert [r.user_id for r in result.new_sticky] == [1]  # nothing sticky for the future-dated one
    assert result.future_completions == (future,)
    assert result.answers()[1] == (2, "security_awareness", "incomplete", None, False)


def test_as_of_before_and_after_the_completion() -> None:
    done = enrollment(1, A, status="Completed", done=day(10), eid=21)
    before = evaluate(PEOPLE[:1], CAMPAIGNS, [done], SEC, [], day(10) - timedelta(seconds=1))
    at = evaluate(PEOPLE[:1], CAMPAIGNS, [done], SEC, [], day(10))
    after = evaluate(PEOPLE[:1], CAMPAIGNS, [done], SEC, [], day(20))
    assert [before.decisions[0].state, at.decisions[0].state, after.decisions[0].state] == [
        "incomplete", "compliant", "compliant",
    ]  # fmt: skip
    assert before.future_completions == (done,)
    assert at.future_completions == after.future_completions == ()
    assert before.new_sticky == ()


def test_a_future_completion_beside_a_counted_one_is_still_listed() -> None:
    # The module is complete from day 3; a retake stamped in the future changes nothing but is a data problem.
    retake = enrollment(1, A, status="Completed", done=FAR, eid=32)
    result = evaluate(PEOPLE[:1], CAMPAIGNS, [enrollment(1, A, done=day(3), eid=31), retake], SEC, [], day(30))
    assert (result.decisions[0].state, result.decisions[0].evidence_ids) == ("compliant", (31,))
    assert result.future_completions == (retake,)


def test_a_sticky_record_earned_in_the_future_does_not_stand() -> None:
    # A record whose compliance starts after the as-of instant (kept from future-dated data) is not used.
    future = enrollment(2, A, status="Passed", done=FAR, eid=41)
    record = StickyRecord(2, "security_awareness", FAR, (future,), recorded_at=day(1))
    result = evaluate(PEOPLE, CAMPAIGNS, [future], SEC, [record], day(30))
    assert result.for_user(2)[0].state == "incomplete"
    assert result.for_user(2)[0].sticky is False


def test_check_lists_future_dated_completions_as_data() -> None:
    rows = [enrollment(2, A, status="Passed", done=FAR, eid=100 + i) for i in range(4)]
    rows.append(enrollment(1, B, status="In Progress", done=day(31) + timedelta(hours=3), eid=200))
    result = evaluate(PEOPLE, CAMPAIGNS, rows, SEC, [], day(30))
    (problem,) = data_problems(result, CAMPAIGNS)
    assert (problem.severity, problem.code, problem.count) == ("warning", "completion_after_now", 5)
    assert [x["enrollment_id"] for x in problem.examples] == [100, 101, 102]
    assert problem.examples[0] == {
        "enrollment_id": 100, "user_id": 2, "email": "user2@example.com", "name": "Bob Future", "campaign_id": A,
        "campaign": "Campaign A", "module": "Module m1", "status": "Passed", "enrollment_date": day(-1),
        "completion_date": FAR,
    }  # fmt: skip
    assert problem.message == (
        "5 completions in the selected campaigns are dated after now (2026-01-31 12:00 UTC), so they do not "
        "count: enrollment 100 of 'user2@example.com' in 'Campaign A' completed 9999-12-31; enrollment 101 of "
        "'user2@example.com' in 'Campaign A' completed 9999-12-31; enrollment 102 of 'user2@example.com' in "
        "'Campaign A' completed 9999-12-31; and 2 more; correct the date in KnowBe4 (trainproof keeps the row "
        "as received)"
    )
    assert problem.to_dict()["count"] == 5
    assert data_problems(evaluate(PEOPLE, CAMPAIGNS, rows[-1:], SEC, [], day(40)), CAMPAIGNS) == ()


def test_names_from_knowbe4_are_quoted_as_data_in_the_message() -> None:
    hostile = person(3, email="\x1b]0;owned\x07x@example.com")
    odd = [campaign(A, "[/red]\x9b2J" + "A" * 500)]
    rows = [enrollment(3, A, status="Passed", done=FAR, eid=300)]
    (problem,) = data_problems(evaluate([hostile], odd, rows, policy(t={"campaigns": [A]}), [], day(30)), odd)
    assert "\x1b" not in problem.message
    assert "\x9b" not in problem.message
    assert "\\x1b]0;owned\\x07x@example.com" in problem.message
    assert "A" * 100 not in problem.message  # long names are cut in the message
    assert problem.examples[0]["campaign"] == odd[0].name  # and kept whole in the data


def test_a_start_date_of_9999_gives_grace_without_overflow() -> None:
    # start + 30 days does not exist; the deadline is the last instant there is, and nobody else's decision stops.
    late_start = person(2, "Bob", "Future", employee_start_date=FAR)
    pol = policy(security_awareness={"campaigns": [A], "new_hire_grace_days": 30})
    result = evaluate([PEOPLE[0], late_start], CAMPAIGNS, [enrollment(1, A, eid=51)], pol, [], day(30))
    assert [(d.state, d.due_date) for d in result.decisions] == [
        ("compliant", None), ("grace", datetime.max.replace(tzinfo=UTC)),
    ]  # fmt: skip


def test_check_names_odd_dates_among_counted_completions_which_still_count() -> None:
    started = [campaign(A, "Campaign A", start_date=day(0)), campaign(B, "Campaign B")]
    everyone = [person(uid, f"P{uid}", "Q") for uid in range(1, 6)]
    rows = [
        enrollment(1, A, done=datetime(1, 1, 1, tzinfo=UTC), eid=61),  # year 1: a placeholder
        enrollment(2, A, done=day(-5), enrolled=day(-1), eid=62),  # before its enrollment (and the start)
        enrollment(3, A, done=day(-0.5), enrolled=day(-3), eid=63),  # enrolled early, completed before the start
        enrollment(4, B, done=day(-40), enrolled=day(-50), eid=64),  # campaign B has no start date: fine
        enrollment(5, A, done=day(2), eid=65),  # ordinary
    ]
    result = evaluate(everyone, started, rows, SEC, [], day(30))
    assert {d.user_id: d.state for d in result.decisions} == dict.fromkeys(range(1, 6), "compliant")
    assert sorted(e.enrollment_id for e in result.counted_completions) == [61, 62, 63, 64, 65]
    problems = data_problems(result, started)
    assert [(p.code, p.count, [x["enrollment_id"] for x in p.examples]) for p in problems] == [
        ("completion_placeholder_date", 1, [61]),
        ("completion_before_enrollment", 1, [62]),
        ("completion_before_campaign_start", 1, [63]),
    ]
    assert problems[0].message == (
        "1 counted completion is dated before 1970 (a placeholder such as 0001-01-01, not a real day): enrollment "
        "61 of 'user1@example.com' in 'Campaign A' completed 0001-01-01 (enrolled 2025-12-31 12:00 UTC); it counts "
        "as KnowBe4 sent it: check the date in KnowBe4"
    )
    assert "enrollment 62 of 'user2@example.com' in 'Campaign A' completed 2025-12-27 12:00 UTC (enrolled " in (
        problems[1].message
    )
    assert all(p.severity == "warning" for p in problems)
