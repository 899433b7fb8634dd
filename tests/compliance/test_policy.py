"""Parsing [trainings.*] and [scope] from trainproof.toml, and resolving campaign names."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from compliance.builders import campaign
from trainproof.compliance import Scope, Training, TrainingsConfig, load_trainings, parse_trainings, resolve_campaigns
from trainproof.config import load_settings
from trainproof.errors import ConfigError

README_EXAMPLE = """
[trainings.security_awareness]      # also: hipaa, ai_awareness, or any custom key
title = "Security Awareness Training"
campaigns = [101, "Security Awareness 2026 - Part B"]   # campaign ids or exact names
renew_every_days = 365              # optional: compliance lapses this long after it was earned
new_hire_grace_days = 30            # optional: not yet due within N days of employee_start_date

[scope]
exclude_groups = [4567]
exclude_emails = ["svc-scanner@example.com"]
"""


def test_the_issue_example_parses(tmp_path: Path) -> None:
    path = tmp_path / "trainproof.toml"
    path.write_text(README_EXAMPLE)
    pol = load_trainings(load_settings(path, env={}))
    assert pol == TrainingsConfig(
        trainings=(
            Training(
                key="security_awareness",
                title="Security Awareness Training",
                campaigns=(101, "Security Awareness 2026 - Part B"),
                renew_every_days=365,
                new_hire_grace_days=30,
                frameworks=("soc2", "iso27001"),
            ),
        ),
        scope=Scope(exclude_groups=frozenset({4567}), exclude_emails=frozenset({"svc-scanner@example.com"})),
    )


def test_defaults_for_known_and_custom_keys() -> None:
    pol = parse_trainings(tomllib.loads('[trainings.hipaa]\ncampaigns = [7]\n[trainings.ai_awareness]\n'
                                    '[trainings.gdpr_basics]\ncampaigns = ["GDPR"]\nframeworks = []\n'))  # fmt: skip
    assert [(t.key, t.title, t.frameworks) for t in pol.trainings] == [
        ("hipaa", "HIPAA Training", ("hipaa",)),
        ("ai_awareness", "AI Awareness Training", ("nist_ai_rmf",)),
        ("gdpr_basics", "Gdpr Basics", ()),
    ]
    assert pol.training("ai_awareness").campaigns == ()  # allowed here; `check` reports it
    assert pol.scope == Scope()
    assert parse_trainings({}) == TrainingsConfig()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("trainings = 5",
         '[trainings] in trainproof.toml must be a table of trainings: write [trainings.security_awareness] '
         'with campaigns = [101, "Campaign name"]'),
        ("[trainings]\nsecurity_awareness = 3",
         "[trainings.security_awareness] in trainproof.toml must be a table: write [trainings.security_awareness] "
         "on its own line, then campaigns = [...]"),
        ('[trainings.security_awareness]\ncampaigns = "Annual"',
         '[trainings.security_awareness] campaigns must be a list of campaign ids or exact names: '
         'write campaigns = [101, "Security Awareness 2026 - Part B"]'),
        ("[trainings.hipaa]\ncampaigns = [1.5]",
         "[trainings.hipaa] campaigns has 1.5, which is neither a campaign id nor a name: write ids as numbers "
         'and names in quotes, e.g. campaigns = [101, "Annual Training"]'),
        ("[trainings.hipaa]\ncampaigns = [true]",
         "[trainings.hipaa] campaigns has True, which is neither a campaign id nor a name: write ids as numbers "
         'and names in quotes, e.g. campaigns = [101, "Annual Training"]'),
        ("[trainings.hipaa]\ncampaigns = [-4]",
         "[trainings.hipaa] campaigns has the id -4: campaign ids are positive numbers, e.g. 101"),
        ('[trainings.hipaa]\ncampaigns = ["  "]',
         "[trainings.hipaa] campaigns has an empty name: write the campaign's exact name or its id"),
        ("[trainings.hipaa]\nrenew_every_days = 0",
         "[trainings.hipaa] renew_every_days = 0 is not a positive whole number of days: write e.g. "
         "renew_every_days = 365, or remove the line"),
        ('[trainings.hipaa]\nnew_hire_grace_days = "30"',
         "[trainings.hipaa] new_hire_grace_days = '30' is not a non-negative whole number of days: write e.g. "
         "new_hire_grace_days = 30, or remove the line"),
        ("[trainings.hipaa]\nrenew_every_day = 365",
         "[trainings.hipaa] in trainproof.toml has an unknown key 'renew_every_day': did you mean renew_every_days?"),
        ('[trainings.hipaa]\ntitle = ""',
         '[trainings.hipaa] title must be text: write title = "HIPAA Training"'),
        ('[trainings.hipaa]\nframeworks = ["sox"]',
         "[trainings.hipaa] frameworks has unknown framework 'sox': use one of: hipaa, iso27001, nist_ai_rmf, soc2"),
        ('[trainings."sec awareness"]',
         "[trainings.sec awareness] in trainproof.toml: 'sec awareness' is not a usable training key: use letters, "
         "digits, _ or -, starting with a letter, e.g. [trainings.gdpr_awareness]"),
        ("scope = []",
         "[scope] in trainproof.toml must be a table: write [scope] on its own line, then exclude_groups = [...]"),
        ('[scope]\nexclude_groups = ["Contractors"]',
         "[scope] exclude_groups must be a list of KnowBe4 group ids: write exclude_groups = [4567]"),
        ('[scope]\nexclude_emails = ["svc-scanner"]',
         "[scope] exclude_emails must be a list of email addresses: write "
         'exclude_emails = ["svc-scanner@example.com"]'),
        ("[scope]\nexclude_users = [1]",
         "[scope] in trainproof.toml has an unknown key 'exclude_users': did you mean exclude_groups?"),
    ],
)  # fmt: skip
def test_bad_config_gives_one_clear_line(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_trainings(tomllib.loads(toml))
    assert info.value.message == message
    assert "\n" not in info.value.message
    assert info.value.exit_code == 2


def test_references_resolve_to_exactly_one_campaign() -> None:
    campaigns = [campaign(101, "Annual 2026"), campaign(102, "Phishing Basics"), campaign(103, "Phishing Basics"),
                 campaign(104, "HIPAA Refresher"), campaign(105, "Annual 2024"),
                 campaign(106, "Stopped", "Canceled")]  # fmt: skip
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": ["Annual 2026", 101, 106]},
                                      "hipaa": {"campaigns": ["HIPAA Refresher"]}}})  # fmt: skip
    resolved = resolve_campaigns(pol, campaigns)
    assert [t.campaign_ids for t in resolved.trainings] == [(101, 106), (104,)]  # the same campaign twice: once

    def fails(ref: Any) -> str:
        with pytest.raises(ConfigError) as info:
            resolve_campaigns(parse_trainings({"trainings": {"hipaa": {"campaigns": [ref]}}}), campaigns)
        assert info.value.exit_code == 2
        return info.value.message

    assert fails("annual 2026") == (
        "[trainings.hipaa] campaigns: no campaign is named 'annual 2026': write the exact name 'Annual 2026' or "
        "its id 101"
    )
    assert fails("Annual 2025") == (
        "[trainings.hipaa] campaigns: no campaign is named 'Annual 2025': did you mean 'Annual 2026' (id 101) or "
        "'Annual 2024' (id 105)? Names must match exactly; `trainproof api training-campaigns` lists them"
    )
    assert fails("Phishing Basics") == (
        "[trainings.hipaa] campaigns: the name 'Phishing Basics' matches 2 campaigns (ids 102, 103): write the id "
        "of the one meant instead, e.g. campaigns = [102]"
    )
    assert fails("Completely different") == (
        "[trainings.hipaa] campaigns: no campaign is named 'Completely different': names must match exactly; "
        "`trainproof api training-campaigns` lists them"
    )
    assert fails(1011) == (
        "[trainings.hipaa] campaigns: no campaign has id 1011: did you mean 'Annual 2026' (id 101)? "
        "`trainproof api training-campaigns` lists them"
    )
    # A name from KnowBe4 is data: quoted, control characters escaped, a long one cut.
    written = "Annual 2026 security awareness for every member of staff, part one"
    odd = [campaign(7, "Annual\x1b[2J 2026 security awareness for every member of staff,\npart one")]
    with pytest.raises(ConfigError) as info:
        resolve_campaigns(parse_trainings({"trainings": {"hipaa": {"campaigns": [written]}}}), odd)
    assert "\x1b" not in info.value.message
    assert "\n" not in info.value.message
    assert info.value.message.startswith(f"[trainings.hipaa] campaigns: no campaign is named {written!r}: ")
    assert "did you mean 'Annual\\x1b[2J 2026 security awareness for every member of staf…' (id 7)?" in (
        info.value.message
    )


def test_training_lookup_and_restriction() -> None:
    pol = parse_trainings({"trainings": {"security_awareness": {"campaigns": [1]}, "hipaa": {"campaigns": [2]}}})
    assert [t.key for t in pol.only(["hipaa"]).trainings] == ["hipaa"]
    assert pol.only(None) is pol
    with pytest.raises(ConfigError) as info:
        pol.training("gdpr")
    assert info.value.message == "unknown training 'gdpr': use one of: security_awareness, hipaa"
    with pytest.raises(ValueError, match="resolve_campaigns"):
        _ = parse_trainings({"trainings": {"hipaa": {"campaigns": ["HIPAA"]}}}).trainings[0].campaign_ids
