"""Exports: trainproof's decisions handed to where auditors look (Vanta, Drata) and as OSCAL.

Every export starts from `trainproof.judging` and the evidence records and certificates of
`trainproof.evidence`, so Vanta, Drata, an OSCAL file, `trainproof status` and an evidence pack always
tell the same story; nothing here decides compliance. `vanta` builds and pushes the user security
training statuses, `drata` uploads the certificates of people newly compliant (remembered in the store),
`oscal` writes an assessment-results document that cites an evidence pack.
"""

from trainproof.exports._errors import (
    ExportAuthError,
    ExportError,
    ExportRateLimited,
    ExportRefused,
    NotLicensed,
    PlatformError,
    UploadsIncomplete,
)

__all__ = [
    "ExportAuthError",
    "ExportError",
    "ExportRateLimited",
    "ExportRefused",
    "NotLicensed",
    "PlatformError",
    "UploadsIncomplete",
]
