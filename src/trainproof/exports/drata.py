"""Drata: the certificate of each person newly compliant, uploaded to that person, once.

Drata's public API v2 (developers.drata.com, User Documents) takes a file for a person named by e-mail:
`POST /users/email:<address>/documents`, multipart `file`, `type` (SEC_TRAINING or
HIPAA_TRAINING_EVIDENCE) and `completionDate`; it answers 201 with the document and its renewalDate.
Drata documents no document type for AI awareness training, so such a training is not uploaded.

"Newly compliant" means a compliance (person, training, compliant since) no upload to this Drata has
certified yet: the store remembers each upload the moment Drata accepted it (`store.exports`), so a
rerun, or a run after a failure halfway, uploads nothing twice. Drata states a limit of 500 requests a
minute per source address (help.drata.com, "Drata Open API"); uploads are paced under it and a 429's
Retry-After is honoured. A person Drata does not know (404) or whose file it refuses (400, 413) is that
person's problem: reported, the others still uploaded, the command ends non-zero.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx2

from trainproof import clock
from trainproof.compliance.trainings import Training
from trainproof.config import Settings
from trainproof.errors import ConfigError
from trainproof.evidence import CertificateData, certificates_from_decisions
from trainproof.evidence.certificates import CertificateProblem, try_render
from trainproof.exports._common import exports_table, require_secret, rfc3339
from trainproof.exports._errors import NotLicensed
from trainproof.exports._http import Platform, PlatformClient, check_override
from trainproof.judging import Judged
from trainproof.store.exports import Upload, record_upload, uploaded_keys
from trainproof.store.handle import StoreEngine

__all__ = [
    "DRATA_HOSTS",
    "DrataUpload",
    "UploadProblem",
    "document_type",
    "drata_platform",
    "drata_uploads",
    "upload_to_drata",
]

TARGET = "drata"
DRATA_HOSTS = {
    "us": "https://public-api.drata.com/public/v2",
    "eu": "https://public-api.eu.drata.com/public/v2",
    "apac": "https://public-api.apac.drata.com/public/v2",
}
DEFAULT_PER_MINUTE = 500.0
SEC_TRAINING = "SEC_TRAINING"
HIPAA_TRAINING = "HIPAA_TRAINING_EVIDENCE"
_EMAIL = re.compile(r"^[^\s@/\\?#%]+@[^\s@/\\?#%]+$")


def drata_platform(settings: Settings) -> Platform:
    """Drata's US host, the EU or APAC one by [exports.drata] region, or DRATA_BASE_URL."""
    override = os.environ.get("DRATA_BASE_URL", "").strip()
    if override:
        base = check_override(override, "DRATA_BASE_URL")
    else:
        region = str(exports_table(settings, "drata").get("region", "us")).strip().lower()
        if region not in DRATA_HOSTS:
            raise ConfigError(
                f"[exports.drata] region '{region[:20]}' is not a Drata region",
                f"use one of {', '.join(DRATA_HOSTS)} (the host your Drata account is on)",
            )
        base = DRATA_HOSTS[region]
    return Platform(
        name="Drata",
        base_url=base.rstrip("/"),
        credentials="check DRATA_API_KEY (Drata > Settings > API Keys) and that it has not expired",
        licence="the key needs the permission Users: Create User Document, and the Drata plan must include "
        "the public API (ask your Drata administrator)",
    )


def document_type(training: Training) -> str | None:
    """The Drata document type a training's certificate is uploaded as; None when Drata has none for it."""
    if training.key == "hipaa" or "hipaa" in training.frameworks:
        return HIPAA_TRAINING
    if training.key == "ai_awareness" or (training.frameworks and set(training.frameworks) <= {"nist_ai_rmf"}):
        return None
    return SEC_TRAINING


@dataclass(frozen=True, slots=True)
class DrataUpload:
    """One certificate to upload: to whom, as what, and the certificate itself."""

    certificate: CertificateData
    document_type: str
    compliant_since: datetime

    @property
    def email(self) -> str:
        return self.certificate.email

    @property
    def path(self) -> str:
        """`/users/email:<address>/documents`, the address percent-encoded (it comes from KnowBe4)."""
        return f"/users/email:{quote(self.email, safe='@')}/documents"

    def preview(self) -> dict[str, Any]:
        """What `--dry-run` shows: one entry per upload, exactly the fields sent and the file."""
        return {
            "email": self.email,
            "training": self.certificate.training.key,
            "type": self.document_type,
            "completionDate": rfc3339(self.compliant_since),
            "file": self.certificate.filename,
            "certificate_id": self.certificate.certificate_id,
        }


def drata_uploads(
    judged: Judged, engine: StoreEngine, destination: str, *, only: Sequence[str] | None = None
) -> tuple[list[DrataUpload], list[str]]:
    """The uploads a run makes (compliance not yet certified at `destination`) and the trainings skipped.

    `only` names trainings asked for explicitly: one Drata takes no document for is an error then,
    instead of a skipped training.
    """
    skipped: list[str] = []
    kinds: dict[str, str] = {}
    for spec in judged.evaluation.trainings_config.trainings:
        kind = document_type(spec)
        if kind is not None:
            kinds[spec.key] = kind
            continue
        if only is not None and spec.key in only:
            raise ConfigError(
                f"Drata takes no uploaded evidence for training '{spec.key}' (its API's document types are "
                f"{SEC_TRAINING} and {HIPAA_TRAINING})",
                "export this training to Vanta or OSCAL instead, or give it frameworks Drata evidences",
            )
        skipped.append(spec.key)
    done = uploaded_keys(engine, target=TARGET, destination=destination, trainings=kinds)
    uploads: list[DrataUpload] = []
    decisions = [d for d in judged.evaluation.decisions if d.training in kinds and d.compliant]
    since = {(d.training, d.user_id): d.compliant_since for d in decisions}
    for cert in certificates_from_decisions(decisions, campaigns=judged.facts.campaigns):
        earned = since[(cert.training.key, cert.user_id)]
        if earned is None or (cert.training.key, cert.user_id, earned) in done:
            continue
        uploads.append(DrataUpload(certificate=cert, document_type=kinds[cert.training.key], compliant_since=earned))
    return uploads, skipped


@dataclass(frozen=True, slots=True)
class UploadProblem:
    """One person's upload that did not happen, and why: reported, never a stop for the others."""

    email: str
    training: str
    reason: str

    def line(self) -> str:
        return f"certificate of {self.email} for {self.training} not uploaded to Drata: {self.reason}"


OnProblem = Callable[[UploadProblem], None]

_PERSON_STATUSES = {
    400: "Drata refused the file or its fields (400)",
    404: "Drata has no person with this e-mail address (404): add or link them in Drata, then run again",
    413: "the file is larger than Drata accepts (413)",
}


async def upload_to_drata(
    uploads: Sequence[DrataUpload],
    settings: Settings,
    engine: StoreEngine,
    *,
    on_problem: OnProblem,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> list[Upload]:
    """Upload each certificate and remember each one Drata accepted; returns those.

    A failure that concerns everyone (401, 402, 403, 412, 429 after retries, an outage) stops the run
    with its error: what was accepted before it is kept, what was not is tried again next time.
    """
    key = require_secret("DRATA_API_KEY", "Drata > Settings > API Keys")
    platform = drata_platform(settings)
    per_minute = float(exports_table(settings, "drata").get("per_minute", DEFAULT_PER_MINUTE))
    accepted: list[Upload] = []
    issued = clock.now()
    async with PlatformClient(
        platform, per_minute=per_minute, time_scale=settings.limits.time_scale, transport=transport
    ) as client:
        for upload in uploads:
            cert = upload.certificate
            problem = _person_problem(upload)
            pdf = b""
            if problem is None:
                rendered = try_render(cert, issued_at=issued)
                if isinstance(rendered, CertificateProblem):
                    problem = f"the certificate could not be written ({rendered.reason})"
                else:
                    pdf = rendered
            if problem is not None:
                on_problem(UploadProblem(upload.email, cert.training.key, problem))
                continue
            what = f"upload the certificate of {upload.email}"
            response = await client.send(
                "POST",
                upload.path,
                what=what,
                idempotent=False,
                headers={"Authorization": f"Bearer {key.get()}"},
                data={"type": upload.document_type, "completionDate": rfc3339(upload.compliant_since) or ""},
                files={"file": (cert.filename, pdf, "application/pdf")},
            )
            status = response.status_code
            if status in _PERSON_STATUSES:
                on_problem(UploadProblem(upload.email, cert.training.key, _PERSON_STATUSES[status]))
                continue
            if status == 412:
                raise NotLicensed(
                    "Drata refused the upload (412): the terms and conditions of its API are not accepted yet",
                    "a Drata administrator must accept them in Drata, then run the export again",
                )
            if not 200 <= status < 300:
                raise client.fail(response, what)
            done = _accepted(upload, platform.base_url, response)
            record_upload(engine, done)
            accepted.append(done)
    return accepted


def _person_problem(upload: DrataUpload) -> str | None:
    """Why this person's address cannot name them in Drata's path; None when it can."""
    if not _EMAIL.match(upload.email):
        return "the KnowBe4 e-mail address is not one Drata can look a person up by"
    return None


def _accepted(upload: DrataUpload, destination: str, response: httpx2.Response) -> Upload:
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    answer: dict[str, Any] = body if isinstance(body, dict) else {}  # pyright: ignore[reportUnknownVariableType]
    doc_id, renewal = answer.get("id"), answer.get("renewalDate")
    cert = upload.certificate
    return Upload(
        target=TARGET,
        destination=destination,
        training=cert.training.key,
        user_id=cert.user_id,
        email=cert.email,
        compliant_since=upload.compliant_since,
        certificate_sha256=cert.sha256,
        document_type=upload.document_type,
        file_name=cert.filename,
        uploaded_at=clock.now(),
        document_id=str(doc_id)[:100] if isinstance(doc_id, int | str) else None,
        renewal_date=str(renewal)[:40] if isinstance(renewal, str) else None,
    )
