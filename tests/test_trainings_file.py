"""trainproof.toml edited as a person wrote it: comments, order and layout kept; nothing commands refuse written."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from trainproof.errors import ConfigError
from trainproof.trainings_file import TrainingsFile, comment_text

WRITTEN = """\
# Acme's trainproof configuration
[knowbe4]
region = "eu"  # our console is eu.knowbe4.com

# Annual training, agreed with the auditor
[trainings.security_awareness]
campaigns = [
  101,  # Annual 2026
  "Part B",
]
renew_every_days = 365

[trainings.hipaa]
campaigns = [401]   # HIPAA for the clinic
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "trainproof.toml"
    path.write_text(WRITTEN, encoding="utf-8")
    return path


def test_reading_and_an_unconfirmed_edit_leave_the_file_byte_identical(config: Path) -> None:
    f = TrainingsFile.read(config)
    assert f.keys() == ("security_awareness", "hipaa")
    assert f.refs("security_awareness") == (101, "Part B")
    assert not f.changed
    f.select("hipaa", [402])
    assert f.changed
    assert config.read_bytes() == WRITTEN.encode()  # nothing is written until save()


def test_select_appends_in_the_list_own_layout_and_keeps_every_comment(config: Path) -> None:
    f = TrainingsFile.read(config)
    f.select("security_awareness", [202, 101], names={202: "Phishing Refresher"})
    f.select("hipaa", ["HIPAA 2026"])
    f.save()
    text = config.read_text(encoding="utf-8")
    assert text == WRITTEN.replace('  "Part B",\n', '  "Part B",\n  202, # Phishing Refresher\n').replace(
        "[401]", '[401, "HIPAA 2026"]'
    )
    assert tomllib.loads(text)["trainings"]["security_awareness"]["campaigns"] == [101, "Part B", 202]


def test_unselect_removes_only_the_reference_given(config: Path) -> None:
    f = TrainingsFile.read(config)
    f.unselect("security_awareness", [101])
    f.save()
    text = config.read_text(encoding="utf-8")
    assert "101" not in text
    assert "# Annual training, agreed with the auditor" in text
    assert "# HIPAA for the clinic" in text
    assert tomllib.loads(text)["trainings"]["security_awareness"]["campaigns"] == ["Part B"]


def test_add_and_remove_a_training(config: Path) -> None:
    f = TrainingsFile.read(config)
    f.add_training("gdpr", title="GDPR Awareness")
    f.add_training("ai_awareness", title="AI Awareness Training")  # the default title is not written
    f.remove_training("hipaa")
    f.save()
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["trainings"]["gdpr"] == {"title": "GDPR Awareness", "campaigns": []}
    assert data["trainings"]["ai_awareness"] == {"campaigns": []}
    assert "hipaa" not in data["trainings"]
    with pytest.raises(ConfigError, match=r"\[trainings.gdpr\] already exists"):
        f.add_training("gdpr")
    with pytest.raises(ConfigError, match=r"no training \[trainings.hipaa\]"):
        f.remove_training("hipaa")


def test_renewal_and_grace_replace_each_other(config: Path) -> None:
    f = TrainingsFile.read(config)
    f.set_renewal("security_awareness", every_days=180)
    f.set_grace("security_awareness", 30)
    assert f.raw()["trainings"]["security_awareness"] == {
        "campaigns": [101, "Part B"],
        "renew_every_days": 180,
        "new_hire_grace_days": 30,
    }
    f.set_renewal("security_awareness")
    f.set_grace("security_awareness", None)
    assert f.raw()["trainings"]["security_awareness"] == {"campaigns": [101, "Part B"]}


def test_an_edit_commands_would_refuse_is_refused_before_writing(config: Path) -> None:
    f = TrainingsFile.read(config)
    f.add_training("9lives")
    with pytest.raises(ConfigError, match="not a usable training key"):
        f.save()
    assert config.read_bytes() == WRITTEN.encode()
    with pytest.raises(ConfigError, match=r"no training \[trainings.gdpr\]"):
        TrainingsFile.read(config).select("gdpr", [1])


def test_a_new_file_is_owner_only_and_names_come_in_as_one_line_comments(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "trainproof.toml"
    f = TrainingsFile.new(path)
    f.set_value("knowbe4", "region", "uk")
    f.add_training("security_awareness")
    f.select("security_awareness", [7, 8], names={7: "Annual\n[trainings.evil]\nx = 1", 8: "B" * 200})
    f.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"knowbe4": {"region": "uk"}, "trainings": {"security_awareness": {"campaigns": [7, 8]}}}
    assert "# Annual [trainings.evil] x = 1" in path.read_text(encoding="utf-8")
    assert comment_text("B" * 200).endswith("…")
    assert len(comment_text("B" * 200)) == 70


def test_a_missing_or_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `trainproof init`"):
        TrainingsFile.read(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[trainings\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        TrainingsFile.read(bad)
