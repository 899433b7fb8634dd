"""The one table of Reporting API endpoints, in the order of KnowBe4's API reference.

Each row says where an endpoint lives, whether it answers a list or one object, how its lists are
paginated and which query parameters it documents. The client, the `trainproof api` command and the
tests all read this table; nothing else spells a path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from trainproof.client.models import (
    Account,
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    RiskScore,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
)

__all__ = ["ENDPOINTS", "Endpoint", "Filter", "endpoint"]

Kind = Literal["list", "single"]
Pagination = Literal["page", "cursor", "none"]
FilterType = Literal["bool", "int", "str"]


@dataclass(frozen=True)
class Filter:
    """A documented query parameter. `choices` limits a string; `flag` booleans are sent only when true."""

    name: str
    type: FilterType
    help: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """One GET endpoint of the Reporting API."""

    name: str
    path: str
    kind: Kind
    pagination: Pagination
    model: type[BaseModel]
    noun: str
    list_hint: str
    filters: tuple[Filter, ...] = ()
    summary: str = ""
    id_nouns: Mapping[str, str] = field(default_factory=dict[str, str])

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    @property
    def filter_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.filters)

    def url_path(self, ids: Mapping[str, int | str]) -> str:
        """The path with its ids filled in; ids are checked to be positive integers."""
        values: dict[str, str] = {}
        for name in self.path_params:
            if name not in ids:
                raise ValueError(f"{self.name} needs {name}")
            text = str(ids[name]).strip()
            if not text.isdigit() or int(text) <= 0:
                raise ValueError(f"{name} must be a positive integer, got '{ids[name]}'")
            values[name] = str(int(text))
        return self.path.format(**values)

    def describe(self, ids: Mapping[str, int | str]) -> str:
        """The path for messages: ids filled in where known, templates left where not."""
        try:
            return self.url_path(ids)
        except ValueError:
            return self.path


_PAGE = (
    Filter("page", "int", "Page number (1-based); the client pages for you."),
    Filter("per_page", "int", "Results per page, at most 500; the client uses 500."),
)
_CURSOR = (Filter("cursor", "str", "Cursor from the previous answer, or 'true' to start; the client pages for you."),)
_FULL = Filter("full", "bool", "Include the entire risk score history (default: six months).")
_CALLBACK = Filter("campaign_type", "str", "Set to 'callback' for callback phishing campaigns.", ("callback",))
_STATUS = Filter("status", "str", "Only active or only archived.", ("active", "archived"))

_NOUNS: dict[str, str] = {
    "user_id": "user",
    "group_id": "group",
    "pst_id": "security test",
    "recipient_id": "recipient",
    "store_purchase_id": "store purchase",
    "policy_id": "policy",
    "enrollment_id": "enrollment",
}
_PHISH = {**_NOUNS, "campaign_id": "phishing campaign"}
_TRAIN = {**_NOUNS, "campaign_id": "training campaign"}

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "account", "/v1/account", "single", "none", Account, "account", "", summary="The account.", id_nouns=_NOUNS
    ),
    Endpoint(
        "account_risk_score_history",
        "/v1/account/risk_score_history",
        "list",
        "none",
        RiskScore,
        "account risk score history",
        "",
        (_FULL,),
        "The account's risk score history.",
        _NOUNS,
    ),
    Endpoint(
        "users",
        "/v1/users",
        "list",
        "page",
        User,
        "users",
        "users",
        (
            _STATUS,
            Filter("group_id", "int", "Only members of this group."),
            Filter("expand", "str", "Expand groups to provide additional details.", ("group",)),
            *_PAGE,
        ),
        "All users.",
        _NOUNS,
    ),
    Endpoint("user", "/v1/users/{user_id}", "single", "none", User, "user", "users", (), "One user.", _NOUNS),
    Endpoint(
        "user_risk_score_history",
        "/v1/users/{user_id}/risk_score_history",
        "list",
        "none",
        RiskScore,
        "user risk score history",
        "users",
        (_FULL,),
        "A user's risk score history (not paginated; up to 1,000 points).",
        _NOUNS,
    ),
    Endpoint(
        "groups", "/v1/groups", "list", "page", Group, "groups", "groups", (_STATUS, *_PAGE), "All groups.", _NOUNS
    ),
    Endpoint("group", "/v1/groups/{group_id}", "single", "none", Group, "group", "groups", (), "One group.", _NOUNS),
    Endpoint(
        "group_members",
        "/v1/groups/{group_id}/members",
        "list",
        "page",
        User,
        "group members",
        "groups",
        _PAGE,
        "The users in a group.",
        _NOUNS,
    ),
    Endpoint(
        "group_risk_score_history",
        "/v1/groups/{group_id}/risk_score_history",
        "list",
        "none",
        RiskScore,
        "group risk score history",
        "groups",
        (_FULL,),
        "A group's risk score history.",
        _NOUNS,
    ),
    Endpoint(
        "phishing_campaigns",
        "/v1/phishing/campaigns",
        "list",
        "page",
        PhishingCampaign,
        "phishing campaigns",
        "phishing campaigns",
        _PAGE,
        "All phishing campaigns (missing from the 2025 docs' navigation, but served).",
        _PHISH,
    ),
    Endpoint(
        "phishing_campaign",
        "/v1/phishing/campaigns/{campaign_id}",
        "single",
        "none",
        PhishingCampaign,
        "phishing campaign",
        "phishing campaigns",
        (_CALLBACK,),
        "One phishing campaign.",
        _PHISH,
    ),
    Endpoint(
        "phishing_campaign_security_tests",
        "/v1/phishing/campaigns/{campaign_id}/security_tests",
        "list",
        "page",
        SecurityTest,
        "security tests",
        "phishing campaigns",
        (_CALLBACK, *_PAGE),
        "The security tests (PSTs) of one phishing campaign.",
        _PHISH,
    ),
    Endpoint(
        "security_tests",
        "/v1/phishing/security_tests",
        "list",
        "page",
        SecurityTest,
        "security tests",
        "security tests",
        (_CALLBACK, *_PAGE),
        "All phishing security tests (PSTs).",
        _PHISH,
    ),
    Endpoint(
        "security_test",
        "/v1/phishing/security_tests/{pst_id}",
        "single",
        "none",
        SecurityTest,
        "security test",
        "security tests",
        (_CALLBACK,),
        "One phishing security test.",
        _PHISH,
    ),
    Endpoint(
        "recipients",
        "/v1/phishing/security_tests/{pst_id}/recipients",
        "list",
        "page",
        Recipient,
        "recipients",
        "security tests",
        (_CALLBACK, *_PAGE),
        "The recipients of one security test and what each did.",
        _PHISH,
    ),
    Endpoint(
        "recipient",
        "/v1/phishing/security_tests/{pst_id}/recipients/{recipient_id}",
        "single",
        "none",
        Recipient,
        "recipient",
        "the security test's recipients",
        (_CALLBACK,),
        "One recipient of a security test.",
        _PHISH,
    ),
    Endpoint(
        "store_purchases",
        "/v1/training/store_purchases",
        "list",
        "page",
        StorePurchase,
        "store purchases",
        "store purchases",
        _PAGE,
        "All training modules bought from the store.",
        _TRAIN,
    ),
    Endpoint(
        "store_purchase",
        "/v1/training/store_purchases/{store_purchase_id}",
        "single",
        "none",
        StorePurchase,
        "store purchase",
        "store purchases",
        (),
        "One store purchase.",
        _TRAIN,
    ),
    Endpoint(
        "policies",
        "/v1/training/policies",
        "list",
        "page",
        Policy,
        "policies",
        "policies",
        _PAGE,
        "All uploaded policies.",
        _TRAIN,
    ),
    Endpoint(
        "policy",
        "/v1/training/policies/{policy_id}",
        "single",
        "none",
        Policy,
        "policy",
        "policies",
        (),
        "One uploaded policy.",
        _TRAIN,
    ),
    Endpoint(
        "training_campaigns",
        "/v1/training/campaigns",
        "list",
        "page",
        TrainingCampaign,
        "training campaigns",
        "training campaigns",
        (
            Filter(
                "exclude_percentages",
                "bool",
                "Leave out completion_percentage; anything but true caps the answer at 10 campaigns.",
            ),
            *_PAGE,
        ),
        "All training campaigns.",
        _TRAIN,
    ),
    Endpoint(
        "training_campaign",
        "/v1/training/campaigns/{campaign_id}",
        "single",
        "none",
        TrainingCampaign,
        "training campaign",
        "training campaigns",
        (),
        "One training campaign.",
        _TRAIN,
    ),
    Endpoint(
        "enrollments",
        "/v1/training/enrollments",
        "list",
        "cursor",
        Enrollment,
        "training enrollments",
        "training enrollments",
        (
            Filter("store_purchase_id", "int", "Only enrollments in this store purchase (module)."),
            Filter("campaign_id", "int", "Only enrollments in this training campaign."),
            Filter("user_id", "int", "Only enrollments of this user."),
            Filter("exclude_archived_users", "bool", "Leave out archived users."),
            Filter("include_campaign_id", "bool", "Add campaign_id to each enrollment."),
            Filter("include_store_purchase_id", "bool", "Add store_purchase_id to each enrollment."),
            Filter("include_employee_number", "bool", "Add user.employee_number to each enrollment."),
            *_PAGE,
            *_CURSOR,
        ),
        "Training enrollments (cursor pagination).",
        _TRAIN,
    ),
    Endpoint(
        "enrollment",
        "/v1/training/enrollments/{enrollment_id}",
        "single",
        "none",
        Enrollment,
        "training enrollment",
        "training enrollments",
        (Filter("include_campaign_id", "bool", "Add campaign_id to the enrollment."),),
        "One training enrollment.",
        _TRAIN,
    ),
)

_BY_NAME: dict[str, Endpoint] = {e.name: e for e in ENDPOINTS}


def endpoint(name: str) -> Endpoint:
    """The endpoint called `name` (snake_case or kebab-case); KeyError lists the valid names."""
    key = name.strip().replace("-", "_").lower()
    try:
        return _BY_NAME[key]
    except KeyError:
        valid = ", ".join(e.cli_name for e in ENDPOINTS)
        raise KeyError(f"unknown resource '{name}': use one of {valid}") from None
