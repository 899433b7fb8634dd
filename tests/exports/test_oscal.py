"""`trainproof export oscal`: a document compliance-trestle accepts, the same bytes every run, citing its pack."""

from __future__ import annotations

import hashlib
import json
import zipfile
from typing import Any

from trestle.oscal.assessment_results import AssessmentResults

from reports._tenant import ts

from .conftest import World

DAY = "2026-09-01"
LATER = "2026-09-20T12:00:00Z"


def pack(world: World, name: str = "pack.zip", as_of: str = DAY, training: str = "security_awareness") -> str:
    world.ok("evidence", "--training", training, "--as-of", as_of, "--out", name, "--overwrite")
    return name


def oscal(world: World, *args: str, now: str = LATER) -> dict[str, Any]:
    return world.ok("export", "oscal", "--training", "security_awareness", *args, now=now).json()


def test_the_document_validates_and_is_byte_identical_across_runs(world: World) -> None:
    cited = pack(world)
    world.ok("export", "oscal", "--training", "security_awareness", "--pack", cited, "--out", "one.json", now=LATER)
    # Later: KnowBe4 changes and a sync runs; the answer as of DAY does not.
    world.sim.tenant.update(
        "enrollments", 21, status="Passed", start_date=ts("2026-09-10"), completion_date=ts("2026-09-10")
    )
    world.ok("sync", now=LATER)
    world.ok("export", "oscal", "--training", "security_awareness", "--pack", cited, "--out", "two.json", now=LATER)
    one, two = (world.root / "one.json").read_bytes(), (world.root / "two.json").read_bytes()
    assert one == two

    document = json.loads(one)["assessment-results"]
    model = AssessmentResults.model_validate(document)
    result = model.results[0]
    assert document["metadata"]["oscal-version"] == "1.1.2"
    assert len(result.observations or []) == 4
    assert {o.methods[0] for o in result.observations or []} == {"EXAMINE"}
    targets = {f.target.target_id: f.target.status.state.value for f in result.findings or []}
    assert targets == {"soc2-cc1.4": "not-satisfied", "soc2-cc2.2": "not-satisfied", "iso27001-a.6.3": "not-satisfied"}


def test_observations_cite_the_pack_by_its_sha256(world: World) -> None:
    cited = pack(world)
    doc = oscal(world, "--pack", cited, "--dry-run")["assessment-results"]
    digest = hashlib.sha256((world.root / cited).read_bytes()).hexdigest()
    (resource,) = doc["back-matter"]["resources"]
    assert resource["rlinks"] == [
        {"href": cited, "media-type": "application/zip", "hashes": [{"algorithm": "SHA-256", "value": digest}]}
    ]
    observations = {o["subjects"][0]["title"]: o for o in doc["results"][0]["observations"]}
    ada = observations["Ada Astronaut"]
    assert ada["collected"] == "2026-09-01T23:59:59Z"
    (evidence,) = ada["relevant-evidence"]
    assert evidence["href"] == f"#{resource['uuid']}"
    assert digest in evidence["description"]
    with zipfile.ZipFile(world.root / cited) as zf:
        certificates = [n for n in zf.namelist() if n.startswith("certificates/")]
    assert any(name in evidence["description"] for name in certificates)  # the certificate inside the pack
    parties = {p["uuid"]: p for p in doc["metadata"]["parties"]}
    assert parties[ada["subjects"][0]["subject-uuid"]]["email-addresses"] == ["ada@acme.example"]


def test_controls_come_from_the_frameworks_setting(world: World) -> None:
    world.config.write_text(
        world.config.read_text().replace("campaigns = [101, 102]", 'campaigns = [102]\nframeworks = ["hipaa"]'),
        encoding="utf-8",
    )
    cited = pack(world)
    doc = oscal(world, "--pack", cited, "--dry-run")["assessment-results"]
    AssessmentResults.model_validate(doc)
    (finding,) = doc["results"][0]["findings"]
    assert finding["target"]["target-id"] == "hipaa-164.308-a-5"
    assert finding["title"].startswith("HIPAA Security Rule 164.308(a)(5)")
    assert finding["target"]["status"]["state"] == "not-satisfied"  # Nia has not completed Campaign B

    world.sim.tenant.update(
        "enrollments", 42, status="Passed", start_date=ts("2026-08-20"), completion_date=ts("2026-08-20")
    )
    world.ok("sync", now=LATER)
    cited = pack(world, "later.zip", as_of=LATER)  # as of when the store learned it
    later = oscal(world, "--pack", cited, "--dry-run")["assessment-results"]
    assert later["results"][0]["findings"][0]["target"]["status"]["state"] == "satisfied"


def test_a_pack_of_another_date_or_an_altered_pack_is_refused(world: World) -> None:
    cited = pack(world)
    other = world.run(
        "export",
        "oscal",
        "--training",
        "security_awareness",
        "--pack",
        cited,
        "--as-of",
        "2026-08-20",
        "--out",
        "x.json",
        now=LATER,
    )
    assert other.code == 2
    assert other.err_lines[0].startswith(
        "error: pack.zip is the evidence as of 2026-09-01T23:59:59Z, not 2026-08-20T23:59:59Z"
    )
    with zipfile.ZipFile(world.root / cited) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["population.csv"] = members["population.csv"].replace(b"incomplete", b"compliant")
    with zipfile.ZipFile(world.root / "altered.zip", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    altered = world.run(
        "export", "oscal", "--training", "security_awareness", "--pack", "altered.zip", "--out", "x.json", now=LATER
    )
    assert altered.code == 1
    assert altered.err_lines[0].startswith("error: altered.zip failed verification: population.csv")
    assert not (world.root / "x.json").exists()
