"""Shared mechanics of the evidence package: canonical JSON, hashing, safe names.

Evidence is only worth something if the same input always gives the same bytes (so hashes are stable);
it is written owner-only through `trainproof.files` (it holds names and e-mail addresses).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from trainproof.config import Secret
from trainproof.errors import TrainproofError

REDACTED = "[REDACTED]"


class EvidenceError(TrainproofError):
    """Evidence cannot be written or read (bad output path, unreadable pack, unsafe input)."""

    exit_code = 2


def iso(value: datetime | date | None) -> str:
    """ISO 8601 text; aware datetimes in UTC with a `Z`, naive ones taken as UTC; '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        dt = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        text = dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "microseconds")
        return text.replace("+00:00", "Z")
    return value.isoformat()


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return iso(value)
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: object) -> bytes:
    """The one byte form that is hashed: UTF-8, keys sorted, no whitespace, no NaN."""
    return json.dumps(
        value, default=_json_default, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def pretty_json(value: object) -> bytes:
    """Readable, still deterministic JSON for files a person opens (sorted keys, 2-space indent, final newline)."""
    text = json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- secrets -------------------------------------------------------------------------------------------

# Keys whose values are credentials wherever they appear in a config table or a sync-run record.
_SECRET_KEY = re.compile(r"(token|secret|passw(or)?d|api[_-]?key|credential|authori[sz]ation|bearer|cookie)", re.I)
# A JSON Web Token (KnowBe4 Reporting API tokens are JWTs) or an Authorization header value.
_TOKEN_LIKE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|(?i:bearer:?\s+)[^\s\"',;]{8,}")


def secret_values(secrets: Iterable[Secret | str | None]) -> tuple[str, ...]:
    """The plain values to keep out of evidence; very short values are ignored (they would redact noise)."""
    values = {s.get() if isinstance(s, Secret) else s for s in secrets if s is not None}
    return tuple(sorted((v for v in values if v and len(v) >= 6), key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every known secret value and every token-like string by REDACTED."""
    for value in secrets:
        text = text.replace(value, REDACTED)
    return _TOKEN_LIKE.sub(REDACTED, text)


def redact(value: Any, secrets: tuple[str, ...]) -> Any:
    """A copy of a JSON-like value with credential keys and secret or token-like strings redacted."""
    if isinstance(value, Secret):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            name = str(key)  # pyright: ignore[reportUnknownArgumentType]
            out[name] = REDACTED if _SECRET_KEY.search(name) and item not in (None, "") else redact(item, secrets)
        return out
    if isinstance(value, list | tuple):
        return [redact(item, secrets) for item in value]  # pyright: ignore[reportUnknownVariableType]
    return value


# --- file names ----------------------------------------------------------------------------------------

_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


def slug(text: str, *, max_len: int = 48) -> str:
    """Lower-case ASCII letters, digits and single hyphens: safe on every file system, case-insensitive ones too."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    cleaned = cleaned[:max_len].rstrip("-")
    if not cleaned or cleaned in _WINDOWS_RESERVED:
        cleaned = f"x-{cleaned}" if cleaned else "x"
    return cleaned
