"""The typed inputs of the evidence package, and the certificate id derived from them.

Evidence is written from these small frozen records, not from compliance or store objects, so the PDF,
CSV and zip mechanics stay testable alone and the CLI builds them from decisions in one place
(`trainproof.evidence.adapters`). Dates are aware datetimes (naive ones are read as UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from trainproof.evidence._common import EvidenceError, canonical_json, iso, sha256_hex, slug
from trainproof.statuses import is_complete

CERTIFICATE_SCHEMA = "trainproof.certificate/1"
SHORT_ID_HEX = 16  # 64 bits shown on the certificate; the full SHA-256 is in the footer and the metadata


@dataclass(frozen=True, slots=True)
class TrainingRef:
    """A training from trainproof.toml: its table key and the title people and auditors read."""

    key: str
    title: str


@dataclass(frozen=True, slots=True)
class EnrollmentRecord:
    """One KnowBe4 enrollment of a person in one module of a campaign (a row of completions.csv)."""

    enrollment_id: int
    module_name: str
    status: str
    content_type: str | None = None
    enrollment_date: datetime | None = None
    start_date: datetime | None = None
    completion_date: datetime | None = None
    late: bool = False
    removed_at: datetime | None = None  # when KnowBe4 stopped listing it (the store keeps it)

    @property
    def complete(self) -> bool:
        return is_complete(self.status)


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    """A selected campaign as it stands for one person and training."""

    campaign_id: int
    name: str
    complete: bool
    completed_at: datetime | None = None
    late: bool = False
    due_date: datetime | None = None
    outstanding_modules: tuple[str, ...] = ()
    enrollments: tuple[EnrollmentRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person's decision for one training (a row of population.csv).

    `evidence_enrollment_ids` are the enrollments that earned compliance (frozen by the engine when the
    decision is sticky); None means "every complete enrollment listed under campaigns".
    """

    user_id: int
    email: str
    name: str
    training: str
    state: str
    compliant: bool
    compliant_since: datetime | None = None
    late: bool = False
    sticky: bool = False
    reason: str = ""
    department: str | None = None
    manager_email: str | None = None
    employee_start_date: date | datetime | None = None
    due_date: datetime | None = None  # grace deadline, renewal date, lapse date or campaign end date
    campaigns: tuple[CampaignRecord, ...] = ()
    evidence_enrollment_ids: tuple[int, ...] | None = None

    def earning_enrollment_ids(self) -> frozenset[int]:
        if self.evidence_enrollment_ids is not None:
            return frozenset(self.evidence_enrollment_ids)
        return frozenset(e.enrollment_id for c in self.campaigns for e in c.enrollments if e.complete)


@dataclass(frozen=True, slots=True)
class CertificateData:
    """Everything one certificate states, and nothing else: what the certificate id is computed over.

    Campaigns hold only the enrollments that earned compliance, sorted, so the same evidence always gives
    the same id and any change to it (another enrollment, a different date, a renamed person) a new one.
    """

    user_id: int
    email: str
    name: str
    training: TrainingRef
    compliant_since: datetime | None
    late: bool
    campaigns: tuple[CampaignRecord, ...] = field(default=())

    @classmethod
    def from_record(cls, record: PersonRecord, training: TrainingRef) -> CertificateData:
        """The certificate a compliant decision earns; refuses a non-compliant one."""
        if not record.compliant:
            raise EvidenceError(
                f"user {record.user_id} is not compliant for {training.key} (state {record.state})",
                "certificates are issued only for compliant decisions",
            )
        if record.training != training.key:
            raise EvidenceError(f"record for training {record.training!r} given with training {training.key!r}")
        earning = record.earning_enrollment_ids()
        campaigns: list[CampaignRecord] = []
        for campaign in record.campaigns:
            kept = tuple(e for e in campaign.enrollments if e.enrollment_id in earning)
            if kept:
                campaigns.append(replace(campaign, enrollments=kept, outstanding_modules=()))
        return cls(
            user_id=record.user_id,
            email=record.email,
            name=record.name,
            training=training,
            compliant_since=record.compliant_since,
            late=record.late,
            campaigns=tuple(campaigns),
        )

    def evidence(self) -> dict[str, Any]:
        """The evidence as a plain dict in a fixed order of records (keys are sorted when serialised)."""
        return {
            "schema": CERTIFICATE_SCHEMA,
            "person": {"user_id": self.user_id, "email": self.email, "name": self.name},
            "training": {"key": self.training.key, "title": self.training.title},
            "compliant_since": iso(self.compliant_since) or None,
            "late": self.late,
            "campaigns": [
                {
                    "campaign_id": c.campaign_id,
                    "name": c.name,
                    "completed_at": iso(c.completed_at) or None,
                    "late": c.late,
                    "enrollments": [
                        {
                            "enrollment_id": e.enrollment_id,
                            "module_name": e.module_name,
                            "content_type": e.content_type,
                            "status": e.status,
                            "enrollment_date": iso(e.enrollment_date) or None,
                            "completion_date": iso(e.completion_date) or None,
                            "late": e.late,
                        }
                        for e in sorted(c.enrollments, key=lambda e: e.enrollment_id)
                    ],
                }
                for c in sorted(self.campaigns, key=lambda c: c.campaign_id)
            ],
        }

    def evidence_json(self) -> bytes:
        """Canonical JSON of `evidence()`: embedded in the PDF as evidence.json; its SHA-256 is the id."""
        return canonical_json(self.evidence())

    @property
    def sha256(self) -> str:
        """The full certificate hash (64 hex digits)."""
        return sha256_hex(self.evidence_json())

    @property
    def certificate_id(self) -> str:
        """The short form printed on the certificate, e.g. TP-3F2A-9C1B-77D0-12AB."""
        return display_id(self.sha256)

    @property
    def filename(self) -> str:
        """`<training>_<user id>_<email>_<id>.pdf`: ASCII, lower case, unique per person, training and evidence."""
        short = self.sha256[:8]
        return f"{slug(self.training.key, max_len=32)}_{self.user_id}_{slug(self.email, max_len=48)}_{short}.pdf"


def display_id(sha256: str) -> str:
    digits = sha256[:SHORT_ID_HEX].upper()
    return "TP-" + "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def certificates_for(records: Iterable[PersonRecord], training: TrainingRef) -> list[CertificateData]:
    """The certificate data of every compliant record for the training, in user-id order."""
    chosen = [r for r in records if r.compliant and r.training == training.key]
    return [CertificateData.from_record(r, training) for r in sorted(chosen, key=lambda r: r.user_id)]
