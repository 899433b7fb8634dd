"""The public surface of trainproof.client is a contract: this list changes only on purpose."""

from __future__ import annotations

import trainproof.client


def test_all_is_pinned() -> None:
    assert trainproof.client.__all__ == [
        "ENDPOINTS",
        "APIConnectionError",
        "APIStatusError",
        "Account",
        "Admin",
        "ApiModel",
        "AuthError",
        "Category",
        "ClientStats",
        "ContentItem",
        "DailyBudget",
        "DeadlineExceeded",
        "Endpoint",
        "Enrollment",
        "EnrollmentUser",
        "Filter",
        "ForbiddenError",
        "Group",
        "GroupRef",
        "KnowBe4Client",
        "KnowBe4Error",
        "LandingPage",
        "MalformedResponse",
        "NotFoundError",
        "PaginationLoopError",
        "PhishingCampaign",
        "Policy",
        "PstSummary",
        "QuotaExhausted",
        "RateLimitedError",
        "RateLimiter",
        "Recipient",
        "RecipientUser",
        "RedirectError",
        "ResponseTooLarge",
        "ResponseValidationError",
        "RetryPolicy",
        "RiskScore",
        "SecurityTest",
        "ServerError",
        "StorePurchase",
        "TemplateRef",
        "TrainingCampaign",
        "User",
        "endpoint",
        "module_key_for",
        "parse_record",
    ]


def test_every_public_name_exists_and_nothing_private_leaks() -> None:
    public = {name for name in dir(trainproof.client) if not name.startswith("_")}
    exported = set(trainproof.client.__all__)
    assert exported <= public
    modules = {"models"}
    assert public - exported - modules == set()


def test_every_error_is_a_trainproof_error() -> None:
    from trainproof.errors import TrainproofError

    for name in trainproof.client.__all__:
        obj = getattr(trainproof.client, name)
        if isinstance(obj, type) and name.endswith(("Error", "Exhausted", "Response")):
            assert issubclass(obj, TrainproofError), name
