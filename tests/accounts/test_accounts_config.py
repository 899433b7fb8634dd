"""[accounts.NAME]: each account its own token, region, limits and state; trainings, scope and limits inherited."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainproof.accounts import load_accounts
from trainproof.compliance.trainings import load_trainings
from trainproof.errors import ConfigError

TWO = """
[knowbe4.limits]
per_second = 2
daily_base = 1500

[trainings.sat]
title = "Security Awareness"
campaigns = ["Annual SAT"]
renew_every_days = 365

[trainings.hipaa]
campaigns = ["HIPAA"]

[scope]
exclude_emails = ["svc@example.com"]

[accounts.acme]
title = "Acme Corp."
region = "eu"
token_env = "ACME_TOKEN"

[accounts.acme.limits]
per_second = 1

[accounts.acme.trainings.sat]
campaigns = [101]
renew_on = "01-15"

[accounts.globex]
base_url = "http://127.0.0.1:9"
token_keyring = "globex"

[accounts.globex.scope]
exclude_groups = [7]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trainproof.toml"
    path.write_text(text)
    return path


def test_each_account_has_its_own_settings(tmp_path: Path) -> None:
    env = {"ACME_TOKEN": "acme-secret", "TRAINPROOF_STATE_DIR": str(tmp_path / "state"), "TRAINPROOF_NO_KEYRING": "1"}
    accounts = load_accounts(_write(tmp_path, TWO), env=env)
    assert accounts.configured
    assert accounts.names == ["acme", "globex"]
    acme, globex = accounts.get("acme"), accounts.get("globex")
    assert (acme.title, globex.title) == ("Acme Corp.", "globex")
    assert acme.settings.account == "acme"
    assert globex.settings.account == "globex"
    assert (acme.settings.region, acme.settings.base_url) == ("eu", "https://eu.api.knowbe4.com")
    assert globex.settings.base_url == "http://127.0.0.1:9"
    token = acme.settings.require_token()
    assert token.get() == "acme-secret"
    assert "acme-secret" not in repr(acme) + str(acme.settings)
    assert globex.settings.token is None
    assert "keyring entry trainproof/globex" in globex.token_source
    # Limits: the account's own over [knowbe4.limits] over the defaults.
    assert (acme.settings.limits.per_second, acme.settings.limits.daily_base) == (1.0, 1500)
    assert (globex.settings.limits.per_second, globex.settings.limits.daily_base) == (2.0, 1500)
    # The daily budget file (and signing key) live in a folder per account.
    assert acme.settings.state_dir == tmp_path / "state" / "accounts" / "acme"
    assert acme.settings.database_url == globex.settings.database_url


def test_trainings_and_scope_inherited_key_by_key(tmp_path: Path) -> None:
    accounts = load_accounts(_write(tmp_path, TWO), env={"TRAINPROOF_NO_KEYRING": "1"})
    acme = accounts.get("acme").settings.raw
    globex = accounts.get("globex").settings.raw
    # acme's sat keeps the title, takes its own campaigns, and its renew_on replaces the inherited renew_every_days.
    assert acme["trainings"]["sat"] == {"title": "Security Awareness", "campaigns": [101], "renew_on": "01-15"}
    assert acme["trainings"]["hipaa"] == {"campaigns": ["HIPAA"]}
    assert globex["trainings"]["sat"]["campaigns"] == ["Annual SAT"]
    assert acme["scope"] == {"exclude_emails": ["svc@example.com"]}
    assert globex["scope"] == {"exclude_emails": ["svc@example.com"], "exclude_groups": [7]}
    assert "accounts" not in acme
    # The compliance use case reads the account's trainings as if they were the whole file.
    assert {t.key for t in load_trainings(accounts.get("acme").settings).trainings} == {"sat", "hipaa"}


def test_a_single_account_file_is_default_unchanged(tmp_path: Path) -> None:
    path = _write(tmp_path, '[knowbe4]\nregion = "ca"\n\n[trainings.sat]\ncampaigns = [1]\n')
    env = {"KNOWBE4_API_KEY": "k", "TRAINPROOF_STATE_DIR": str(tmp_path)}
    accounts = load_accounts(path, env=env)
    assert not accounts.configured
    assert accounts.names == ["default"]
    only = accounts.choose(None)
    assert only.settings.account == "default"
    assert only.settings.region == "ca"
    assert only.settings.state_dir == tmp_path  # the state folder of a single account does not move
    assert only.settings.require_token().get() == "k"


def test_the_environment_does_not_redirect_named_accounts(tmp_path: Path) -> None:
    env = {"KNOWBE4_API_KEY": "everyone", "KNOWBE4_BASE_URL": "http://127.0.0.1:1", "TRAINPROOF_NO_KEYRING": "1"}
    acme = load_accounts(_write(tmp_path, TWO), env=env).get("acme").settings
    assert acme.base_url == "https://eu.api.knowbe4.com"
    assert acme.token is None


def test_default_token_variable_is_named_after_the_account(tmp_path: Path) -> None:
    text = '[accounts.big-co]\nregion = "us"\n'
    account = load_accounts(_write(tmp_path, text), env={"KNOWBE4_API_KEY__BIG_CO": "t"}).get("big-co")
    assert account.token_source == "KNOWBE4_API_KEY__BIG_CO"
    assert account.has_token


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[accounts.acme]\ntoken_evn = "X"\n',
            "[accounts.acme] in trainproof.toml has an unknown key 'token_evn': did you mean token_env?",
        ),
        ("[accounts.acme.limits]\nper_secnd = 1\n", "did you mean per_second?"),
        ("[accounts.acme.trainings.sat]\ncampaign = [1]\n", "did you mean campaigns?"),
        ("[accounts.acme.scop]\nexclude_groups = [1]\n", "did you mean scope?"),
        ('[accounts.Acme]\nregion = "us"\n', "an account name is lower-case letters"),
        ('[accounts.acme]\nregion = "mars"\n', "unknown KnowBe4 region 'mars'"),
        ('[accounts.acme]\nbase_url = "https://example.com"\n', "is not a KnowBe4 API host"),
        ('[accounts.acme]\nbase_url = "http://169.254.169.254"\n', "cloud-metadata"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_accounts(_write(tmp_path, text), env={})
    assert expected in info.value.message.replace(str(tmp_path / "trainproof.toml"), "trainproof.toml")


def test_choosing_an_account(tmp_path: Path) -> None:
    accounts = load_accounts(_write(tmp_path, TWO), env={"TRAINPROOF_NO_KEYRING": "1"})
    assert accounts.choose("globex").name == "globex"
    with pytest.raises(ConfigError, match=r"has 2 accounts \(acme, globex\): say which with --account NAME"):
        accounts.choose(None)
    with pytest.raises(ConfigError, match="no account 'initech': the accounts are acme, globex"):
        accounts.choose("initech")
