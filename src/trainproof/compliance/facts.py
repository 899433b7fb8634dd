"""Plain facts the compliance engine judges: people, campaigns, enrollments and sticky records.

The store fills these from the database (already resolved for the as-of date); the engine never reads
HTTP or SQL. Every datetime is timezone-aware UTC and parsed once by the store, so the engine's hot loop
only compares them. Raw KnowBe4 status strings are kept as sent; `trainproof.statuses` interprets them.

People, enrollments and records are NamedTuples: judging 50,000 people builds about 450,000 of them
from the store, and a NamedTuple is built in a quarter of the time of a frozen dataclass (whose
`__init__` sets each field through `object.__setattr__`). They are declared dataclasses as well
(`_also_dataclass`), so `dataclasses.replace`, `fields` and `asdict` keep working on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple


class Person(NamedTuple):
    """A KnowBe4 user as known to the store (archived users included)."""

    user_id: int
    email: str
    first_name: str | None = None
    last_name: str | None = None
    department: str | None = None
    division: str | None = None
    location: str | None = None
    manager_name: str | None = None
    manager_email: str | None = None
    employee_number: str | None = None
    status: str | None = "active"
    joined_on: datetime | None = None
    employee_start_date: datetime | None = None
    archived_at: datetime | None = None
    groups: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        """Full name for people-facing text; the email when KnowBe4 has no name."""
        first, last = self.first_name, self.last_name
        if first and last:
            return f"{first} {last}"
        return first or last or self.email


@dataclass(frozen=True, slots=True)
class Campaign:
    """A KnowBe4 training campaign; `status` is the raw API string (e.g. "In Progress", "Completed")."""

    campaign_id: int
    name: str
    status: str | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    duration_type: str | None = None
    relative_duration: str | None = None


class EnrollmentFact(NamedTuple):
    """One enrollment of one user in one module of one campaign, as it stood on the as-of date.

    `module_key` identifies the module (store purchase or uploaded policy) within the account, so two
    enrollments of a user in the same module of a campaign are duplicates of one requirement.
    `user_id` is None when KnowBe4 returned a null user; such enrollments are ignored.
    `removed_at` is when the enrollment disappeared from KnowBe4 (the store keeps it).
    """

    enrollment_id: int
    user_id: int | None
    campaign_id: int
    module_key: str
    module_name: str
    content_type: str | None = None
    status: str | None = None
    enrollment_date: datetime | None = None
    start_date: datetime | None = None
    completion_date: datetime | None = None
    removed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready snapshot (ISO 8601 datetimes), as kept inside a sticky record."""
        return {
            "enrollment_id": self.enrollment_id,
            "user_id": self.user_id,
            "campaign_id": self.campaign_id,
            "module_key": self.module_key,
            "module_name": self.module_name,
            "content_type": self.content_type,
            "status": self.status,
            "enrollment_date": _iso(self.enrollment_date),
            "start_date": _iso(self.start_date),
            "completion_date": _iso(self.completion_date),
            "removed_at": _iso(self.removed_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnrollmentFact:
        """Inverse of `to_dict`, for snapshots read back from the store."""
        user_id = data.get("user_id")
        return cls(
            enrollment_id=int(data["enrollment_id"]),
            user_id=None if user_id is None else int(user_id),
            campaign_id=int(data["campaign_id"]),
            module_key=str(data["module_key"]),
            module_name=str(data["module_name"]),
            content_type=data.get("content_type"),
            status=data.get("status"),
            enrollment_date=_from_iso(data.get("enrollment_date")),
            start_date=_from_iso(data.get("start_date")),
            completion_date=_from_iso(data.get("completion_date")),
            removed_at=_from_iso(data.get("removed_at")),
        )


class StickyRecord(NamedTuple):
    """A compliance decision frozen when it was first made, with the enrollments that earned it.

    Later evaluations rely on it instead of KnowBe4's current data until `reset_at` (a reset, or a
    renewal cycle closed by `trainproof reset --expired`). Records are never deleted: a reset is the
    same record with `reset_at` and `reset_reason` filled in, so the history shows both.
    `record_id` is the store's key, None until persisted.
    """

    user_id: int
    training: str
    compliant_since: datetime
    earned_by: tuple[EnrollmentFact, ...]
    recorded_at: datetime
    reset_at: datetime | None = None
    reset_reason: str | None = None
    record_id: int | None = None

    def holds_on(self, as_of: datetime) -> bool:
        """True when this record stood on `as_of`: recorded by then and not yet reset."""
        return self.recorded_at <= as_of and (self.reset_at is None or self.reset_at > as_of)

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "user_id": self.user_id,
            "training": self.training,
            "compliant_since": _iso(self.compliant_since),
            "earned_by": [e.to_dict() for e in self.earned_by],
            "recorded_at": _iso(self.recorded_at),
            "reset_at": _iso(self.reset_at),
            "reset_reason": self.reset_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StickyRecord:
        since = _from_iso(data.get("compliant_since"))
        recorded = _from_iso(data.get("recorded_at"))
        if since is None or recorded is None:
            raise ValueError("a sticky record needs compliant_since and recorded_at")
        record_id = data.get("record_id")
        return cls(
            user_id=int(data["user_id"]),
            training=str(data["training"]),
            compliant_since=since,
            earned_by=tuple(EnrollmentFact.from_dict(e) for e in data.get("earned_by", [])),
            recorded_at=recorded,
            reset_at=_from_iso(data.get("reset_at")),
            reset_reason=data.get("reset_reason"),
            record_id=None if record_id is None else int(record_id),
        )


def _also_dataclass(cls: type) -> None:
    """Declare a fact tuple a frozen dataclass too (in place), for `dataclasses.replace` and its kin; the tuple
    keeps its own construction, equality, hash and repr."""
    dataclass(frozen=True, init=False, repr=False, eq=False)(cls)


for _fact in (Person, EnrollmentFact, StickyRecord):
    _also_dataclass(_fact)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _from_iso(value: object) -> datetime | None:
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
