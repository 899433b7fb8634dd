"""Rule metadata: the prose that explains a rule, kept as data beside its code (prowler's pattern)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")

# Where Drata documents the rule trainproof applies (help.drata.com, "Connect KnowBe4 to Drata").
DRATA_ARTICLE = "Drata's help article 'Connect KnowBe4 to Drata'"


@dataclass(frozen=True, slots=True)
class RuleMetadata:
    """What a rule checks, why, how to describe it to an auditor, and what to do when it fails."""

    id: str
    title: str
    rationale: str  # why the rule exists and where it comes from
    auditor_text: str  # the paragraph an evidence pack prints for this rule
    remediation: str  # what an administrator does when a person fails it
    source: str  # the document the rule implements

    def __post_init__(self) -> None:
        # House style checked by code, not by reviewers.
        if not _ID_RE.match(self.id):
            raise ValueError(f"rule id {self.id!r} must be snake_case with at least two words")
        if len(self.title) > 150 or self.title.startswith("Ensure"):
            raise ValueError(f"rule {self.id}: title must be at most 150 characters and not start with 'Ensure'")
        for name in ("rationale", "auditor_text", "remediation", "source"):
            text = getattr(self, name)
            if not text.strip() or len(text) > 700:
                raise ValueError(f"rule {self.id}: {name} must be 1-700 characters")
