"""The errors of the exports: what a GRC platform answered, said once, with what to do.

Hierarchy (every class is a `TrainproofError`, so the CLI prints one line and exits with `exit_code`)::

    ExportError              any failure exporting decisions
    ├── ExportRefused        trainproof refused before sending anything (an empty population)
    ├── ExportAuthError      401: the platform rejected the credentials (exit 2)
    ├── NotLicensed          402 or 403: the plan or the key does not allow this (exit 2)
    ├── ExportRateLimited    429 after every retry (Retry-After honoured while the budget allowed)
    ├── PlatformError        any other answer, a timeout or a dropped connection
    └── UploadsIncomplete    some people's uploads failed (each named when it happened), the others done

Messages are built from our own words, status codes and request ids: never from request objects,
headers or bodies, which may hold a token, a client secret or an API key.
"""

from __future__ import annotations

from trainproof.errors import TrainproofError

__all__ = [
    "ExportAuthError",
    "ExportError",
    "ExportRateLimited",
    "ExportRefused",
    "NotLicensed",
    "PlatformError",
    "UploadsIncomplete",
]


class ExportError(TrainproofError):
    """A failure exporting decisions to a GRC platform or a file."""


class ExportRefused(ExportError):
    """Nothing was sent: what would have been sent is wrong (e.g. an empty population)."""


class ExportAuthError(ExportError):
    """401: the platform rejected the credentials."""

    exit_code = 2


class NotLicensed(ExportError):
    """402 or 403: the platform's plan or the key's permissions do not include this call."""

    exit_code = 2


class ExportRateLimited(ExportError):
    """429 Too Many Requests, still answered after every retry."""


class PlatformError(ExportError):
    """Any other answer, a timeout or a dropped connection, after every retry that was safe."""


class UploadsIncomplete(ExportError):
    """Some people's certificates were not uploaded (each named as it happened); every other one was."""
