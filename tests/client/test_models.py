"""The wire models accept what KnowBe4 really sends, quirks included (payloads from knowbe4_api.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from trainproof.client import (
    Account,
    Enrollment,
    Group,
    PhishingCampaign,
    Policy,
    Recipient,
    ResponseValidationError,
    RiskScore,
    SecurityTest,
    StorePurchase,
    TrainingCampaign,
    User,
    parse_record,
)

DOC_ENROLLMENT: dict[str, Any] = {
    "enrollment_id": 1425526,
    "content_type": "Uploaded Policy",
    "module_name": "Acceptable Use Policy",
    "user": {
        "id": 796742,
        "first_name": "Sarah",
        "last_name": "Thomas",
        "email": "s_thomas@kb4-demo.com",
        "employee_number": 123456,
    },
    "campaign_name": "New Employee Policies",
    "enrollment_date": "2019-04-02T15:02:38.000Z",
    "start_date": "2019-04-02T15:02:38.000Z",
    "completion_date": "2019-04-02T15:02:38.000Z",
    "status": "Passed",
    "time_spent": 2340,
    "policy_acknowledged": False,
}

DOC_CAMPAIGN: dict[str, Any] = {
    "campaign_id": 4261,
    "name": "Annual Training",
    "groups": [{"group_id": 0, "name": "All Users"}],
    "status": "Completed",
    "content": [
        [
            {
                "store_purchase_id": 7,
                "content_type": "Store Purchase",
                "name": "2019 Security Awareness Training",
                "duration": 42,
                "retired": False,
                "retirement_date": None,
                "publish_date": "2019-04-02T15:02:38.000Z",
                "publisher": "KnowBe4",
                "purchase_date": "2019-04-02T15:02:38.000Z",
                "policy_url": "https://www.yourcompany.com/employees/acceptableusepolicy.html",
            },
            {
                "policy_id": 142,
                "content_type": "Uploaded Policy",
                "name": "Security Awareness Policy",
                "minimum_time": 3,
                "default_language": "en-us",
                "published": True,
            },
        ]
    ],
    "duration_type": "Specific End Date",
    "start_date": "2019-04-02T15:02:38.000Z",
    "end_date": "2019-04-02T15:02:38.000Z",
    "relative_duration": "string",
    "auto_enroll": True,
    "allow_multiple_enrollments": False,
    "completion_percentage": 0,
}


def test_enrollment_doc_sample_normalises_types_and_maps_status() -> None:
    e = Enrollment.model_validate(DOC_ENROLLMENT)
    assert e.status == "Passed"
    assert e.state == "completed"
    assert e.is_complete
    assert e.user is not None
    assert e.user.employee_number == "123456"
    assert e.completion_date == datetime(2019, 4, 2, 15, 2, 38, tzinfo=UTC)
    assert e.campaign_id is None
    assert e.module_key == "Uploaded Policy:Acceptable Use Policy"


def test_enrollment_with_include_flags_null_user_and_unknown_status() -> None:
    payload = dict(
        DOC_ENROLLMENT,
        user=None,
        campaign_id=101,
        store_purchase_id=7,
        content_type="Store Purchase",
        status="Awaiting Review",
        brand_new_field={"x": 1},
    )
    e = Enrollment.model_validate(payload)
    assert e.user is None
    assert e.user_id is None
    assert e.campaign_id == 101
    assert e.module_key == "store_purchase:7"
    assert e.status == "Awaiting Review"
    assert e.state == "unknown"
    assert not e.is_complete
    assert e.model_extra == {"brand_new_field": {"x": 1}}


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("Not Started", "not_started"),
        ("In Progress", "in_progress"),
        ("Completed", "completed"),
        ("Past Due", "past_due"),
    ],
)
def test_enrollment_states(raw: str, state: str) -> None:
    assert Enrollment.model_validate(dict(DOC_ENROLLMENT, status=raw)).state == state


def test_duplicate_enrollments_stay_distinct_records() -> None:
    a = Enrollment.model_validate(dict(DOC_ENROLLMENT, enrollment_id=1))
    b = Enrollment.model_validate(dict(DOC_ENROLLMENT, enrollment_id=2))
    assert (a.user_id, a.module_key) == (b.user_id, b.module_key)
    assert a.enrollment_id != b.enrollment_id


def test_campaign_nested_content_is_flattened() -> None:
    c = TrainingCampaign.model_validate(DOC_CAMPAIGN)
    assert c.module_keys == ["store_purchase:7", "policy:142"]
    assert c.status == "Completed"
    assert c.state == "closed"
    assert c.group_ids == [0]
    assert c.content[1].is_policy
    assert c.content[0].name_key == "Store Purchase:2019 Security Awareness Training"


def test_campaign_flat_content_merged_with_old_modules_without_duplicates() -> None:
    payload = dict(
        DOC_CAMPAIGN,
        content=[{"store_purchase_id": 19, "content_type": "Store Purchase", "name": "Kevin Mitnick"}],
        modules=[
            {"store_purchase_id": 19, "content_type": "Store Purchase", "name": "Kevin Mitnick"},
            {"store_purchased_id": 20, "content_type": "Store Purchase", "name": "Phish Alert"},
        ],
        status="Enrolling",
        end_date=None,
    )
    c = TrainingCampaign.model_validate(payload)
    assert c.module_keys == ["store_purchase:19", "store_purchase:20"]
    assert c.state == "scheduled"
    assert c.end_date is None
    assert "modules" in (c.model_extra or {})


@pytest.mark.parametrize(
    ("raw", "state"), [("Canceled", "cancelled"), ("Cancelled", "cancelled"), ("Closed", "closed")]
)
def test_campaign_status_spellings(raw: str, state: str) -> None:
    assert TrainingCampaign.model_validate(dict(DOC_CAMPAIGN, status=raw)).state == state


def test_store_purchase_doc_typo_and_real_key() -> None:
    typo = StorePurchase.model_validate({"store_purchased_id": 6420, "name": "FFIEC", "retirement_date": None})
    real = StorePurchase.model_validate({"store_purchase_id": 6420, "name": "FFIEC"})
    assert typo.store_purchase_id == real.store_purchase_id == 6420
    assert typo.module_key == "store_purchase:6420"


@pytest.mark.parametrize(
    ("status", "published"), [(1, True), ("1", True), ("published", True), (0, False), ("x", None)]
)
def test_policy_status_int_or_string(status: int | str, published: bool | None) -> None:
    p = Policy.model_validate({"policy_id": 2420, "content_type": "Uploaded Policy", "status": status})
    assert p.status == status
    assert p.is_published is published
    assert p.module_key == "policy:2420"


def test_security_test_landing_page_both_spellings() -> None:
    hyphen = SecurityTest.model_validate({"pst_id": 16142, "landing-page": {"id": 1842, "name": "SEI Landing Page"}})
    under = SecurityTest.model_validate(
        {"pst_id": 510501, "landing_page": {"id": 4072, "name": "Verify Java"}, "template": {"id": None, "name": None}}
    )
    assert hyphen.landing_page is not None
    assert hyphen.landing_page.id == 1842
    assert under.landing_page is not None
    assert under.landing_page.name == "Verify Java"
    assert under.template is not None
    assert under.template.id is None


def test_real_trial_account_without_subscription_fields() -> None:
    a = Account.model_validate(
        {
            "name": "JupiterOne, Inc",
            "type": "trial",
            "domains": ["jupiterone.com"],
            "admins": [{"id": 33626551, "first_name": "Sam", "last_name": "Andrus", "email": "s@example.com"}],
            "current_risk_score": 25.3,
        }
    )
    assert a.number_of_seats is None
    assert a.admins[0].id == 33626551


def test_dates_with_and_without_time() -> None:
    assert RiskScore.model_validate({"risk_score": 37.3, "date": "2021-02-07"}).date == date(2021, 2, 7)
    assert RiskScore.model_validate({"risk_score": 37.1, "date": "2022-07-27T00:00:00.000Z"}).date == date(2022, 7, 27)
    u = User.model_validate(
        {
            "id": 1,
            "employee_number": "19425",
            "joined_on": "2019-04-02",
            "custom_date_1": "1986-11-26",
            "groups": [3264],
        }
    )
    assert u.joined_on == datetime(2019, 4, 2, tzinfo=UTC)
    assert u.custom_date_1 == date(1986, 11, 26)
    assert u.group_ids == [3264]


def test_user_old_field_names_and_expanded_groups() -> None:
    u = User.model_validate(
        {
            "id": 2,
            "adi_manageable": True,
            "adi_guid": "g-1",
            "groups": [{"id": 5, "name": "Sales"}],
            "employee_number": 7,
        }
    )
    assert u.provisioning_managed is True
    assert u.provisioning_guid == "g-1"
    assert u.group_ids == [5]
    assert u.employee_number == "7"
    g = Group.model_validate({"id": 3142, "adi_guid": "x", "status": "archived"})
    assert g.provisioning_guid == "x"
    assert g.is_archived


def test_phishing_campaign_and_recipient_real_payloads() -> None:
    c = PhishingCampaign.model_validate(
        {
            "campaign_id": 229823,
            "name": "test-inactive-campaign",
            "groups": [{"group_id": 640840, "name": "test_group"}],
            "last_run": None,
            "status": "Error",
            "psts": [{"pst_id": 510501, "status": "Error", "start_date": None, "users_count": None}],
        }
    )
    assert c.status == "Error"
    assert c.state == "unknown"
    assert c.psts[0].users_count is None
    r = Recipient.model_validate(
        {
            "recipient_id": 3077742,
            "pst_id": 14240,
            "user": {"id": 264215, "provisioning_guid": None},
            "clicked_at": "2019-04-02T15:02:38.000Z",
            "qr_code_scanned": "2022-05-12T15:29:54.000Z",
        }
    )
    assert r.failed
    assert r.user_id == 264215


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"enrollment_id": "not-a-number"}, "enrollment_id"),
        ({"enrollment_id": 1, "completion_date": 1554217358}, "completion_date"),
        ({"enrollment_id": 1, "completion_date": "yesterday"}, "completion_date"),
        ({"enrollment_id": 1, "user": {"id": "abc"}}, "user.id"),
        ({}, "enrollment_id"),
    ],
)
def test_wrong_types_fail_with_a_message_naming_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(ResponseValidationError) as info:
        parse_record(Enrollment, payload, "GET /v1/training/enrollments")
    assert f"'{field}'" in info.value.message
    assert "GET /v1/training/enrollments" in info.value.message


def test_string_ids_are_accepted_as_numbers() -> None:
    assert Enrollment.model_validate({"enrollment_id": "12"}).enrollment_id == 12


def test_dates_at_the_ends_of_the_calendar_never_overflow() -> None:
    # In UTC these fall in year 10000 or year 0: held at the nearest representable instant, not an OverflowError.
    def completed(text: str) -> datetime | None:
        return Enrollment.model_validate({**DOC_ENROLLMENT, "completion_date": text}).completion_date

    assert completed("9999-12-31T23:59:59-05:00") == datetime.max.replace(tzinfo=UTC)
    assert completed("0001-01-01T00:00:00+05:00") == datetime.min.replace(tzinfo=UTC)
    assert completed("9999-12-31T00:00:00.000Z") == datetime(9999, 12, 31, tzinfo=UTC)
    assert completed("0001-01-01T00:00:00.000Z") == datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(ResponseValidationError, match="completion_date"):
        parse_record(Enrollment, {**DOC_ENROLLMENT, "completion_date": "31/12/2026"}, "GET /v1/training/enrollments")
