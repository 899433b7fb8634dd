"""trainproof.toml: every table and key is known, every value of the right kind; mistakes are one line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from reports._cli import run
from trainproof.config import Limits, load_settings
from trainproof.config_keys import TABLES
from trainproof.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def error_of(tmp_path: Path, text: str) -> str:
    path = tmp_path / "trainproof.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    return info.value.message.replace(str(path), "trainproof.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[knowbe4]\nbase_ulr = "http://127.0.0.1:1"\n',
            "[knowbe4] in trainproof.toml has an unknown key 'base_ulr': did you mean base_url?",
        ),
        (
            '[knowbe4]\nregoin = "eu"\n',
            "[knowbe4] in trainproof.toml has an unknown key 'regoin': did you mean region?",
        ),
        ('[strore]\nurl = "sqlite:///x.db"\n', "trainproof.toml has an unknown table [strore]: did you mean [store]?"),
        (
            "[knowbe4.limits]\nper_secnd = 2\n",
            "[knowbe4.limits] in trainproof.toml has an unknown key 'per_secnd': did you mean per_second?",
        ),
        (
            "[knowbe4.limit]\nper_second = 2\n",
            "[knowbe4] in trainproof.toml has an unknown key 'limit': did you mean limits?",
        ),
        (
            "[trainigs.hipaa]\ncampaigns = [1]\n",
            "trainproof.toml has an unknown table [trainigs]: did you mean [trainings]?",
        ),
        (
            "[trainings.hipaa]\ncampaign = [1]\n",
            "[trainings.hipaa] in trainproof.toml has an unknown key 'campaign': did you mean campaigns?",
        ),
        ("[sync]\nphishng = false\n", "[sync] in trainproof.toml has an unknown key 'phishng': did you mean phishing?"),
        ("[smtp]\nfrom_ = 'a@b.c'\n", "[smtp] in trainproof.toml has an unknown key 'from_': did you mean from?"),
        (
            "[mcp]\nzzz = 1\n",
            "[mcp] in trainproof.toml has an unknown key 'zzz': use one of: source, cache_seconds, "
            "retry_budget_s, live_compliance_max_requests",
        ),
        ('region = "eu"\n', "trainproof.toml has the key 'region' outside any table: put it under [knowbe4]"),
        ("store = 3\n", "store in trainproof.toml must be a table: write [store] on its own line, then its keys"),
        (
            "[trainings]\nhipaa = [1]\n",
            "[trainings] hipaa in trainproof.toml must be a table: write [trainings.hipaa] on its own line, "
            'then campaigns = [101, "Campaign name"]',
        ),
    ],
)
def test_unknown_tables_and_keys_name_the_nearest_known_one(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("per_second = nan", "per_second in trainproof.toml is nan, not a finite number: write e.g. per_second = 4"),
        ("per_minute = inf", "per_minute in trainproof.toml is inf, not a finite number: write e.g. per_minute = 50"),
        ("per_second = -inf", "per_second in trainproof.toml is -inf, not a finite number"),
        ("per_second = 0", "per_second in trainproof.toml is 0; it must be above 0: write e.g. per_second = 4"),
        ("timeout_s = -1", "timeout_s in trainproof.toml is -1; it must be above 0: write e.g. timeout_s = 30"),
        ("retry_budget_s = 0.0", "retry_budget_s in trainproof.toml is 0.0; it must be above 0"),
        ("request_deadline_s = -5", "request_deadline_s in trainproof.toml is -5; it must be above 0"),
        ("request_deadline_s = nan", "request_deadline_s in trainproof.toml is nan, not a finite number"),
        ("max_response_bytes = 0", "max_response_bytes in trainproof.toml is 0; it must be at least 1"),
        ("max_response_bytes = 1.5", "max_response_bytes in trainproof.toml is 1.5, not a whole number"),
        ("retry_attempts = 0", "retry_attempts in trainproof.toml is 0; it must be at least 1"),
        ("daily_base = -1", "daily_base in trainproof.toml is -1; it must be at least 0"),
        ('per_second = "4"', 'per_second in trainproof.toml is "4" (text), not a number: write e.g. per_second = 4'),
        ("time_scale = true", "time_scale in trainproof.toml is true, not a number"),
    ],
)
def test_limits_must_be_finite_and_in_range(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, f"[knowbe4.limits]\n{text}\n").startswith("[knowbe4.limits] " + expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[smtp]\nport = 70000\n", "[smtp] port in trainproof.toml is 70000; it must be between 1 and 65535"),
        ('[smtp]\nstarttls = "false"\n', '[smtp] starttls in trainproof.toml is "false" (text), not true or false'),
        ("[smtp]\ntimeout_s = nan\n", "[smtp] timeout_s in trainproof.toml is nan, not a finite number"),
        ("[mcp]\ncache_seconds = nan\n", "[mcp] cache_seconds in trainproof.toml is nan, not a finite number"),
        ("[mcp]\nretry_budget_s = 0\n", "[mcp] retry_budget_s in trainproof.toml is 0; it must be above 0"),
        ('[sync]\ngroups = "yes"\n', '[sync] groups in trainproof.toml is "yes" (text), not true or false'),
        ("[store]\nurl = 5\n", "[store] url in trainproof.toml is 5, not text in quotes"),
        ('[knowbe4]\nallow_custom_base_url = "yes"\n', "[knowbe4] allow_custom_base_url in trainproof.toml is"),
        ("[knowbe4.region]\nx = 1\n", "[knowbe4] region in trainproof.toml is a table, not text in quotes"),
        ("[trainings.hipaa]\ncampaigns = 101\n", "[trainings.hipaa] campaigns in trainproof.toml is 101, not a list"),
        ("[trainings.hipaa]\nrenew_every_days = 1.5\n", "[trainings.hipaa] renew_every_days in trainproof.toml is 1.5"),
    ],
)
def test_values_of_the_wrong_kind_are_named(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


def test_custom_trainings_and_every_documented_key_load(tmp_path: Path) -> None:
    """The README's complete trainproof.toml loads, with a custom training beside Drata's three."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"A complete `trainproof.toml`:\n\n```toml\n(.*?)```", readme, re.S)
    assert block is not None
    path = tmp_path / "trainproof.toml"
    path.write_text(block.group(1) + '\n[trainings.gdpr-awareness]\ncampaigns = [7]\nframeworks = ["soc2"]\n')
    settings = load_settings(path, env={})
    assert settings.region == "eu"
    assert settings.limits.per_second == 4.0
    assert isinstance(settings.limits.per_second, float)
    assert set(settings.table("trainings")) == {"security_awareness", "gdpr-awareness"}


def test_limits_table_declares_every_limit() -> None:
    assert list(TABLES["knowbe4.limits"]) == [f.name for f in dataclasses.fields(Limits)]


def test_every_table_the_code_reads_is_declared() -> None:
    """Each `.table("name")` in src/ (outside the simulator's own tables) is a table config_keys knows."""
    src = ROOT / "src" / "trainproof"
    read: set[str] = set()
    for file in src.rglob("*.py"):
        if "simulator" in file.parts:
            continue
        read.update(re.findall(r"(?:settings|cfg|settings\(\))\.table\(\"([a-z_.]+)\"\)", file.read_text()))
    assert read, "no table reads found: the pattern is stale"
    assert read <= set(TABLES), read - set(TABLES)


def test_environment_time_scale_is_checked(tmp_path: Path) -> None:
    for bad in ("nan", "inf", "-1", "0", "fast"):
        with pytest.raises(ConfigError, match=f"TRAINPROOF_TIME_SCALE '{bad}' is not a positive number"):
            load_settings(None, env={"TRAINPROOF_TIME_SCALE": bad})
    assert load_settings(None, env={"TRAINPROOF_TIME_SCALE": "0.01"}).limits.time_scale == 0.01


@pytest.mark.parametrize(
    "text", ["[knowbe4.limits]\nper_second = nan\n", "[strore]\nurl = 'x'\n", "[smtp]\nport = -1\n"]
)
def test_cli_prints_one_line_and_exits_2(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "trainproof.toml").write_text(text)
    code, out, err = run(["status"], capsys, monkeypatch)
    assert (code, out) == (2, "")
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
