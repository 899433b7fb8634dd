"""Exports: the certificates uploaded to a GRC platform (Drata), so a rerun uploads nothing twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False, comment="drata"),
        sa.Column("destination", sa.Text(), nullable=False, comment="the API base URL the file went to"),
        sa.Column("training", sa.Text(), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("compliant_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sa.Text(), nullable=True, comment="the platform's id for the uploaded document"),
        sa.Column("renewal_date", sa.Text(), nullable=True, comment="the renewal date the platform answered with"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_uploads")),
        sa.UniqueConstraint(
            "target", "destination", "training", "user_id", "compliant_since", name="uq_export_uploads_once"
        ),
    )


def downgrade() -> None:
    op.drop_table("export_uploads")
