"""Sticky compliance, resets and point-in-time answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from compliance.builders import campaign, day, enrollment, person, policy
from trainproof.compliance import (
    EnrollmentFact,
    Evaluation,
    StickyRecord,
    evaluate,
    expired_records,
    plan_reset,
)

A, B = 1, 2
ALICE, BOB, CAROL, DAN = 1, 2, 3, 4
PEOPLE = [person(ALICE, "Alice", "Ames"), person(BOB, "Bob", "Bell"), person(CAROL, "Carol", "Cole"),
          person(DAN, "Dan", "Dale")]  # fmt: skip
CAMPAIGNS = [campaign(A, "Campaign A"), campaign(B, "Campaign B")]
SEC = policy(security_awareness={"campaigns": [A]})

# KnowBe4 on day 10: Alice, Bob and Carol have completed; Dan has not started.
DAY10 = [
    enrollment(ALICE, A, "m1", "Completed", day(5), eid=1),
    enrollment(BOB, A, "m1", "Passed", day(6), eid=2),
    enrollment(CAROL, A, "m1", "Completed", day(7), eid=3),
    enrollment(DAN, A, "m1", "Not Started", eid=4),
]
# KnowBe4 on day 20: Alice's progress was reset, Bob's enrollment was removed (the store keeps it,
# marked removed), Dan completed on day 18.
DAY20 = [
    replace(DAY10[0], status="Not Started", completion_date=None),
    replace(DAY10[1], removed_at=day(20)),
    DAY10[2],
    replace(DAY10[3], status="Completed", completion_date=day(18)),
]


def states(result: Evaluation) -> dict[int, tuple[str, bool]]:
    return {d.user_id: (d.state, d.sticky) for d in result.decisions}


def first_sync() -> list[StickyRecord]:
    result = evaluate(PEOPLE, CAMPAIGNS, DAY10, SEC, [], day(10))
    assert states(result) == {ALICE: ("compliant", False), BOB: ("compliant", False),
                              CAROL: ("compliant", False), DAN: ("incomplete", False)}  # fmt: skip
    return list(result.new_sticky)


def test_first_compliant_decision_yields_a_record_with_its_evidence() -> None:
    records = {r.user_id: r for r in first_sync()}
    assert set(records) == {ALICE, BOB, CAROL}
    alice = records[ALICE]
    assert (alice.training, alice.compliant_since, alice.recorded_at, alice.reset_at) == (
        "security_awareness", day(5), day(10), None,
    )  # fmt: skip
    assert alice.earned_by == (DAY10[0],)
    assert StickyRecord.from_dict(alice.to_dict()) == alice  # the store can round-trip it as JSON


def test_sticky_survives_reset_progress_and_removed_enrollment() -> None:
    records = first_sync()
    result = evaluate(PEOPLE, CAMPAIGNS, DAY20, SEC, records, day(21))
    assert states(result) == {ALICE: ("compliant", True), BOB: ("compliant", True),
                              CAROL: ("compliant", True), DAN: ("compliant", False)}  # fmt: skip
    assert [r.user_id for r in result.new_sticky] == [DAN]
    alice = result.for_user(ALICE)[0]
    # The frozen evidence, not KnowBe4's current "Not Started".
    assert alice.evidence == (DAY10[0],)
    assert [(c.name, c.complete, c.completed_at) for c in alice.campaigns] == [("Campaign A", True, day(5))]
    assert alice.reason == (
        "Alice Ames is compliant for Security Awareness Training since 2026-01-06, held by the record kept on "
        "2026-01-11 from 1 completed enrollment (Campaign A), so later changes in KnowBe4 do not alter it."
    )
    assert alice.rules == ("population_active_in_scope", "training_compliance_sticky")


def test_reset_dry_run_lists_who_would_flip_and_reset_reevaluates_from_current_data() -> None:
    records = first_sync()
    plan = plan_reset(PEOPLE, CAMPAIGNS, DAY20, SEC, records, training="security_awareness",
                      user_ids=[ALICE, CAROL, 99], at=day(25))  # fmt: skip
    assert {r.user_id: (r.reset_at, r.reset_reason) for r in plan.records} == {
        ALICE: (day(25), "reset by trainproof reset"),
        CAROL: (day(25), "reset by trainproof reset"),
    }
    assert [(c.before.user_id, c.before.state, c.after.state) for c in plan.flips] == [
        (ALICE, "compliant", "incomplete")
    ]
    # Carol's KnowBe4 data still shows her completion: she stays compliant, under a new record.
    assert [(r.user_id, r.compliant_since, r.recorded_at) for r in plan.new_sticky] == [(CAROL, day(7), day(25))]
    assert plan.without_record == (99,)

    # Applying it: the reset copies replace nothing in history; they are stored beside the originals.
    by_key = {(r.user_id, r.recorded_at): r for r in plan.records}
    history = [by_key.get((r.user_id, r.recorded_at), r) for r in records] + list(plan.new_sticky)
    result = evaluate(PEOPLE, CAMPAIGNS, DAY20, SEC, history, day(26))
    assert states(result) == {ALICE: ("incomplete", False), BOB: ("compliant", True),
                              CAROL: ("compliant", True), DAN: ("compliant", False)}  # fmt: skip
    # Bob, once reset, is judged from KnowBe4 too: his only enrollment was removed.
    bob_plan = plan_reset(PEOPLE, CAMPAIGNS, DAY20, SEC, history, training="security_awareness",
                          user_ids=[BOB], at=day(27))  # fmt: skip
    assert [(c.before.state, c.after.state) for c in bob_plan.changes] == [("compliant", "not_enrolled")]


def test_as_of_reproduces_an_earlier_answer_after_later_completions_and_resets() -> None:
    then = evaluate(PEOPLE, CAMPAIGNS, DAY10, SEC, [], day(10))
    records = list(then.new_sticky)
    later = evaluate(PEOPLE, CAMPAIGNS, DAY20, SEC, records, day(21))  # Dan completes; Alice and Bob held
    records += later.new_sticky
    plan = plan_reset(PEOPLE, CAMPAIGNS, DAY20, SEC, records, training="security_awareness",
                      user_ids=[ALICE], at=day(25))  # fmt: skip
    by_key = {(r.user_id, r.recorded_at): r for r in plan.records}
    records = [by_key.get((r.user_id, r.recorded_at), r) for r in records]

    def answer(result: Evaluation) -> dict[int, tuple[str, object]]:
        return {d.user_id: (d.state, d.compliant_since) for d in result.decisions}

    expected = {ALICE: ("compliant", day(5)), BOB: ("compliant", day(6)), CAROL: ("compliant", day(7)),
                DAN: ("incomplete", None)}  # fmt: skip
    assert answer(then) == expected
    # The store hands over the history resolved for day 10 ...
    assert answer(evaluate(PEOPLE, CAMPAIGNS, DAY10, SEC, records, day(10))) == expected
    # ... and even today's data gives day 10's answer: Dan's day-18 completion and his day-21 record
    # postdate it, and Alice's record stood on day 10 (its reset came on day 25).
    assert answer(evaluate(PEOPLE, CAMPAIGNS, DAY20, SEC, records, day(10))) == expected
    # Between the reset and now, the answers differ as they should.
    now = answer(evaluate(PEOPLE, CAMPAIGNS, DAY20, SEC, records, day(30)))
    assert now == {ALICE: ("incomplete", None), BOB: ("compliant", day(6)), CAROL: ("compliant", day(7)),
                   DAN: ("compliant", day(18))}  # fmt: skip


def test_sticky_record_lapses_with_the_renewal_period() -> None:
    yearly = policy(security_awareness={"campaigns": [A, B], "renew_every_days": 365})
    records = list(evaluate(PEOPLE, CAMPAIGNS, DAY10, yearly, [], day(10)).new_sticky)
    today: list[EnrollmentFact] = [
        *DAY20,
        enrollment(CAROL, B, "m1", "Completed", day(380), eid=20),  # Carol renewed in this year's campaign
    ]
    held = evaluate(PEOPLE, CAMPAIGNS, today, yearly, records, day(369))
    assert held.for_user(ALICE)[0].state == "compliant"
    assert held.for_user(ALICE)[0].due_date == day(370)
    lapsed = evaluate(PEOPLE, CAMPAIGNS, today, yearly, records, day(390))
    alice = lapsed.for_user(ALICE)[0]
    assert (alice.state, alice.earned_at, alice.due_date) == ("expired", day(5), day(370))
    assert alice.reason == (
        "Alice Ames's compliance for Security Awareness Training, earned 2026-01-06, lapsed on 2027-01-06 when "
        "the renewal period ended; outstanding now: Campaign A (Module m1)."
    )
    assert "training_compliance_sticky" in alice.rules
    carol = lapsed.for_user(CAROL)[0]
    assert (carol.state, carol.compliant_since, carol.sticky) == ("compliant", day(380), False)
    assert [r.user_id for r in lapsed.new_sticky] == [CAROL]


def test_reset_expired_dry_run() -> None:
    yearly = policy(security_awareness={"campaigns": [A], "renew_every_days": 365})
    records = list(evaluate(PEOPLE, CAMPAIGNS, DAY10, yearly, [], day(10)).new_sticky)
    records.append(StickyRecord(DAN, "security_awareness", day(300), (), recorded_at=day(301)))
    assert {r.user_id for r in expired_records(records, yearly.training("security_awareness"), at=day(371))} == {
        ALICE, BOB
    }  # fmt: skip  # Carol's lapses on day 372, Dan's on day 665
    plan = plan_reset(PEOPLE, CAMPAIGNS, DAY20, yearly, records, training="security_awareness",
                      expired=True, at=day(371))  # fmt: skip
    assert {r.user_id: r.reset_reason for r in plan.records} == {ALICE: "renewal period ended",
                                                                 BOB: "renewal period ended"}  # fmt: skip
    assert [(c.before.user_id, c.before.state, c.after.state) for c in plan.changes] == [
        (ALICE, "expired", "incomplete"),
        (BOB, "expired", "not_enrolled"),
    ]
    assert plan.flips == ()  # they had already lapsed; closing the records changes no one's compliance
    with pytest.raises(ValueError, match="either"):
        plan_reset(PEOPLE, CAMPAIGNS, DAY20, yearly, records, training="security_awareness", at=day(371))


def test_expired_reports_the_latest_lapsed_compliance() -> None:
    # Alice's record says day 5 (campaign A only). Since then B was selected too and she completed it on
    # day 8, so KnowBe4's data earns compliance on day 8; both have lapsed by day 380.
    yearly = policy(security_awareness={"campaigns": [A, B], "renew_every_days": 365})
    record = StickyRecord(ALICE, "security_awareness", day(5), (DAY10[0],), recorded_at=day(10))
    data = [DAY10[0], enrollment(ALICE, B, "m1", "Completed", day(8), eid=30)]
    alice = evaluate(PEOPLE[:1], CAMPAIGNS, data, yearly, [record], day(380)).decisions[0]
    assert (alice.state, alice.earned_at, alice.due_date) == ("expired", day(8), day(373))
    older = evaluate(PEOPLE[:1], CAMPAIGNS, data, yearly, [replace(record, compliant_since=day(9))], day(380))
    assert (older.decisions[0].earned_at, older.decisions[0].due_date) == (day(9), day(374))
