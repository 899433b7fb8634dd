"""Accounts: every row belongs to a KnowBe4 account; a store made before keeps all of its rows as `default`.

KnowBe4 ids are unique only within one account, so `account` leads the key of every mirrored record
and every index and unique constraint. Existing rows get `default` (the account of a single-account
trainproof.toml), nothing is dropped. On SQLite the tables whose key changes are rebuilt (batch mode);
the others take the column with ALTER TABLE, which keeps the append-only triggers in place. PostgreSQL
then drops the column default, so a row can only be written with the account of the handle writing it;
SQLite cannot drop a default without rebuilding the table, and trainproof writes every row through
SQLAlchemy, which always names the account.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables keyed by KnowBe4 ids (and api_usage, by day): the key becomes (account, ...).
KEYED: dict[str, tuple[str, ...]] = {
    "account": ("id",),
    "users": ("id",),
    "groups": ("id",),
    "group_members": ("group_id", "user_id"),
    "training_campaigns": ("campaign_id",),
    "campaign_content": ("campaign_id", "module_key"),
    "store_purchases": ("store_purchase_id",),
    "policies": ("policy_id",),
    "enrollments": ("enrollment_id",),
    "phishing_campaigns": ("campaign_id",),
    "security_tests": ("pst_id",),
    "security_test_recipients": ("recipient_id",),
    "api_usage": ("day",),
}
# Tables with a surrogate id: the column only.
SURROGATE = (
    "user_versions",
    "enrollment_versions",
    "record_versions",
    "sync_runs",
    "sticky_records",
    "compliance_events",
    "reminders_sent",
    "export_uploads",
)
# (table, old index, new index, columns after account); None: no index before.
INDEXES: tuple[tuple[str, str | None, str, tuple[str, ...]], ...] = (
    ("users", "ix_users_email", "ix_users_account_email", ("email",)),
    (
        "user_versions",
        "ix_user_versions_user_id_seen_at",
        "ix_user_versions_account_user_id_seen_at",
        ("user_id", "seen_at"),
    ),
    ("group_members", "ix_group_members_user_id", "ix_group_members_account_user_id", ("user_id",)),
    ("enrollments", "ix_enrollments_user_id", "ix_enrollments_account_user_id", ("user_id",)),
    (
        "enrollment_versions",
        "ix_enrollment_versions_enrollment_id_seen_at",
        "ix_enrollment_versions_account_enrollment_id_seen_at",
        ("enrollment_id", "seen_at"),
    ),
    (
        "record_versions",
        "ix_record_versions_resource_record_key_seen_at",
        "ix_record_versions_account_resource_record_key_seen_at",
        ("resource", "record_key", "seen_at"),
    ),
    ("security_tests", "ix_security_tests_campaign_id", "ix_security_tests_account_campaign_id", ("campaign_id",)),
    (
        "security_test_recipients",
        "ix_security_test_recipients_pst_id",
        "ix_security_test_recipients_account_pst_id",
        ("pst_id",),
    ),
    (
        "security_test_recipients",
        "ix_security_test_recipients_user_id",
        "ix_security_test_recipients_account_user_id",
        ("user_id",),
    ),
    ("sync_runs", None, "ix_sync_runs_account_id", ("id",)),
    ("sticky_records", "ix_sticky_records_training", "ix_sticky_records_account_training", ("training",)),
    (
        "compliance_events",
        "ix_compliance_events_user_id_training",
        "ix_compliance_events_account_user_id_training",
        ("user_id", "training"),
    ),
)
FACTS_INDEX = (
    "campaign_id",
    "enrollment_id",
    "user_id",
    "module_key",
    "status",
    "enrollment_date",
    "start_date",
    "completion_date",
    "removed_at",
)
OPEN = sa.text("reset_at IS NULL")


def _column() -> sa.Column[str]:
    return sa.Column(
        "account",
        sa.String(length=63),
        nullable=False,
        server_default="default",
        comment="[accounts.NAME] the row belongs to (default: a single-account store)",
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, keys in KEYED.items():
        with op.batch_alter_table(table, recreate="always" if not postgresql else "auto") as batch:
            if postgresql:
                batch.add_column(_column())
            else:
                batch.add_column(_column(), insert_before=keys[0])
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["account", *keys])
            if table == "account":
                batch.alter_column(
                    "id",
                    existing_type=sa.Integer(),
                    existing_nullable=False,
                    comment="always 1: one KnowBe4 account per value of `account`",
                    existing_comment="always 1: one tenant per store",
                )
    for table in SURROGATE:
        op.add_column(table, _column())
    for table, old, new, columns in INDEXES:
        if old is not None:
            op.drop_index(old, table_name=table)
        op.create_index(new, table, ["account", *columns])
    op.drop_index("ix_enrollments_facts", table_name="enrollments")
    op.create_index("ix_enrollments_facts", "enrollments", ["account", *FACTS_INDEX])
    op.drop_index("uq_sticky_records_open", table_name="sticky_records")
    op.create_index(
        "uq_sticky_records_open",
        "sticky_records",
        ["account", "user_id", "training"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    _unique("reminders_sent", "uq_reminders_sent_user_id_enrollment_id_threshold", None, postgresql)
    _unique("export_uploads", "uq_export_uploads_once", "uq_export_uploads_once", postgresql)
    if postgresql:
        for table in [*KEYED, *SURROGATE]:
            op.alter_column(table, "account", server_default=None)


def _unique(table: str, old: str, new: str | None, postgresql: bool) -> None:
    """Put `account` first in a unique constraint (SQLite: a table rebuild; the tables are small)."""
    columns = {
        "reminders_sent": ["user_id", "enrollment_id", "threshold"],
        "export_uploads": ["target", "destination", "training", "user_id", "compliant_since"],
    }[table]
    name = new or f"uq_{table}_account_{'_'.join(columns)}"
    with op.batch_alter_table(table, recreate="auto" if postgresql else "always") as batch:
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(name, ["account", *columns])


def downgrade() -> None:
    """Back to one account; refused when the store holds rows of any account but `default`."""
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    for table in [*KEYED, *SURROGATE]:
        if bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE account <> 'default' LIMIT 1")).first():
            raise RuntimeError(f"{table} holds rows of accounts other than default: a single-account store cannot")
    for table, columns, old in (
        (
            "reminders_sent",
            ["user_id", "enrollment_id", "threshold"],
            "uq_reminders_sent_user_id_enrollment_id_threshold",
        ),
        (
            "export_uploads",
            ["target", "destination", "training", "user_id", "compliant_since"],
            "uq_export_uploads_once",
        ),
    ):
        new = "uq_export_uploads_once" if table == "export_uploads" else f"uq_{table}_account_{'_'.join(columns)}"
        with op.batch_alter_table(table, recreate="auto" if postgresql else "always") as batch:
            batch.drop_constraint(new, type_="unique")
            batch.create_unique_constraint(old, columns)
    op.drop_index("uq_sticky_records_open", table_name="sticky_records")
    op.create_index(
        "uq_sticky_records_open",
        "sticky_records",
        ["user_id", "training"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.drop_index("ix_enrollments_facts", table_name="enrollments")
    op.create_index("ix_enrollments_facts", "enrollments", list(FACTS_INDEX))
    for table, old, new, columns in INDEXES:
        op.drop_index(new, table_name=table)
        if old is not None:
            op.create_index(old, table, list(columns))
    for table in SURROGATE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("account")
    if not postgresql:  # SQLite rebuilt the tables, and a rebuilt table has lost its triggers
        for table in ("enrollment_versions", "user_versions", "record_versions", "compliance_events"):
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    for table, keys in KEYED.items():
        with op.batch_alter_table(table, recreate="auto" if postgresql else "always") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", list(keys))
            batch.drop_column("account")
