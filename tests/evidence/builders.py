"""Small, hand-built evidence inputs: two campaigns, a compliant person, an incomplete one, a late one."""

from __future__ import annotations

from datetime import UTC, datetime

from trainproof.evidence import CampaignRecord, EnrollmentRecord, PersonRecord, TrainingRef

ISSUED = datetime(2026, 6, 30, 12, 0, 0, tzinfo=UTC)
TRAINING = TrainingRef("security_awareness", "Security Awareness Training")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def enrollment(
    eid: int,
    module: str,
    status: str = "Completed",
    done: datetime | None = None,
    *,
    content_type: str = "Store Purchase",
    late: bool = False,
) -> EnrollmentRecord:
    return EnrollmentRecord(
        enrollment_id=eid,
        module_name=module,
        status=status,
        content_type=content_type,
        enrollment_date=at(1, 5),
        completion_date=done,
        late=late,
    )


def compliant(
    user_id: int = 7,
    name: str = "Ada Lovelace",
    email: str = "ada@example.com",
    *,
    done: datetime | None = None,
    training: TrainingRef = TRAINING,
) -> PersonRecord:
    finished = done or at(2, 3)
    part_a = CampaignRecord(
        campaign_id=101,
        name="Security Awareness 2026 - Part A",
        complete=True,
        completed_at=finished,
        enrollments=(
            enrollment(1000 + user_id, "Phishing Fundamentals", "Passed", finished),
            enrollment(2000 + user_id, "Acceptable Use Policy", "Completed", at(1, 20), content_type="Policy"),
        ),
    )
    part_b = CampaignRecord(
        campaign_id=102,
        name="Security Awareness 2026 - Part B",
        complete=True,
        completed_at=at(3, 15),
        late=True,
        due_date=at(3, 1),
        enrollments=(enrollment(3000 + user_id, "Password Hygiene", "Completed", at(3, 15), late=True),),
    )
    return PersonRecord(
        user_id=user_id,
        email=email,
        name=name,
        training=training.key,
        state="compliant",
        compliant=True,
        compliant_since=at(3, 15),
        late=True,
        reason=f"{name} is compliant for {training.title} since 2026-03-15.",
        department="Engineering",
        manager_email="boss@example.com",
        campaigns=(part_a, part_b),
    )


def incomplete(user_id: int = 8, name: str = "Bob Example", email: str = "bob@example.com") -> PersonRecord:
    part_a = CampaignRecord(
        campaign_id=101,
        name="Security Awareness 2026 - Part A",
        complete=False,
        outstanding_modules=("Phishing Fundamentals",),
        enrollments=(
            enrollment(1000 + user_id, "Phishing Fundamentals", "Past Due"),
            enrollment(2000 + user_id, "Acceptable Use Policy", "Completed", at(1, 22), content_type="Policy"),
        ),
    )
    return PersonRecord(
        user_id=user_id,
        email=email,
        name=name,
        training=TRAINING.key,
        state="incomplete",
        compliant=False,
        reason=f"{name} is not compliant for {TRAINING.title}: outstanding Phishing Fundamentals.",
        department="Sales",
        manager_email="boss@example.com",
        due_date=at(3, 1),
        campaigns=(part_a,),
    )


def not_enrolled(user_id: int = 9) -> PersonRecord:
    return PersonRecord(
        user_id=user_id,
        email="carol@example.com",
        name="Carol Nobody",
        training=TRAINING.key,
        state="not_enrolled",
        compliant=False,
        reason="Carol Nobody is not compliant: not enrolled in any of its selected campaigns.",
    )
