"""`trainproof export drata` against a Drata stand-in on 127.0.0.1: each certificate once, paced, failures in a line."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports._tenant import ts
from trainproof.config import load_settings
from trainproof.errors import ConfigError
from trainproof.exports.drata import drata_platform
from trainproof.store import open_store
from trainproof.store.exports import uploads

from .conftest import World
from .standins import DrataStandIn, serving

DrataFixture = tuple[DrataStandIn, str]
LATER = "2026-09-20T12:00:00Z"


def key(drata: DrataFixture, value: str | None = None) -> dict[str, str | None]:
    stand_in, url = drata
    return {"DRATA_BASE_URL": url, "DRATA_API_KEY": value if value is not None else stand_in.api_key}


def recorded(world: World) -> list[tuple[str, str]]:
    engine = open_store(f"sqlite:///{world.store}")
    try:
        return [(u.email, u.training) for u in uploads(engine, target="drata")]
    finally:
        engine.dispose()


def test_dry_run_lists_each_upload_and_sends_nothing(world: World, drata: DrataFixture) -> None:
    planned = world.ok("export", "drata", "--dry-run", "--format", "json", env=key(drata)).json()
    assert [(p["email"], p["type"], p["completionDate"]) for p in planned] == [
        ("ada@acme.example", "SEC_TRAINING", "2026-08-12T00:00:00Z"),
        ("sam@acme.example", "SEC_TRAINING", "2026-08-16T00:00:00Z"),
    ]
    assert all(p["training"] == "security_awareness" and p["file"].endswith(".pdf") for p in planned)
    assert drata[0].attempts == 0
    assert recorded(world) == []


def test_upload_then_rerun_uploads_nothing_twice(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    planned = world.ok("export", "drata", "--dry-run", "--format", "json", env=key(drata)).json()
    first = world.ok("export", "drata", env=key(drata))
    assert first.stdout.startswith("uploaded 2 certificate(s) to Drata")
    docs = {d.email: d for d in stand_in.documents}
    assert sorted(docs) == ["ada@acme.example", "sam@acme.example"]
    assert [(d.email, d.type, d.completion_date, d.filename) for d in stand_in.documents] == [
        (p["email"], p["type"], p["completionDate"], p["file"]) for p in planned
    ]
    text = PdfReader(io.BytesIO(docs["ada@acme.example"].content)).pages[0].extract_text()
    assert "Ada Astronaut" in text
    assert "Security Awareness Training" in text

    again = world.ok("export", "drata", env=key(drata))
    assert "nothing new to upload" in again.stdout
    assert len(stand_in.documents) == 2
    assert sorted(recorded(world)) == [
        ("ada@acme.example", "security_awareness"),
        ("sam@acme.example", "security_awareness"),
    ]

    # Wanda completes Campaign A: after the next sync she alone is newly compliant.
    world.sim.tenant.update(
        "enrollments", 21, status="Passed", start_date=ts("2026-09-10"), completion_date=ts("2026-09-10")
    )
    world.ok("sync", now=LATER)
    world.ok("export", "drata", env=key(drata), now=LATER)
    assert [d.email for d in stand_in.documents] == ["ada@acme.example", "sam@acme.example", "wanda@acme.example"]
    assert stand_in.documents[-1].completion_date == "2026-09-10T00:00:00Z"


def test_a_person_unknown_to_drata_is_named_and_the_others_uploaded(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    stand_in.people.discard("ada@acme.example")
    partial = world.run("export", "drata", env=key(drata))
    assert partial.code == 1
    assert partial.err_lines == [
        "certificate of ada@acme.example for security_awareness not uploaded to Drata: Drata has no person with "
        "this e-mail address (404): add or link them in Drata, then run again",
        "error: 1 of 2 certificate(s) not uploaded (named above): fix what each line says, then run again: the "
        "uploaded ones are not sent twice",
    ]
    assert [d.email for d in stand_in.documents] == ["sam@acme.example"]

    stand_in.people.add("ada@acme.example")
    world.ok("export", "drata", env=key(drata))
    assert [d.email for d in stand_in.documents] == ["sam@acme.example", "ada@acme.example"]


def test_a_rejected_key_stops_in_one_line_and_records_nothing(world: World, drata: DrataFixture) -> None:
    wrong = "drata_wrong_" + "7" * 24
    failed = world.run("export", "drata", env=key(drata, wrong))
    assert failed.code == 2
    assert failed.err_lines == [
        "error: Drata rejected the credentials (401 Unauthorized) when asked to upload the certificate of "
        "ada@acme.example: check DRATA_API_KEY (Drata > Settings > API Keys) and that it has not expired"
    ]
    assert recorded(world) == []
    assert wrong not in failed.stdout + failed.stderr


def test_not_licensed_stops_in_one_line(world: World, drata: DrataFixture) -> None:
    drata[0].licensed = False
    failed = world.run("export", "drata", env=key(drata))
    assert failed.code == 2
    assert failed.stderr.startswith(
        "error: Drata refused to upload the certificate of ada@acme.example (402 Payment Required): the key needs"
    )
    assert recorded(world) == []


def test_a_failure_halfway_keeps_what_drata_accepted(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    stand_in.fail_next.add(200)  # Ada's upload: accepted
    stand_in.fail_next.add(403)  # Sam's: the key lost its permission meanwhile
    failed = world.run("export", "drata", env=key(drata))
    assert failed.code == 2
    assert "Drata refused to upload the certificate of sam@acme.example (403 Forbidden)" in failed.stderr
    assert recorded(world) == [("ada@acme.example", "security_awareness")]

    world.ok("export", "drata", env=key(drata))
    assert [d.email for d in stand_in.documents] == ["sam@acme.example"]  # Ada is not sent twice


def test_uploads_stay_under_the_rate_limit(world: World) -> None:
    stand_in = DrataStandIn(people=("ada@acme.example", "sam@acme.example"), limit=1, window_s=0.5)
    world.add_config("\n[exports.drata]\nper_minute = 1\n")
    with serving(stand_in.app) as url:
        began = time.monotonic()
        world.ok("export", "drata", env={**key((stand_in, url + "/public/v2")), "TRAINPROOF_TIME_SCALE": "0.01"})
    assert len(stand_in.documents) == 2
    assert stand_in.too_many == 0  # paced: one a 0.6 s "minute", never over the stand-in's one per 0.5 s
    assert time.monotonic() - began >= 0.5


def test_429_waits_what_retry_after_asks(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    stand_in.fail_next.add(429, Retry_After="1")
    began = time.monotonic()
    world.ok("export", "drata", env=key(drata))
    assert time.monotonic() - began >= 1.0
    assert len(stand_in.documents) == 2


def test_429_past_the_retry_budget_stops_and_keeps_nothing_unsent(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    stand_in.fail_next.add(429, Retry_After="3600")
    failed = world.run("export", "drata", env=key(drata))
    assert failed.code == 1
    assert failed.stderr.startswith("error: Drata kept answering 429 Too Many Requests when asked to upload")
    assert "wait, then run the export again" in failed.stderr
    assert recorded(world) == []


def test_the_key_is_nowhere_trainproof_writes(world: World, drata: DrataFixture) -> None:
    stand_in, _ = drata
    runs = [
        world.run("--debug", "export", "drata", env=key(drata)),
        world.run("--debug", "export", "drata", "--dry-run", "--format", "json", env=key(drata)),
    ]
    stand_in.licensed = False
    runs.append(world.run("--debug", "export", "drata", env=key(drata)))
    for result in runs:
        assert stand_in.api_key not in result.stdout + result.stderr
    assert stand_in.api_key.encode() not in world.files_text()


def test_ai_awareness_is_not_uploaded(world: World, drata: DrataFixture) -> None:
    world.add_config("\n[trainings.ai_awareness]\ncampaigns = [101]\n")
    asked = world.run("export", "drata", "--training", "ai_awareness", "--dry-run", env=key(drata))
    assert asked.code == 2
    assert "Drata takes no uploaded evidence for training 'ai_awareness'" in asked.stderr
    every = world.ok("export", "drata", "--dry-run", "--format", "json", env=key(drata))
    assert "skipped training 'ai_awareness'" in every.stderr
    assert {p["training"] for p in every.json()} == {"security_awareness"}


def test_region_picks_drata_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DRATA_BASE_URL", raising=False)
    config = tmp_path / "trainproof.toml"
    for region, host in (("eu", "public-api.eu.drata.com"), ("apac", "public-api.apac.drata.com")):
        config.write_text(f'[exports.drata]\nregion = "{region}"\n', encoding="utf-8")
        assert drata_platform(load_settings(config)).base_url == f"https://{host}/public/v2"
    assert drata_platform(load_settings(None, env={})).base_url == "https://public-api.drata.com/public/v2"
    config.write_text('[exports.drata]\nregion = "mars"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="use one of us, eu, apac"):
        drata_platform(load_settings(config))
    monkeypatch.setenv("DRATA_BASE_URL", "http://drata.example.com/public/v2")
    with pytest.raises(ConfigError, match="unencrypted over plain HTTP"):
        drata_platform(load_settings(config))
