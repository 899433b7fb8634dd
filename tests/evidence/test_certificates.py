"""Certificates: valid PDFs that carry their own proof, stable ids, safe names, owner-only files."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from trainproof.evidence import (
    CampaignRecord,
    CertificateData,
    EvidenceError,
    TrainingRef,
    certificates_for,
    find_unicode_font,
    render_certificate,
    write_certificate,
    write_certificates,
)
from trainproof.evidence._text import transliterate

from .builders import ISSUED, TRAINING, at, compliant, enrollment, incomplete

SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.pdf$")


def cert(**changes: object) -> CertificateData:
    record = dataclasses.replace(compliant(), **changes)  # type: ignore[arg-type]
    return CertificateData.from_record(record, TRAINING)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def test_certificate_is_a_pdf_with_the_person_training_campaigns_and_id() -> None:
    data = cert()
    pdf = render_certificate(data, issued_at=ISSUED)

    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "Ada Lovelace" in text
    assert "ada@example.com" in text
    assert "Security Awareness Training" in text
    assert "Security Awareness 2026 - Part A" in text
    assert "Password Hygiene" in text
    assert str(data.campaigns[0].enrollments[0].enrollment_id) in text
    assert "2026-03-15 09:00 UTC - late" in text  # the late completion is marked
    assert data.certificate_id in text
    assert data.sha256 in text  # the full hash, in the body and the footer
    assert "Issued 2026-06-30 12:00:00 UTC" in text
    assert "How to verify" in text
    meta = read(pdf).metadata
    assert meta is not None
    assert f"sha256:{data.sha256}" in str(meta["/Keywords"])
    assert meta["/CreationDate"] == "D:20260630120000Z"


def test_the_embedded_evidence_hashes_to_the_certificate_id() -> None:
    data = cert()
    attachments = read(render_certificate(data, issued_at=ISSUED)).attachments

    (evidence,) = attachments["evidence.json"]
    assert hashlib.sha256(evidence).hexdigest() == data.sha256
    assert data.certificate_id == "TP-" + "-".join(re.findall("....", data.sha256[:16].upper()))
    body = json.loads(evidence)
    assert body["person"] == {"user_id": 7, "email": "ada@example.com", "name": "Ada Lovelace"}
    assert body["training"] == {"key": TRAINING.key, "title": TRAINING.title}
    assert [e["enrollment_id"] for c in body["campaigns"] for e in c["enrollments"]] == [1007, 2007, 3007]


def test_same_inputs_and_clock_give_identical_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    first = render_certificate(cert(), issued_at=ISSUED)
    assert render_certificate(cert(), issued_at=ISSUED) == first

    monkeypatch.setenv("TRAINPROOF_NOW", "2026-06-30T12:00:00Z")
    assert render_certificate(cert()) == first  # the default issue time is clock.now()


def test_another_issue_time_changes_the_file_but_not_the_certificate_id() -> None:
    later = ISSUED.replace(day=29)
    a, b = render_certificate(cert(), issued_at=ISSUED), render_certificate(cert(), issued_at=later)
    assert a != b
    assert read(a).attachments["evidence.json"] == read(b).attachments["evidence.json"]


def test_the_id_is_stable_for_the_same_evidence_in_any_order() -> None:
    record = compliant()
    shuffled = dataclasses.replace(
        record,
        campaigns=tuple(
            dataclasses.replace(c, enrollments=tuple(reversed(c.enrollments))) for c in reversed(record.campaigns)
        ),
        department="Marketing",  # not part of what the certificate states
        reason="another wording",
    )
    assert (
        CertificateData.from_record(shuffled, TRAINING).sha256 == CertificateData.from_record(record, TRAINING).sha256
    )


def _changed_completion() -> CertificateData:
    record = compliant()
    a, b = record.campaigns
    new_a = dataclasses.replace(
        a, enrollments=(dataclasses.replace(a.enrollments[0], completion_date=at(2, 4)), a.enrollments[1])
    )
    return CertificateData.from_record(dataclasses.replace(record, campaigns=(new_a, b)), TRAINING)


def _extra_enrollment() -> CertificateData:
    record = compliant()
    a, b = record.campaigns
    extra = CampaignRecord(
        103, "Extra", True, at(4, 1), enrollments=(enrollment(9999, "Extra module", "Passed", at(4, 1)),)
    )
    return CertificateData.from_record(dataclasses.replace(record, campaigns=(a, b, extra)), TRAINING)


def _other_status() -> CertificateData:
    record = compliant()
    a, b = record.campaigns
    new_b = dataclasses.replace(b, enrollments=(dataclasses.replace(b.enrollments[0], status="Passed"),))
    return CertificateData.from_record(dataclasses.replace(record, campaigns=(a, new_b)), TRAINING)


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(_changed_completion, id="completion-date"),
        pytest.param(_extra_enrollment, id="extra-enrollment"),
        pytest.param(_other_status, id="status"),
        pytest.param(lambda: cert(name="Ada King"), id="name"),
        pytest.param(lambda: cert(email="ada@other.example"), id="email"),
        pytest.param(lambda: cert(user_id=70), id="user-id"),
        pytest.param(lambda: cert(compliant_since=at(3, 16)), id="compliant-since"),
        pytest.param(
            lambda: CertificateData.from_record(compliant(), TrainingRef(TRAINING.key, "Security Awareness 2027")),
            id="training-title",
        ),
    ],
)
def test_the_id_changes_when_the_evidence_changes(changed: object) -> None:
    assert callable(changed)
    other: CertificateData = changed()
    assert other.sha256 != cert().sha256
    assert other.certificate_id != cert().certificate_id
    assert other.filename != cert().filename


def test_only_the_enrollments_that_earned_it_are_certified() -> None:
    record = compliant()
    a, b = record.campaigns
    dup = enrollment(5555, "Phishing Fundamentals", "Not Started")  # a duplicate that does not count
    with_dup = dataclasses.replace(record, campaigns=(dataclasses.replace(a, enrollments=(*a.enrollments, dup)), b))

    data = CertificateData.from_record(with_dup, TRAINING)
    assert data.sha256 == CertificateData.from_record(record, TRAINING).sha256
    assert 5555 not in {e.enrollment_id for c in data.campaigns for e in c.enrollments}

    pinned = dataclasses.replace(record, evidence_enrollment_ids=(1007, 3007))  # as the engine froze them
    kept = {e.enrollment_id for c in CertificateData.from_record(pinned, TRAINING).campaigns for e in c.enrollments}
    assert kept == {1007, 3007}


def test_no_certificate_for_a_person_who_is_not_compliant() -> None:
    with pytest.raises(EvidenceError, match="not compliant"):
        CertificateData.from_record(incomplete(), TRAINING)
    assert [c.user_id for c in certificates_for([incomplete(), compliant(), compliant(3)], TRAINING)] == [3, 7]


def test_core_font_transliterates_names_it_cannot_draw_and_keeps_the_exact_name() -> None:
    data = cert(name="Владимир Łukasz Zoë 李")
    pdf = render_certificate(data, issued_at=ISSUED, unicode_font=False)

    text = text_of(pdf)
    assert "Vladimir Lukasz Zoë ?" in text
    assert "could not be drawn" in text
    meta = read(pdf).metadata
    assert meta is not None
    assert "Владимир Łukasz Zoë 李" in str(meta["/Title"])
    assert json.loads(read(pdf).attachments["evidence.json"][0])["person"]["name"] == "Владимир Łukasz Zoë 李"
    assert b"/FontFile" not in pdf  # nothing embedded: core font only


def test_latin1_names_use_the_core_font_even_when_a_unicode_font_exists() -> None:
    pdf = render_certificate(cert(name="Zoë Ångström"), issued_at=ISSUED)
    assert "Zoë Ångström" in text_of(pdf)
    assert b"/FontFile" not in pdf


@pytest.mark.skipif(find_unicode_font() is None, reason="no DejaVu Sans installed on this machine")
def test_unicode_names_are_drawn_with_a_local_dejavu_font() -> None:
    data = cert(name="Владимир Οδυσσέας")
    pdf = render_certificate(data, issued_at=ISSUED)
    assert "Владимир Οδυσσέας" in text_of(pdf)
    assert b"/FontFile2" in pdf
    assert render_certificate(data, issued_at=ISSUED) == pdf  # embedding (subsetting) is deterministic too


def test_a_missing_font_file_is_a_clear_error() -> None:
    with pytest.raises(EvidenceError, match="font file"):
        render_certificate(cert(name="Владимир"), issued_at=ISSUED, unicode_font="/nonexistent/font.ttf")


def test_transliteration() -> None:
    assert transliterate("Łukasz Żółć") == "Lukasz Zólc"  # ó is Latin-1 and stays
    assert transliterate("Ярослава Щербак") == "Yaroslava Shcherbak"
    assert transliterate("“Quoted” – dash…") == '"Quoted" - dash...'
    assert transliterate("tab\there\x00nul\u200bzw") == "tab herenulzw"
    assert transliterate("李") == "?"


@pytest.mark.parametrize(
    ("key", "email"),
    [
        ("security_awareness", "ada@example.com"),
        ("../../etc/passwd", "../../x@y"),
        ("CON", "NUL@example.com"),
        ("Ünïcødé training", "名前@例え.jp"),
        ("a" * 300, "b" * 300 + "@example.com"),
        ("", ""),
        ("con:aux", 'a<b>c|d?e*f"g\\h/i@x'),
    ],
)
def test_file_names_are_safe_on_every_os(key: str, email: str, tmp_path: Path) -> None:
    data = CertificateData.from_record(
        dataclasses.replace(compliant(), email=email, training=key), TrainingRef(key, "T")
    )
    name = data.filename
    assert SAFE_NAME.match(name), name
    assert len(name) <= 120
    assert name.split(".")[0].split("_")[0] not in {"con", "nul", "aux", "prn"}
    path = write_certificate(data, tmp_path / "out", issued_at=ISSUED)
    assert path.parent == tmp_path / "out"
    assert path.name == name


def test_files_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        paths = write_certificates([cert(), cert(user_id=3)], tmp_path / "certs", issued_at=ISSUED)
    finally:
        os.umask(old)
    assert len(paths) == 2
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "certs").stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in (tmp_path / "certs").iterdir()) == sorted(p.name for p in paths)  # no temp files


def test_nightly_writes_only_new_certificates(tmp_path: Path) -> None:
    first = write_certificates([cert()], tmp_path, issued_at=ISSUED, skip_existing=True)
    again = write_certificates([cert(), cert(user_id=3)], tmp_path, issued_at=ISSUED, skip_existing=True)
    assert [p.name for p in first] == [cert().filename]
    assert [p.name for p in again] == [cert(user_id=3).filename]
    with pytest.raises(EvidenceError, match="two certificates"):
        write_certificates([cert(), cert()], tmp_path / "dup", issued_at=ISSUED)


def test_long_evidence_flows_onto_more_pages_with_the_hash_on_each() -> None:
    record = compliant()
    many = tuple(
        CampaignRecord(
            200 + i,
            f"Quarterly campaign {i} with a long descriptive name",
            True,
            at(4, 1),
            enrollments=tuple(
                enrollment(10_000 + i * 10 + j, f"Module {j} of campaign {i}", "Passed", at(4, 1)) for j in range(4)
            ),
        )
        for i in range(12)
    )
    data = CertificateData.from_record(dataclasses.replace(record, campaigns=many), TRAINING)
    reader = read(render_certificate(data, issued_at=ISSUED))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert data.sha256 in page.extract_text()
