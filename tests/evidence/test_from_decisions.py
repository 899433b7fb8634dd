"""Real compliance decisions turned into certificates and a pack, sticky ones included."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trainproof.compliance import Campaign, EnrollmentFact, Person, evaluate, parse_trainings
from trainproof.evidence import TrainingRef, build_pack, verify_pack
from trainproof.evidence.adapters import certificates_from_decisions, records_from_decisions, training_of

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
A, B = 101, 102
ADA, BOB, CAROL = 1, 2, 3


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def fact(eid: int, uid: int | None, cid: int, module: str, status: str, done: datetime | None = None) -> EnrollmentFact:
    return EnrollmentFact(
        enrollment_id=eid,
        user_id=uid,
        campaign_id=cid,
        module_key=f"sp:{module}",
        module_name=module,
        content_type="Store Purchase",
        status=status,
        enrollment_date=day(0),
        completion_date=done,
    )


PEOPLE = [
    Person(ADA, "ada@example.com", "Ada", "Lovelace", department="Engineering", employee_start_date=day(-400)),
    Person(BOB, "bob@example.com", "Bob", "Example"),
    Person(CAROL, "carol@example.com", "Carol", "Nobody"),
]
CAMPAIGNS = [
    Campaign(A, "Security Awareness 2026 - Part A", "In Progress", day(0), day(60)),
    Campaign(B, "Security Awareness 2026 - Part B", "Closed", day(0), day(10)),
]
ENROLLMENTS = [
    fact(11, ADA, A, "Phishing Fundamentals", "Passed", day(5)),
    fact(12, ADA, A, "Phishing Fundamentals", "Not Started"),  # a duplicate that does not count
    fact(13, ADA, B, "Password Hygiene", "Completed", day(20)),  # after B's end date: late
    fact(21, BOB, A, "Phishing Fundamentals", "Past Due"),
    fact(22, None, A, "Phishing Fundamentals", "Completed", day(3)),  # a null user is ignored
]
POLICY = parse_trainings({"trainings": {"security_awareness": {"campaigns": [A, B]}}})
TRAINING = TrainingRef("security_awareness", "Security Awareness Training")


def test_decisions_become_records_with_every_enrollment_and_late_marks() -> None:
    evaluation = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, POLICY, [], day(30))
    records = {r.user_id: r for r in records_from_decisions(
        evaluation.decisions, enrollments=ENROLLMENTS, campaigns=CAMPAIGNS, people=PEOPLE, as_of=day(30)
    )}  # fmt: skip

    ada = records[ADA]
    assert (ada.state, ada.compliant, ada.late) == ("compliant", True, True)
    assert ada.employee_start_date == day(-400)
    assert set(ada.evidence_enrollment_ids or ()) == {11, 13}
    enrollments = {e.enrollment_id: e for c in ada.campaigns for e in c.enrollments}
    assert set(enrollments) == {11, 12, 13}
    assert enrollments[13].late
    assert not enrollments[11].late
    assert [c.due_date for c in ada.campaigns] == [day(60), day(10)]

    bob = records[BOB]
    assert (bob.state, bob.compliant) == ("incomplete", False)
    assert [e.enrollment_id for c in bob.campaigns for e in c.enrollments] == [21]
    assert bob.reason.startswith("Bob Example is not compliant")
    assert records[CAROL].state == "not_enrolled"

    (cert,) = certificates_from_decisions(evaluation.decisions, campaigns=CAMPAIGNS)
    assert cert.user_id == ADA
    assert training_of(evaluation.decisions[0]) == TRAINING
    assert {e.enrollment_id for c in cert.campaigns for e in c.enrollments} == {11, 13}


def test_a_sticky_decision_keeps_its_certificate_after_knowbe4_resets_and_deletes(tmp_path: Path) -> None:
    first = evaluate(PEOPLE, CAMPAIGNS, ENROLLMENTS, POLICY, [], day(30))
    (before,) = certificates_from_decisions(first.decisions, campaigns=CAMPAIGNS)

    # Later, KnowBe4 resets Ada's Part A progress and deletes her Part B enrollment.
    later = [
        replace(ENROLLMENTS[0], status="Not Started", completion_date=None),
        ENROLLMENTS[1],
        replace(ENROLLMENTS[2], removed_at=day(40)),
        *ENROLLMENTS[3:],
    ]
    second = evaluate(PEOPLE, CAMPAIGNS, later, POLICY, first.new_sticky, day(50))
    (after,) = certificates_from_decisions(second.decisions, campaigns=CAMPAIGNS)
    assert after.sha256 == before.sha256  # same evidence, same certificate

    records = records_from_decisions(
        second.decisions, enrollments=later, campaigns=CAMPAIGNS, people=PEOPLE, as_of=day(50)
    )
    ada = next(r for r in records if r.user_id == ADA)
    assert ada.sticky
    shown = {e.enrollment_id: e for c in ada.campaigns for e in c.enrollments}
    assert shown[11].status == "Passed"  # the frozen completion, not KnowBe4's reset copy
    assert shown[13].removed_at == day(40)  # kept, with the date KnowBe4 dropped it

    pack = build_pack(tmp_path / "pack.zip", training=TRAINING, records=records, as_of=day(50), generated_at=day(50))
    assert verify_pack(pack).ok
    with zipfile.ZipFile(pack) as zf:
        rows = list(csv.DictReader(io.StringIO(zf.read("completions.csv").decode("utf-8-sig"))))
    by_id = {r["enrollment_id"]: r for r in rows}
    assert by_id["13"]["removed_from_knowbe4_at"] == "2026-02-10T12:00:00Z"
    assert by_id["13"]["counts_as_evidence"] == "yes"
    assert by_id["12"]["counts_as_evidence"] == "no"
