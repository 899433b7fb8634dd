"""`trainproof export vanta` against a Vanta stand-in on 127.0.0.1: what is sent, when, and how it fails."""

from __future__ import annotations

import json
import time

from .conftest import EMAILS, World
from .standins import VantaStandIn

VantaFixture = tuple[VantaStandIn, str]


def creds(vanta: VantaFixture, *, secret: str | None = None) -> dict[str, str | None]:
    stand_in, url = vanta
    return {
        "VANTA_BASE_URL": url,
        "VANTA_CLIENT_ID": stand_in.client_id,
        "VANTA_CLIENT_SECRET": secret if secret is not None else stand_in.client_secret,
    }


def test_dry_run_prints_exactly_what_a_push_sends_and_sends_nothing(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    planned = world.ok("export", "vanta", "--dry-run", "--format", "json", env=creds(vanta)).json()
    assert stand_in.token_requests == []
    assert stand_in.put_attempts == 0

    world.ok("export", "vanta", "--push", env=creds(vanta))
    assert stand_in.puts == planned  # byte for byte the body the dry run showed


def test_a_push_carries_the_whole_population_with_the_decisions_of_status(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    pushed = world.ok("export", "vanta", "--push", env=creds(vanta))
    assert "pushed 4 records (security_awareness) to Vanta resource res-1" in pushed.stdout

    records = {r["traineeEmail"]: r for r in stand_in.resources["res-1"]}
    assert sorted(records) == sorted(EMAILS)  # everyone in scope, compliant or not
    compliant = {"ada@acme.example", "sam@acme.example"}  # the tenant's two who completed both campaigns
    for user_id, email in enumerate(EMAILS, start=1):
        record = records[email]
        assert record["status"] == ("COMPLETE" if email in compliant else "INCOMPLETE")
        assert record["trainingId"] == "security_awareness"
        assert record["trainingName"] == "Security Awareness Training"
        assert record["frameworksFulfilled"] == ["SOC2", "ISO27001"]
        assert record["uniqueId"] == f"security_awareness:{user_id}"
    ada = records["ada@acme.example"]
    assert ada["trainingCompletedTimestamp"] == "2026-08-12T00:00:00Z"  # Drata's rule: the last module done
    assert ada["trainingCreatedTimestamp"] == "2026-08-01T00:00:00Z"
    assert ada["traineeFullName"] == "Ada Astronaut"
    assert "trainingCompletedTimestamp" not in records["nia@acme.example"]  # no value: left out, not null
    assert stand_in.token_requests[0]["scope"] == "connectors.self:write-resource"


def test_an_empty_population_is_refused_before_anything_is_sent(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    world.ok("export", "vanta", "--push", env=creds(vanta))
    world.add_config(f"\n[scope]\nexclude_emails = {json.dumps(list(EMAILS))}\n")

    refused = world.run("export", "vanta", "--push", env=creds(vanta))
    assert refused.code == 1
    assert refused.err_lines == [
        "error: no one is in scope for security_awareness: a push would delete every security_awareness record "
        "of Vanta resource res-1: nothing was sent; check that the store is synced (`trainproof sync`) and [scope] "
        "excludes no one by mistake"
    ]
    assert len(stand_in.puts) == 1  # Vanta still holds the last full set
    assert len(stand_in.resources["res-1"]) == 4


def test_one_training_of_a_shared_resource_is_refused(world: World, vanta: VantaFixture) -> None:
    world.add_config("\n[trainings.hipaa]\ncampaigns = [101]\n")
    refused = world.run("export", "vanta", "--training", "hipaa", "--push", env=creds(vanta))
    assert refused.code == 2
    assert "shares Vanta resource res-1 with security_awareness" in refused.stderr
    assert vanta[0].put_attempts == 0

    world.add_config('\n[exports.vanta.trainings.hipaa]\nresource_id = "res-2"\n')
    vanta[0].resources["res-2"] = []
    world.ok("export", "vanta", "--training", "hipaa", "--push", env=creds(vanta))
    assert {r["trainingId"] for r in vanta[0].resources["res-2"]} == {"hipaa"}
    assert vanta[0].resources["res-1"] == []  # untouched


def test_a_training_with_its_own_resource_needs_no_shared_one(world: World, vanta: VantaFixture) -> None:
    world.config.write_text(world.config.read_text().replace('[exports.vanta]\nresource_id = "res-1"\n', ""))
    world.add_config('\n[trainings.hipaa]\ncampaigns = [101]\n[exports.vanta.trainings.hipaa]\nresource_id = "res-1"\n')
    world.ok("export", "vanta", "--training", "hipaa", "--push", env=creds(vanta))
    assert {r["trainingId"] for r in vanta[0].resources["res-1"]} == {"hipaa"}
    every = world.run("export", "vanta", "--push", env=creds(vanta))
    assert every.code == 2
    assert every.stderr.startswith("error: no Vanta resource id for training 'security_awareness': add [exports.vanta]")


def test_bad_credentials_fail_in_one_line_without_the_secret(world: World, vanta: VantaFixture) -> None:
    wrong = "vcs_wrong_" + "9" * 24
    failed = world.run("export", "vanta", "--push", env=creds(vanta, secret=wrong))
    assert failed.code == 2
    assert failed.err_lines == [
        "error: Vanta rejected the client credentials (HTTP 401): check VANTA_CLIENT_ID and VANTA_CLIENT_SECRET "
        "(Vanta > Settings > Developer Console)"
    ]
    assert wrong not in failed.stdout + failed.stderr
    assert vanta[0].put_attempts == 0


def test_missing_credentials_say_where_to_find_them(world: World, vanta: VantaFixture) -> None:
    failed = world.run("export", "vanta", "--push", env={**creds(vanta), "VANTA_CLIENT_SECRET": None})
    assert failed.code == 2
    assert failed.stderr.startswith("error: no VANTA_CLIENT_SECRET: set VANTA_CLIENT_SECRET")


def test_not_licensed_is_one_line_with_what_to_do(world: World, vanta: VantaFixture) -> None:
    vanta[0].licensed = False
    failed = world.run("export", "vanta", "--push", env=creds(vanta))
    assert failed.code == 2
    assert failed.err_lines == [
        "error: Vanta refused to replace the 4 records of resource res-1 (402 Payment Required): the application "
        "needs the scope connectors.self:write-resource and the resource must belong to it"
    ]


def test_an_unknown_resource_names_the_setting(world: World, vanta: VantaFixture) -> None:
    world.config.write_text(world.config.read_text().replace('"res-1"', '"res-9"'), encoding="utf-8")
    failed = world.run("export", "vanta", "--push", env=creds(vanta))
    assert failed.code == 2
    assert "Vanta has no resource res-9 for this application: add [exports.vanta] resource_id" in failed.stderr


def test_429_waits_what_retry_after_asks_then_succeeds(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    stand_in.fail_next.add(429, Retry_After="1")
    began = time.monotonic()
    world.ok("export", "vanta", "--push", env=creds(vanta))
    assert time.monotonic() - began >= 1.0
    assert stand_in.put_attempts == 2
    assert len(stand_in.resources["res-1"]) == 4


def test_429_asking_past_the_retry_budget_stops_at_once(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    stand_in.fail_next.add(429, Retry_After="3600")
    began = time.monotonic()
    failed = world.run("export", "vanta", "--push", env=creds(vanta))
    assert time.monotonic() - began < 30
    assert failed.code == 1
    assert failed.stderr.startswith("error: Vanta kept answering 429 Too Many Requests when asked to replace")
    assert "it last asked to wait 3600 s" in failed.stderr
    assert stand_in.puts == []


def test_credentials_are_nowhere_trainproof_writes(world: World, vanta: VantaFixture) -> None:
    stand_in, _ = vanta
    results = [
        world.run("--debug", "export", "vanta", "--push", env=creds(vanta)),
        world.run("--debug", "export", "vanta", "--push", env=creds(vanta, secret="vcs_nope_" + "1" * 20)),
    ]
    tokens = set(stand_in.tokens)
    assert tokens
    written = world.files_text()
    for value in (stand_in.client_secret, *tokens):
        for result in results:
            assert value not in result.stdout + result.stderr
        assert value.encode() not in written
