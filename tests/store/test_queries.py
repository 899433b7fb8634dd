"""load_facts now and as of a date: versions, completion dates, removals, population, sticky records."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from tests.store.helpers import T0, apply, at, campaign, enrollment, user

from trainproof.compliance.facts import EnrollmentFact, StickyRecord
from trainproof.store import (
    compliance_events,
    load_facts,
    open_store,
    reset_sticky,
    save_sticky_records,
    sticky_records,
    write_transaction,
)

CAMPAIGN = [("enrollments", "campaign_id", [42, 43])]
EVERYONE = [("users", "*", [0]), ("training_campaigns", "*", [0])]


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A store holding three syncs (days 0, 2 and 3) of a small, changing tenant."""
    eng = open_store(store_url)
    e1_open = enrollment(1, "In Progress", started=at(-1))
    e1_done = enrollment(1, "Completed", started=at(-1), completed=at(1.2))
    e2_done = enrollment(2, "Passed", started=at(-6), completed=at(-5))
    e2_reset = enrollment(2, "Not Started")  # KnowBe4 reset the progress
    e3 = enrollment(3, "Past Due")
    e4 = enrollment(4, "Completed", enrolled=at(1), started=at(1.1), completed=at(1.5))  # first seen on day 2
    e5 = enrollment(5, "Not Started", enrolled=at(2.2))  # first seen day 2, enrolled after it: did not exist on day 1
    e6 = enrollment(6, "Completed", user_id=None, campaign_id=43, completed=at(-2))  # KnowBe4's `user: null`
    apply(
        eng,
        at(0),
        {
            "enrollments": [e1_open, e2_done, e3, e6],
            "users": [user(1), user(2), user(4)],
            "training_campaigns": [campaign(42), campaign(43)],
        },
        [*CAMPAIGN, *EVERYONE],
    )
    apply(
        eng,
        at(2),
        {
            "enrollments": [e1_done, e2_done, e4, e5, e6],  # e3 removed from KnowBe4
            "users": [user(1), user(2, department="Sales"), user(4)],
            "training_campaigns": [campaign(42, status="Completed"), campaign(43)],
        },
        [*CAMPAIGN, *EVERYONE],
    )
    apply(
        eng,
        at(3),
        {
            "enrollments": [e1_done, e2_reset, e4, e5, e6],
            "users": [
                user(1),
                user(2, department="Sales", status="archived", archived=at(2.5)),
                user(3, joined_on=at(2.9)),
            ],
            "training_campaigns": [campaign(42, status="Completed"), campaign(43)],
        },
        [*CAMPAIGN, *EVERYONE],
    )
    yield eng
    eng.dispose()


def _by_id(facts: tuple[EnrollmentFact, ...]) -> dict[int, tuple[str | None, object]]:
    return {e.enrollment_id: (e.status, e.completion_date) for e in facts}


def test_current_facts(engine: Engine) -> None:
    with engine.connect() as conn:
        facts = load_facts(conn)
        with_removed = load_facts(conn, include_removed=True)
        only_43 = load_facts(conn, campaign_ids=[43])
    assert _by_id(facts.enrollments) == {
        1: ("Completed", at(1.2)),
        2: ("Not Started", None),
        4: ("Completed", at(1.5)),
        5: ("Not Started", None),
        6: ("Completed", at(-2)),
    }
    removed = {e.enrollment_id: e.removed_at for e in with_removed.enrollments if e.removed_at is not None}
    assert removed == {3: at(2)}
    assert [e.enrollment_id for e in only_43.enrollments] == [6]
    assert next(e for e in facts.enrollments if e.enrollment_id == 6).user_id is None
    people = {p.user_id: p for p in facts.people}
    assert sorted(people) == [1, 2, 3]  # user 4 vanished from KnowBe4 on day 3: not a person any more
    assert people[2].status == "archived"
    assert people[2].archived_at == at(2.5)
    assert people[2].department == "Sales"
    assert {c.campaign_id: c.status for c in facts.campaigns} == {42: "Completed", 43: "In Progress"}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Before the first sync: the earliest versions, completions dated by then only; e4 and e5 were
        # first seen later, e4 already enrolled (day 1), e5 not yet.
        (
            -0.5,
            {1: ("In Progress", None), 2: ("Passed", at(-5)), 3: ("Past Due", None), 6: ("Completed", at(-2))},
        ),
        # Day 1.3: e1 was seen In Progress on day 0 (its completion on day 1.2 was only seen on day 2);
        # e4 had started but its completion (day 1.5) had not happened yet.
        (
            1.3,
            {
                1: ("In Progress", None),
                2: ("Passed", at(-5)),
                3: ("Past Due", None),
                4: ("In Progress", None),
                6: ("Completed", at(-2)),
            },
        ),
        # Day 2.5: e3 had been removed (day 2); e1's completion seen; e5 enrolled on day 2.2.
        (
            2.5,
            {
                1: ("Completed", at(1.2)),
                2: ("Passed", at(-5)),
                4: ("Completed", at(1.5)),
                5: ("Not Started", None),
                6: ("Completed", at(-2)),
            },
        ),
        # Day 4: KnowBe4 had reset e2 (seen day 3).
        (
            4,
            {
                1: ("Completed", at(1.2)),
                2: ("Not Started", None),
                4: ("Completed", at(1.5)),
                5: ("Not Started", None),
                6: ("Completed", at(-2)),
            },
        ),
    ],
)
def test_enrollments_as_of(engine: Engine, as_of: float, expected: dict[int, tuple[str, object]]) -> None:
    with engine.connect() as conn:
        facts = load_facts(conn, at(as_of))
    assert _by_id(facts.enrollments) == expected
    assert all(e.removed_at is None for e in facts.enrollments)


def test_removed_enrollments_as_of_when_asked(engine: Engine) -> None:
    with engine.connect() as conn:
        facts = load_facts(conn, at(2.5), include_removed=True)
    assert {e.enrollment_id: e.removed_at for e in facts.enrollments}[3] == at(2)


def test_population_as_of(engine: Engine) -> None:
    with engine.connect() as conn:
        day1 = {p.user_id: p for p in load_facts(conn, at(1)).people}
        day2_7 = {p.user_id: p for p in load_facts(conn, at(2.7)).people}
        day4 = {p.user_id: p for p in load_facts(conn, at(4)).people}
    assert sorted(day1) == [1, 2, 4]
    assert day1[2].department == "Engineering"  # moved to Sales later
    assert day1[2].status == "active"
    assert day2_7[2].department == "Sales"
    assert day2_7[2].status == "active"  # archived on day 2.5, but that was seen only on day 3
    assert day4[2].status == "archived"
    assert day4[2].archived_at == at(2.5)
    assert sorted(day2_7) == [1, 2, 4]  # user 3 joined KnowBe4 on day 2.9
    assert sorted(day4) == [1, 2, 3]  # user 4 vanished from KnowBe4 on day 3


def test_campaigns_as_of(engine: Engine) -> None:
    with engine.connect() as conn:
        assert {c.campaign_id: c.status for c in load_facts(conn, at(1)).campaigns}[42] == "In Progress"
        assert {c.campaign_id: c.status for c in load_facts(conn, at(2.1)).campaigns}[42] == "Completed"


def test_sticky_records_as_they_stood(engine: Engine) -> None:
    earned = EnrollmentFact(1, 1, 42, "store_purchase:3", "Security Awareness", "Store Purchase", "Completed",
                            at(-30), at(-1), at(1.2))  # fmt: skip
    record = StickyRecord(user_id=1, training="sat", compliant_since=at(1.2), earned_by=(earned,), recorded_at=at(2))
    with engine.connect() as conn, write_transaction(conn):
        saved = save_sticky_records(conn, [record])
        assert save_sticky_records(conn, [record]) == []  # one open record per person and training
    assert saved[0].record_id is not None
    with engine.connect() as conn, write_transaction(conn):
        assert reset_sticky(conn, training="sat", user_ids=[1], at=at(3), reason="annual cycle", by="alice") == [
            saved[0].record_id
        ]
    with engine.connect() as conn:
        assert sticky_records(conn, as_of=at(1)) == []
        (then,) = sticky_records(conn, as_of=at(2.5))
        (now,) = sticky_records(conn)
        assert sticky_records(conn, open_only=True) == []
        events = compliance_events(conn, user_id=1)
    assert then.reset_at is None
    assert then.holds_on(at(2.5))
    assert then.earned_by == (earned,)
    assert now.reset_at == at(3)
    assert now.reset_reason == "annual cycle"
    assert [e["kind"] for e in events] == ["compliant", "reset"]
    assert events[1]["actor"] == "alice"


def test_times_round_trip_as_aware_utc(engine: Engine) -> None:
    with engine.connect() as conn:
        facts = load_facts(conn)
    stamps = [e.enrollment_date for e in facts.enrollments] + [p.joined_on for p in facts.people]
    assert stamps
    assert all(s is not None and s.utcoffset() is not None and s.utcoffset().total_seconds() == 0 for s in stamps)
    assert min(s for s in stamps if s is not None) < T0
