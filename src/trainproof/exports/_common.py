"""Parts every export shares: credentials, the [exports] tables, timestamps, and the judged population.

Credentials come from the environment or the OS keyring (service `trainproof`, the variable's name as the
user name), never from trainproof.toml, and are held as `Secret`s, which never show themselves.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from trainproof.compliance.decision import Decision
from trainproof.config import KEYRING_SERVICE, Secret, Settings
from trainproof.errors import ConfigError
from trainproof.evidence import PersonRecord, records_from_decisions
from trainproof.judging import Judged

__all__ = ["exports_table", "population", "rfc3339", "secret"]


def secret(name: str) -> Secret | None:
    """`name` from the environment, else from the keyring (`keyring set trainproof NAME`); None if neither."""
    value = os.environ.get(name, "").strip()
    if value:
        return Secret(value)
    if os.environ.get("TRAINPROOF_NO_KEYRING"):
        return None
    try:
        import keyring

        stored = keyring.get_password(KEYRING_SERVICE, name)
    except Exception:  # any keyring backend failure means "not stored there"
        return None
    return Secret(stored) if stored else None


def require_secret(name: str, where: str) -> Secret:
    found = secret(name)
    if found is None:
        raise ConfigError(f"no {name}", f"set {name} ({where}) or store it with `keyring set trainproof {name}`")
    return found


def exports_table(settings: Settings, *path: str) -> Mapping[str, Any]:
    """[exports.<path>] of trainproof.toml ({} when absent); keys and kinds were checked when it loaded."""
    table: Mapping[str, Any] = settings.table("exports")
    for name in path:
        inner: object = table.get(name, {})
        table = cast(Mapping[str, Any], inner) if isinstance(inner, dict) else {}
    return table


def rfc3339(value: datetime | None) -> str | None:
    """UTC with a Z and whole seconds ("2026-06-15T12:32:44Z"), the form Vanta and Drata document."""
    if value is None:
        return None
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def population(judged: Judged, training: str) -> tuple[tuple[Decision, ...], list[PersonRecord]]:
    """Everyone in scope for `training` as judged, with their evidence records (the same as an evidence pack's)."""
    decisions = judged.evaluation.for_training(training)
    records = records_from_decisions(
        decisions,
        enrollments=judged.facts.enrollments,
        campaigns=judged.facts.campaigns,
        people=judged.evaluation.population,
        as_of=judged.as_of,
    )
    return decisions, records
