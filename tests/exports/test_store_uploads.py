"""store.exports on SQLite and PostgreSQL: what a platform accepted is remembered once, per destination."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from trainproof.errors import StoreError
from trainproof.store import open_store
from trainproof.store.exports import Upload, record_upload, uploaded_keys, uploads

US = "https://public-api.drata.com/public/v2"
EU = "https://public-api.eu.drata.com/public/v2"
SINCE = datetime(2026, 8, 12, 9, 30, 15, 123456, tzinfo=UTC)


def upload(**changes: object) -> Upload:
    base = Upload(
        target="drata",
        destination=US,
        training="security_awareness",
        user_id=1,
        email="ada@acme.example",
        compliant_since=SINCE,
        certificate_sha256="ab" * 32,
        document_type="SEC_TRAINING",
        file_name="security-awareness_1_ada-acme-example_abababab.pdf",
        uploaded_at=datetime(2026, 9, 1, 12, tzinfo=UTC),
        document_id="17",
        renewal_date="2027-08-12",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_upload_is_remembered_per_destination_and_compliance(store_url: str) -> None:
    engine = open_store(store_url)
    try:
        record_upload(engine, upload())
        record_upload(engine, upload(destination=EU))
        later = datetime(2027, 9, 1, tzinfo=UTC)
        record_upload(engine, upload(compliant_since=later))  # compliant again after a lapse: a new upload
        assert uploaded_keys(engine, target="drata", destination=US, trainings=["security_awareness"]) == {
            ("security_awareness", 1, SINCE),
            ("security_awareness", 1, later),
        }
        assert uploaded_keys(engine, target="drata", destination=US, trainings=["hipaa"]) == set()
        assert [u.destination for u in uploads(engine, target="drata")] == [US, EU, US]
        assert uploads(engine)[0] == upload()
        with pytest.raises(StoreError, match=r"(?i)unique"):
            record_upload(engine, upload(document_id="18"))  # the same compliance twice to the same Drata
    finally:
        engine.dispose()
