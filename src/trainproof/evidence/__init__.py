"""Evidence an auditor can verify: per-person PDF certificates and a hashed evidence pack.

Built from small typed records (`PersonRecord`, `CertificateData`, ...) rather than from compliance or
store objects, so everything here is testable alone; `records_from_decisions` and
`certificates_from_decisions` are the one bridge from the compliance engine's decisions.
"""

from trainproof.evidence._common import EvidenceError
from trainproof.evidence._text import find_unicode_font
from trainproof.evidence.adapters import certificates_from_decisions, records_from_decisions, training_of
from trainproof.evidence.certificates import UnicodeFont, render_certificate, write_certificate, write_certificates
from trainproof.evidence.manifest import Discrepancy, VerifyResult, read_fingerprint, verify_pack
from trainproof.evidence.pack import build_pack, compliance_config
from trainproof.evidence.records import (
    CampaignRecord,
    CertificateData,
    EnrollmentRecord,
    PersonRecord,
    TrainingRef,
    certificates_for,
)
from trainproof.evidence.signing import SigningKey, SigningKeyError, read_public_key, signing_key

__all__ = [
    "CampaignRecord",
    "CertificateData",
    "Discrepancy",
    "EnrollmentRecord",
    "EvidenceError",
    "PersonRecord",
    "SigningKey",
    "SigningKeyError",
    "TrainingRef",
    "UnicodeFont",
    "VerifyResult",
    "build_pack",
    "certificates_for",
    "certificates_from_decisions",
    "compliance_config",
    "find_unicode_font",
    "read_fingerprint",
    "read_public_key",
    "records_from_decisions",
    "render_certificate",
    "signing_key",
    "training_of",
    "verify_pack",
    "write_certificate",
    "write_certificates",
]
