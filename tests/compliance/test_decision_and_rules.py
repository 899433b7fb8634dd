"""The JSON shape of decisions, the rule registry and the framework data."""

from __future__ import annotations

import json

import pytest

from compliance.builders import campaign, day, enrollment, person, policy
from trainproof import compliance
from trainproof.compliance import FRAMEWORKS, RULES, RuleMetadata, evaluate
from trainproof.compliance.trainings import DEFAULT_FRAMEWORKS, KNOWN_TRAININGS


def test_status_json_has_exactly_the_fields_of_issue_4() -> None:
    pol = policy(security_awareness={"campaigns": [1, 2], "renew_every_days": 365})
    people = [person(1, "Pat", "Lee", department="Finance", manager_email="boss@example.com")]
    enrollments = [enrollment(1, 1, "m1", "Completed", day(3)), enrollment(1, 2, "m1", "Not Started")]
    d = evaluate(people, [campaign(1, "A"), campaign(2, "B")], enrollments, pol, [], day(10)).decisions[0]
    row = d.to_dict()
    assert row == {
        "user_id": 1,
        "email": "user1@example.com",
        "name": "Pat Lee",
        "department": "Finance",
        "manager_email": "boss@example.com",
        "training": "security_awareness",
        "state": "incomplete",
        "compliant": False,
        "compliant_since": None,
        "late": False,
        "sticky": False,
        "campaigns": [
            {"campaign_id": 1, "name": "A", "complete": True, "completed_at": "2026-01-04T12:00:00+00:00",
             "outstanding_modules": []},
            {"campaign_id": 2, "name": "B", "complete": False, "completed_at": None,
             "outstanding_modules": ["Module m1"]},
        ],
    }  # fmt: skip
    assert json.loads(json.dumps(row)) == row  # JSON-ready without a custom encoder
    record = d.to_record()
    assert record["reason"] == d.reason
    assert record["rules"] == ["population_active_in_scope", "training_selected_campaigns_complete"]
    assert record["evidence_enrollment_ids"] == [enrollments[0].enrollment_id]
    assert record["campaigns"][0]["late"] is False
    json.dumps(record)


def test_rule_registry_is_keyed_by_module_name_and_validated() -> None:
    assert set(RULES) == {
        "population_active_in_scope",
        "training_selected_campaigns_complete",
        "training_new_hire_grace",
        "training_renewal_period",
        "training_compliance_sticky",
    }
    for rule_id, meta in RULES.items():
        assert meta.id == rule_id
        assert meta.auditor_text.endswith(".")
        assert meta.remediation.endswith(".")
    good = {"rationale": "r", "auditor_text": "a.", "remediation": "x.", "source": "s"}
    with pytest.raises(ValueError, match="Ensure"):
        RuleMetadata(id="training_x", title="Ensure people train", **good)
    with pytest.raises(ValueError, match="snake_case"):
        RuleMetadata(id="Training", title="People train", **good)
    with pytest.raises(ValueError, match="auditor_text"):
        RuleMetadata(id="training_x", title="People train", **{**good, "auditor_text": " "})


def test_frameworks_point_at_existing_rules_and_cover_the_known_trainings() -> None:
    assert {(f, r.id) for f, fw in FRAMEWORKS.items() for r in fw.requirements} == {
        ("soc2", "CC1.4"),
        ("soc2", "CC2.2"),
        ("iso27001", "A.6.3"),
        ("hipaa", "164.308(a)(5)"),
        ("nist_ai_rmf", "GOVERN 2.2"),
    }
    for fw in FRAMEWORKS.values():
        for req in fw.requirements:
            assert req.automated
            assert set(req.rules) <= set(RULES), (fw.id, req.id)
    assert set(DEFAULT_FRAMEWORKS) == set(KNOWN_TRAININGS)
    assert {f for fs in DEFAULT_FRAMEWORKS.values() for f in fs} == set(FRAMEWORKS)


def test_public_surface() -> None:
    assert sorted(compliance.__all__) == sorted(
        ["FRAMEWORKS", "KNOWN_TRAININGS", "RULES", "STATES", "Campaign", "CampaignResult", "Decision",
         "EnrollmentFact", "Evaluation", "Exclusion", "Finding", "Framework", "Person", "Requirement",
         "ResetChange", "ResetPlan", "RuleMetadata", "Scope", "State", "StickyRecord", "Training", "TrainingsConfig",
         "check", "evaluate", "expired_records", "load_trainings", "parse_trainings", "plan_reset", "reset_records",
         "resolve_campaigns"]
    )  # fmt: skip
    for name in compliance.__all__:
        assert getattr(compliance, name) is not None
