"""The rule registry: one module per rule, named by its id, with its metadata as data.

Decisions carry the ids of the rules that produced them; evidence packs print each rule's
`auditor_text`, and framework files point at these ids.
"""

from __future__ import annotations

from types import ModuleType

from trainproof.compliance.rules import (
    population_active_in_scope,
    training_compliance_sticky,
    training_new_hire_grace,
    training_renewal_period,
    training_selected_campaigns_complete,
)
from trainproof.compliance.rules._metadata import RuleMetadata

POPULATION = population_active_in_scope.METADATA.id
CAMPAIGNS_COMPLETE = training_selected_campaigns_complete.METADATA.id
NEW_HIRE_GRACE = training_new_hire_grace.METADATA.id
RENEWAL = training_renewal_period.METADATA.id
STICKY = training_compliance_sticky.METADATA.id


def _register(*modules: ModuleType) -> dict[str, RuleMetadata]:
    found: dict[str, RuleMetadata] = {}
    for module in modules:
        meta: RuleMetadata = module.METADATA
        name = module.__name__.rsplit(".", 1)[-1]
        if meta.id != name:  # find a rule from its id alone
            raise ValueError(f"rule module {name} declares id {meta.id!r}; module and id must match")
        found[meta.id] = meta
    return found


RULES: dict[str, RuleMetadata] = _register(
    population_active_in_scope,
    training_selected_campaigns_complete,
    training_new_hire_grace,
    training_renewal_period,
    training_compliance_sticky,
)


def rule(rule_id: str) -> RuleMetadata:
    return RULES[rule_id]


__all__ = [
    "CAMPAIGNS_COMPLETE",
    "NEW_HIRE_GRACE",
    "POPULATION",
    "RENEWAL",
    "RULES",
    "STICKY",
    "RuleMetadata",
    "rule",
]
