"""Who is judged at all: KnowBe4's active users on the as-of date, less the configured exclusions."""

from __future__ import annotations

from datetime import datetime

from trainproof.compliance.facts import Person
from trainproof.compliance.rules._metadata import DRATA_ARTICLE, RuleMetadata
from trainproof.compliance.trainings import Scope

METADATA = RuleMetadata(
    id="population_active_in_scope",
    title="The population is every active KnowBe4 user on the as-of date, less the scope exclusions",
    rationale=(
        "Drata evaluates the personnel it syncs from KnowBe4; a person archived in KnowBe4 has left the "
        "workforce from the moment of archiving, and service accounts or excluded groups are not personnel."
    ),
    auditor_text=(
        "The population on the as-of date is every KnowBe4 user who had joined by that date and was not "
        "archived by then, except members of the excluded groups and the excluded email addresses listed "
        "in the configuration. Users archived later are still in the population of earlier dates."
    ),
    remediation=(
        "Archive leavers in KnowBe4 (or sync your directory), and list service accounts under [scope] "
        "exclude_emails or their group under exclude_groups in trainproof.toml."
    ),
    source=f"{DRATA_ARTICLE}: Drata evaluates the personnel synced from KnowBe4; [scope] in trainproof.toml",
)


_ACTIVE = frozenset({"active", None})  # the common statuses, decided without normalising


def exclusion(person: Person, scope: Scope, as_of: datetime) -> str | None:
    """Why `person` is outside the population on `as_of`, or None when they are in it."""
    archived_at = person.archived_at
    if archived_at is not None:
        if archived_at <= as_of:
            return f"archived in KnowBe4 on {archived_at.date().isoformat()}"
    elif person.status not in _ACTIVE and (person.status or "").strip().lower() == "archived":
        return "archived in KnowBe4 (no archive date known)"
    joined = person.joined_on
    if joined is not None and joined > as_of:
        return f"joined KnowBe4 on {joined.date().isoformat()}, after the as-of date"
    if scope.exclude_emails and person.email.strip().lower() in scope.exclude_emails:
        return "excluded by [scope] exclude_emails"
    if scope.exclude_groups:
        for group in person.groups:
            if group in scope.exclude_groups:
                return f"excluded by [scope] exclude_groups (group {group})"
    return None
