"""The store's tables, as SQLAlchemy Core (no ORM: bulk reads of a million rows must stay fast).

Three kinds of table:

* Mirrors of KnowBe4 resources (`users`, `training_campaigns`, `enrollments`, ...). Each row keeps typed
  columns for querying plus `raw`, the record's API JSON exactly as received, and the bookkeeping
  columns `first_seen_at`, `last_seen_at`, `changed_at`, `removed_at` and `last_run_id`. A record that
  disappears from KnowBe4 is never deleted: `removed_at` is set (only after a fetch that would have
  contained it), and cleared if it comes back.
* Append-only history: `enrollment_versions` and `user_versions` get a row whenever a tracked field
  changes (or the record appears, disappears or returns), with the time the change was seen. They answer
  "what did we know at date X" for SOC 2 Type II periods. `compliance_events` is the decision/reset log.
* Bookkeeping: `sync_runs`, `api_usage`, and the state the compliance engine and reports persist
  (`sticky_records`, `reminders_sent`).

Every table has an `account` column: one store holds many KnowBe4 accounts (an MSP's customers), the
KnowBe4 ids of mirrors are unique only within their account, so it leads every key and index, and
every query is scoped by it (`scoping.py`; the INSERTs take it from the handle).

Times are aware UTC datetimes in Python (`UTCDateTime`); the migrations in `store/migrations/` create
exactly this schema, and a test checks that they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from trainproof.store.scoping import bound_account

__all__ = [
    "APPEND_ONLY",
    "ENROLLMENT_TRACKED",
    "USER_TRACKED",
    "UTCDateTime",
    "account",
    "api_usage",
    "campaign_content",
    "compliance_events",
    "enrollment_versions",
    "enrollments",
    "export_uploads",
    "group_members",
    "groups",
    "metadata",
    "phishing_campaigns",
    "policies",
    "record_versions",
    "reminders_sent",
    "security_test_recipients",
    "security_tests",
    "sticky_records",
    "store_purchases",
    "sync_runs",
    "training_campaigns",
    "user_versions",
    "users",
]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both dialects.

    PostgreSQL stores `timestamptz`. SQLite has no date type, so the value is stored as fixed-width
    ISO 8601 text with its offset (`2026-03-01T09:30:00.000000+00:00`): it sorts and compares as text,
    and `datetime.fromisoformat` (C speed, which matters for a million enrollments) reads it back
    aware. Naive datetimes are refused: a time without a zone is a bug, not an input.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return sqlite_instant(value)
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sqlite_instant(value: datetime) -> str:
    """The text UTCDateTime stores on SQLite (also used by the staging fast path)."""
    if value.tzinfo is None:
        raise ValueError("UTCDateTime needs an aware datetime")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


# KnowBe4 ids: BIGINT on PostgreSQL, INTEGER on SQLite so that a primary key is the rowid (fast lookups).
Id = BigInteger().with_variant(Integer(), "sqlite")


def _mirror_columns() -> list[Column[Any]]:
    """Bookkeeping every mirrored KnowBe4 record carries."""
    return [
        Column("raw", Text, nullable=False, comment="the record's API JSON as received"),
        Column("first_seen_at", UTCDateTime, nullable=False),
        Column(
            "last_seen_at",
            UTCDateTime,
            nullable=False,
            comment="last sync whose fetch contained it (enrollments: moves when the row changes or is removed)",
        ),
        Column("changed_at", UTCDateTime, nullable=False, comment="last sync that saw it different"),
        Column("removed_at", UTCDateTime, comment="set when a complete fetch no longer contained it"),
        Column("last_run_id", Integer, nullable=False),
    ]


def _account(*, key: bool = False) -> Column[str]:
    """The KnowBe4 account a row belongs to; part of the key of every mirrored record."""
    return Column(
        "account",
        String(63),
        primary_key=key,
        nullable=False,
        default=bound_account,
        comment="[accounts.NAME] the row belongs to (default: a single-account store)",
    )


# Kinds of history rows in user_versions and enrollment_versions: new, changed, removed, restored.

account = Table(
    "account",
    metadata,
    _account(key=True),
    Column(
        "id",
        Integer,
        primary_key=True,
        autoincrement=False,
        comment="always 1: one KnowBe4 account per value of `account`",
    ),
    Column("name", Text),
    Column("type", Text),
    Column("subscription_level", Text),
    Column("subscription_end_date", Date),
    Column("number_of_seats", Integer),
    Column("current_risk_score", Float),
    Column("domains", JSON),
    Column("admins", JSON),
    *_mirror_columns(),
)

users = Table(
    "users",
    metadata,
    _account(key=True),
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("employee_number", Text),
    Column("first_name", Text),
    Column("last_name", Text),
    Column("email", Text),
    Column("job_title", Text),
    Column("department", Text),
    Column("division", Text),
    Column("location", Text),
    Column("organization", Text),
    Column("manager_name", Text),
    Column("manager_email", Text),
    Column("employee_start_date", UTCDateTime),
    Column("joined_on", UTCDateTime),
    Column("last_sign_in", UTCDateTime),
    Column("status", Text),
    Column("archived_at", UTCDateTime),
    Column("aliases", JSON),
    Column("group_ids", JSON),
    Column("phish_prone_percentage", Float),
    Column("current_risk_score", Float),
    Column("provisioning_managed", Boolean),
    Column("language", Text),
    *_mirror_columns(),
    Column("enrollments_fetched_at", UTCDateTime, comment="last complete per-person fetch of their enrollments"),
    Index(None, "account", "email"),
)

# The user fields whose changes are kept in user_versions (who was in the population, and where).
USER_TRACKED = (
    "email",
    "status",
    "archived_at",
    "department",
    "division",
    "location",
    "manager_email",
    "employee_start_date",
)

user_versions = Table(
    "user_versions",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False, comment="new | changed | removed | restored"),
    Column("email", Text),
    Column("status", Text),
    Column("archived_at", UTCDateTime),
    Column("department", Text),
    Column("division", Text),
    Column("location", Text),
    Column("manager_email", Text),
    Column("employee_start_date", UTCDateTime),
    Index(None, "account", "user_id", "seen_at"),
)

groups = Table(
    "groups",
    metadata,
    _account(key=True),
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("group_type", Text),
    Column("status", Text),
    Column("member_count", Integer),
    Column("current_risk_score", Float),
    *_mirror_columns(),
)

group_members = Table(
    "group_members",
    metadata,
    _account(key=True),
    Column("group_id", Id, primary_key=True, autoincrement=False),
    Column("user_id", Id, primary_key=True, autoincrement=False),
    Column("raw", Text, nullable=False, comment="empty: membership is read from each user's `groups`"),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    Column("removed_at", UTCDateTime),
    Column("last_run_id", Integer, nullable=False),
    Index(None, "account", "user_id"),
)

training_campaigns = Table(
    "training_campaigns",
    metadata,
    _account(key=True),
    Column("campaign_id", Id, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("status", Text),
    Column("duration_type", Text),
    Column("start_date", UTCDateTime),
    Column("end_date", UTCDateTime),
    Column("relative_duration", Text),
    Column("auto_enroll", Boolean),
    Column("allow_multiple_enrollments", Boolean),
    Column("group_ids", JSON),
    *_mirror_columns(),
    # Sync bookmarks: the last complete fetch of this campaign's enrollments.
    Column("enrollments_fetched_at", UTCDateTime),
    Column("enrollments_fetched_status", Text, comment="campaign status when its enrollments were last fetched"),
    Column("enrollments_fetched_run_id", Integer),
    Column("enrollment_count", Integer, comment="enrollments in that fetch (plan estimates)"),
)

campaign_content = Table(
    "campaign_content",
    metadata,
    _account(key=True),
    Column("campaign_id", Id, primary_key=True, autoincrement=False),
    Column("module_key", String(300), primary_key=True, comment="store_purchase:<id> | policy:<id> | <type>:<name>"),
    Column("position", Integer, nullable=False),
    Column("content_type", Text),
    Column("name", Text),
    Column("store_purchase_id", Id),
    Column("policy_id", Id),
    *_mirror_columns(),
)

store_purchases = Table(
    "store_purchases",
    metadata,
    _account(key=True),
    Column("store_purchase_id", Id, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("content_type", Text),
    Column("type", Text),
    Column("duration", Integer),
    Column("retired", Boolean),
    Column("retirement_date", UTCDateTime),
    Column("publish_date", UTCDateTime),
    Column("publisher", Text),
    Column("purchase_date", UTCDateTime),
    Column("policy_url", Text),
    *_mirror_columns(),
)

policies = Table(
    "policies",
    metadata,
    _account(key=True),
    Column("policy_id", Id, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("content_type", Text),
    Column("minimum_time", Integer),
    Column("default_language", Text),
    Column("status", Text, comment="as sent: 1 or 'published'"),
    *_mirror_columns(),
)

enrollments = Table(
    "enrollments",
    metadata,
    _account(key=True),
    Column("enrollment_id", Id, primary_key=True, autoincrement=False),
    Column("user_id", Id, comment="null when KnowBe4 sends `user: null`"),
    Column("user_email", Text),
    Column("user_employee_number", Text),
    Column("campaign_id", Id),
    Column("campaign_name", Text),
    Column("content_type", Text),
    Column("module_name", Text),
    Column("store_purchase_id", Id),
    Column("policy_id", Id, comment="resolved from the campaign's content by name"),
    Column("module_key", String(300), nullable=False),
    Column("status", Text),
    Column("enrollment_date", UTCDateTime),
    Column("start_date", UTCDateTime),
    Column("completion_date", UTCDateTime),
    Column("time_spent", Integer),
    Column("policy_acknowledged", Boolean),
    Column("score", Float),
    *_mirror_columns(),
    # Covers load_facts(): a million enrollments are read from this index, not from the rows and their raw JSON.
    Index(
        "ix_enrollments_facts",
        "account",
        "campaign_id",
        "enrollment_id",
        "user_id",
        "module_key",
        "status",
        "enrollment_date",
        "start_date",
        "completion_date",
        "removed_at",
    ),
    Index(None, "account", "user_id"),
)

# The enrollment fields whose changes are kept in enrollment_versions.
ENROLLMENT_TRACKED = (
    "user_id",
    "campaign_id",
    "module_key",
    "status",
    "enrollment_date",
    "start_date",
    "completion_date",
)

enrollment_versions = Table(
    "enrollment_versions",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("enrollment_id", Id, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False, comment="new | changed | removed | restored"),
    Column("user_id", Id),
    Column("campaign_id", Id),
    Column("module_key", String(300)),
    Column("status", Text),
    Column("enrollment_date", UTCDateTime),
    Column("start_date", UTCDateTime),
    Column("completion_date", UTCDateTime),
    Index(None, "account", "enrollment_id", "seen_at"),
)

# History of the smaller mirrors (campaigns, content, modules, groups, phishing): the raw JSON of every
# version seen, keyed by resource name and the record's key as text.
record_versions = Table(
    "record_versions",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("resource", String(40), nullable=False, comment="the mirror table's name"),
    Column("record_key", String(400), nullable=False, comment="primary key as text; parts joined by '/'"),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False, comment="new | changed | removed | restored"),
    Column("raw", Text, comment="the version's API JSON (null for kind=removed)"),
    Index(None, "account", "resource", "record_key", "seen_at"),
)

phishing_campaigns = Table(
    "phishing_campaigns",
    metadata,
    _account(key=True),
    Column("campaign_id", Id, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("status", Text),
    Column("frequency", Text),
    Column("last_run", UTCDateTime),
    Column("create_date", UTCDateTime),
    Column("psts_count", Integer),
    Column("last_phish_prone_percentage", Float),
    Column("group_ids", JSON),
    *_mirror_columns(),
)

security_tests = Table(
    "security_tests",
    metadata,
    _account(key=True),
    Column("pst_id", Id, primary_key=True, autoincrement=False),
    Column("campaign_id", Id),
    Column("campaign_type", String(16), comment="standard | callback: the listing that returned it"),
    Column("name", Text),
    Column("status", Text),
    Column("started_at", UTCDateTime),
    Column("duration", Integer),
    Column("phish_prone_percentage", Float),
    Column("scheduled_count", Integer),
    Column("delivered_count", Integer),
    Column("clicked_count", Integer),
    Column("reported_count", Integer),
    *_mirror_columns(),
    # Sync bookmarks: the last complete fetch of this test's recipients.
    Column("recipients_fetched_at", UTCDateTime),
    Column("recipients_fetched_status", Text),
    Column("recipient_count", Integer),
    Index(None, "account", "campaign_id"),
)

security_test_recipients = Table(
    "security_test_recipients",
    metadata,
    _account(key=True),
    Column("recipient_id", Id, primary_key=True, autoincrement=False),
    Column("pst_id", Id),
    Column("user_id", Id),
    Column("user_email", Text),
    Column("scheduled_at", UTCDateTime),
    Column("delivered_at", UTCDateTime),
    Column("opened_at", UTCDateTime),
    Column("clicked_at", UTCDateTime),
    Column("replied_at", UTCDateTime),
    Column("attachment_opened_at", UTCDateTime),
    Column("macro_enabled_at", UTCDateTime),
    Column("data_entered_at", UTCDateTime),
    Column("qr_code_scanned", UTCDateTime),
    Column("reported_at", UTCDateTime),
    Column("bounced_at", UTCDateTime),
    *_mirror_columns(),
    Index(None, "account", "pst_id"),
    Index(None, "account", "user_id"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("outcome", String(16), nullable=False, comment="running | ok | failed | interrupted"),
    Column("full", Boolean, nullable=False),
    Column("strategy", Text, comment="how enrollments were fetched: campaigns | users | none"),
    Column("requests", Integer, nullable=False, server_default=text("0")),
    Column("minimum_requests", Integer),
    Column("planned_requests", Integer),
    Column("retries", Integer, nullable=False, server_default=text("0")),
    Column("request_ids", JSON, comment="X-Request-Id of every response, for KnowBe4 support"),
    Column("counts", JSON, comment="records fetched and changed per resource"),
    Column("plan", JSON),
    Column("budget_remaining", Integer, comment="requests left today when the run ended"),
    Column("error", Text),
    Column("trainproof_version", Text),
    Index(None, "account", "id"),
)

api_usage = Table(
    "api_usage",
    metadata,
    _account(key=True),
    Column("day", Date, primary_key=True, comment="UTC day"),
    Column("requests", Integer, nullable=False),
    Column("retries", Integer, nullable=False),
    Column("runs", Integer, nullable=False),
)

sticky_records = Table(
    "sticky_records",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("training", Text, nullable=False),
    Column("compliant_since", UTCDateTime, nullable=False),
    Column("earned_by", Text, nullable=False, comment="JSON snapshot of the enrollments that earned it"),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("reset_at", UTCDateTime),
    Column("reset_reason", Text),
    Column("reset_by", Text),
    # One open (not reset) record per person and training.
    Index(
        "uq_sticky_records_open",
        "account",
        "user_id",
        "training",
        unique=True,
        sqlite_where=text("reset_at IS NULL"),
        postgresql_where=text("reset_at IS NULL"),
    ),
    Index(None, "account", "training"),
)

compliance_events = Table(
    "compliance_events",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(32), nullable=False, comment="e.g. compliant, reset, expired, state"),
    Column("user_id", Id),
    Column("training", Text),
    Column("state", Text),
    Column("actor", Text),
    Column("reason", Text),
    Column("detail", JSON),
    Index(None, "account", "user_id", "training"),
)

reminders_sent = Table(
    "reminders_sent",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("enrollment_id", Id, nullable=False),
    Column("threshold", Text, nullable=False, comment="e.g. '50%' or '75%' of the deadline elapsed"),
    Column("sent_at", UTCDateTime, nullable=False),
    UniqueConstraint("account", "user_id", "enrollment_id", "threshold"),
)

# What `trainproof export drata` uploaded: one row per certificate a GRC platform accepted, so a rerun
# uploads nothing twice. Keyed by the compliance it certifies (a person compliant again later, after a
# reset or a lapse, is newly compliant and uploaded again); `destination` is the API's base URL.
export_uploads = Table(
    "export_uploads",
    metadata,
    _account(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(16), nullable=False, comment="drata"),
    Column("destination", Text, nullable=False, comment="the API base URL the file went to"),
    Column("training", Text, nullable=False),
    Column("user_id", Id, nullable=False),
    Column("email", Text, nullable=False),
    Column("compliant_since", UTCDateTime, nullable=False),
    Column("certificate_sha256", String(64), nullable=False),
    Column("document_type", String(40), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Column("document_id", Text, comment="the platform's id for the uploaded document"),
    Column("renewal_date", Text, comment="the renewal date the platform answered with"),
    # Named here: the conventional name would pass PostgreSQL's 63-character limit.
    UniqueConstraint(
        "account", "target", "destination", "training", "user_id", "compliant_since", name="uq_export_uploads_once"
    ),
)

# Tables that must never see an UPDATE or DELETE (enforced by triggers in the migrations).
APPEND_ONLY = ("enrollment_versions", "user_versions", "record_versions", "compliance_events")
