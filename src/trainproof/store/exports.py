"""What the exports sent: the certificates a GRC platform accepted, so a rerun uploads nothing twice.

A row is written only after the platform answered that it stored the file, in a transaction of its
own: an upload that failed leaves no row (and is tried again next time), one that succeeded is never
sent again, even when a later upload in the same run fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from trainproof.store import schema
from trainproof.store.db import write_transaction
from trainproof.store.handle import reading
from trainproof.store.scoping import account_of

__all__ = ["Upload", "UploadKey", "record_upload", "uploaded_keys", "uploads"]

UploadKey = tuple[str, int, datetime]
"""(training, user_id, compliant_since): one compliance, certified once per destination."""


@dataclass(frozen=True, slots=True)
class Upload:
    """One certificate a platform accepted."""

    target: str
    destination: str
    training: str
    user_id: int
    email: str
    compliant_since: datetime
    certificate_sha256: str
    document_type: str
    file_name: str
    uploaded_at: datetime
    document_id: str | None = None
    renewal_date: str | None = None

    @property
    def key(self) -> UploadKey:
        return (self.training, self.user_id, self.compliant_since)


def uploaded_keys(engine: Engine, *, target: str, destination: str, trainings: Iterable[str]) -> set[UploadKey]:
    """The compliance already certified at `destination` for these trainings."""
    t = schema.export_uploads
    wanted = sorted(set(trainings))
    query = select(t.c.training, t.c.user_id, t.c.compliant_since).where(
        t.c.account == account_of(engine),
        t.c.target == target,
        t.c.destination == destination,
        t.c.training.in_(wanted),
    )
    with reading(engine), engine.connect() as conn:
        return {(str(r.training), int(r.user_id), r.compliant_since) for r in conn.execute(query)}


def record_upload(engine: Engine, upload: Upload) -> None:
    """Remember one accepted upload, committed at once (the platform already holds the file)."""
    values = {
        "target": upload.target,
        "destination": upload.destination,
        "training": upload.training,
        "user_id": upload.user_id,
        "email": upload.email,
        "compliant_since": upload.compliant_since,
        "certificate_sha256": upload.certificate_sha256,
        "document_type": upload.document_type,
        "file_name": upload.file_name,
        "uploaded_at": upload.uploaded_at,
        "document_id": upload.document_id,
        "renewal_date": upload.renewal_date,
    }
    with reading(engine), engine.connect() as conn, write_transaction(conn):
        conn.execute(schema.export_uploads.insert().values(**values))


def uploads(engine: Engine, *, target: str | None = None) -> list[Upload]:
    """Every recorded upload (of one target), oldest first."""
    t = schema.export_uploads
    query = select(t).where(t.c.account == account_of(engine)).order_by(t.c.id)
    if target is not None:
        query = query.where(t.c.target == target)
    with reading(engine), engine.connect() as conn:
        return [
            Upload(
                target=r.target,
                destination=r.destination,
                training=r.training,
                user_id=int(r.user_id),
                email=r.email,
                compliant_since=r.compliant_since,
                certificate_sha256=r.certificate_sha256,
                document_type=r.document_type,
                file_name=r.file_name,
                uploaded_at=r.uploaded_at,
                document_id=r.document_id,
                renewal_date=r.renewal_date,
            )
            for r in conn.execute(query)
        ]
