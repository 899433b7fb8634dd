"""Fixed-date renewal (`renew_on = "MM-DD"`): compliance earned before the latest renewal date lapses on it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from compliance.builders import campaign, enrollment, person, policy
from running import Trainproof
from trainproof.compliance import Evaluation, evaluate, expired_records, parse_trainings, plan_reset
from trainproof.compliance.deadline import AnnualDate
from trainproof.errors import ConfigError

A = 1
ALICE, BOB = 1, 2
PEOPLE = [person(ALICE, "Alice", "Ames"), person(BOB, "Bob", "Bell")]
CAMPAIGNS = [campaign(A, "Annual")]
MARCH_1 = policy(security_awareness={"campaigns": [A], "renew_on": "03-01"})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Alice completed on 2026-02-10, before the 2026-03-01 renewal date; Bob on 2026-03-05, after it.
ENROLLMENTS = [
    enrollment(ALICE, A, done=at("2026-02-10T09:00"), enrolled=at("2026-02-01"), eid=1),
    enrollment(BOB, A, done=at("2026-03-05T09:00"), enrolled=at("2026-02-01"), eid=2),
]


def decided(result: Evaluation) -> dict[int, tuple[str, datetime | None, datetime | None]]:
    return {d.user_id: (d.state, d.earned_at, d.due_date) for d in result.decisions}


def test_compliance_earned_before_the_renewal_date_expires_on_it() -> None:
    result = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, MARCH_1, [], at("2026-06-30T12:00"))
    assert decided(result) == {
        ALICE: ("expired", at("2026-02-10T09:00"), at("2026-03-01")),
        BOB: ("compliant", at("2026-03-05T09:00"), at("2027-03-01")),
    }
    alice = result.for_user(ALICE)[0]
    assert alice.rules == (
        "population_active_in_scope", "training_selected_campaigns_complete", "training_renewal_period"
    )  # fmt: skip
    assert "lapsed on 2026-03-01" in alice.reason


def test_as_of_before_the_renewal_date_is_compliant_and_the_instant_itself_lapses() -> None:
    before = evaluate(PEOPLE[:1], CAMPAIGNS, ENROLLMENTS, MARCH_1, [], at("2026-02-28T23:59:59"))
    assert decided(before) == {ALICE: ("compliant", at("2026-02-10T09:00"), at("2026-03-01"))}
    on = evaluate(PEOPLE[:1], CAMPAIGNS, ENROLLMENTS, MARCH_1, [], at("2026-03-01T00:00"))
    assert decided(on)[ALICE][0] == "expired"


def test_compliance_earned_on_the_renewal_instant_lasts_a_year() -> None:
    on_the_day = [enrollment(ALICE, A, done=at("2026-03-01T00:00"), enrolled=at("2026-02-01"), eid=3)]
    result = evaluate(PEOPLE[:1], CAMPAIGNS, on_the_day, MARCH_1, [], at("2027-02-28T12:00"))
    assert decided(result) == {ALICE: ("compliant", at("2026-03-01"), at("2027-03-01"))}


def test_a_kept_record_lapses_on_the_renewal_date_and_reset_expired_closes_it() -> None:
    first = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, MARCH_1, [], at("2026-03-10T12:00"))
    assert decided(first)[BOB][0] == "compliant"
    records = list(first.new_sticky)
    assert [r.user_id for r in records] == [BOB]
    # KnowBe4 later resets Bob's progress: the record holds him compliant until the next 1 March...
    reset = [ENROLLMENTS[0], enrollment(BOB, A, "m1", "Not Started", enrolled=at("2026-02-01"), eid=2)]
    held = evaluate(PEOPLE, CAMPAIGNS, reset, MARCH_1, records, at("2027-02-28T12:00"))
    bob = held.for_user(BOB)[0]
    assert (bob.state, bob.sticky, bob.due_date) == ("compliant", True, at("2027-03-01"))
    assert expired_records(records, MARCH_1.training("security_awareness"), at=at("2027-02-28T12:00")) == ()
    # ...and from it he is expired, still pointing at the record that lapsed.
    lapsed = evaluate(PEOPLE, CAMPAIGNS, reset, MARCH_1, records, at("2027-03-01T12:00"))
    bob = lapsed.for_user(BOB)[0]
    assert (bob.state, bob.earned_at, bob.due_date) == ("expired", at("2026-03-05T09:00"), at("2027-03-01"))
    assert "training_compliance_sticky" in bob.rules
    plan = plan_reset(
        PEOPLE, CAMPAIGNS, reset, MARCH_1, records, training="security_awareness", at=at("2027-03-01T12:00"),
        expired=True,
    )  # fmt: skip
    assert [r.user_id for r in plan.records] == [BOB]
    assert [(c.before.state, c.after.state) for c in plan.changes] == [("expired", "incomplete")]


def test_29_february_falls_on_28_february_in_common_years() -> None:
    leap = AnnualDate.parse("02-29")
    assert leap is not None
    assert leap.next_after(at("2027-01-01")) == at("2027-02-28")
    assert leap.next_after(at("2027-02-28")) == at("2028-02-29")
    assert leap.next_after(at("2028-02-29T00:00:01")) == at("2029-02-28")
    assert str(leap) == "02-29"
    assert AnnualDate.parse("12-31") == AnnualDate(12, 31)


@pytest.mark.parametrize(
    ("renewal", "message"),
    [
        (
            {"renew_every_days": 365, "renew_on": "01-15"},
            "[trainings.security_awareness] sets both renew_every_days and renew_on: compliance renews one way",
        ),
        ({"renew_on": "02-30"}, "[trainings.security_awareness] renew_on = '02-30' is not a day of the year as MM-DD"),
        ({"renew_on": "04-31"}, "[trainings.security_awareness] renew_on = '04-31' is not a day of the year as MM-DD"),
        ({"renew_on": "13-01"}, "[trainings.security_awareness] renew_on = '13-01' is not a day of the year as MM-DD"),
        ({"renew_on": "1-15"}, "[trainings.security_awareness] renew_on = '1-15' is not a day of the year as MM-DD"),
        ({"renew_on": 115}, "[trainings.security_awareness] renew_on = 115 is not a day of the year as MM-DD"),
    ],
)
def test_check_rejects_both_renewals_and_impossible_dates(renewal: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_trainings({"trainings": {"security_awareness": {"campaigns": [A], **renewal}}})
    assert info.value.what == message


def test_check_fails_with_one_line_naming_the_training(tmp_path: Path, trainproof: Trainproof) -> None:
    (tmp_path / "trainproof.toml").write_text(
        '[trainings.hipaa]\ncampaigns = [1]\nrenew_every_days = 365\nrenew_on = "01-15"\n'
    )
    result = trainproof("check", cwd=tmp_path)
    assert result.code == 2
    assert result.stdout == ""
    assert result.err_lines == [
        "error: [trainings.hipaa] sets both renew_every_days and renew_on: compliance renews one way: keep "
        "renew_every_days (N days after completion) or renew_on (a fixed date each year), not both"
    ]
