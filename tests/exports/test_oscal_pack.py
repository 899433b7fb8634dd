"""`trainproof export oscal` without --pack: the evidence pack is built beside the document and kept while
it holds the same evidence, so two runs give the same bytes although a pack records when it was built."""

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
NEXT_DAY = "2026-09-21T08:30:00Z"  # a fresh build now would carry another time in README and certificates
OSCAL = ("export", "oscal", "--training", "security_awareness")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cited(document: bytes) -> dict[str, Any]:
    (resource,) = json.loads(document)["assessment-results"]["back-matter"]["resources"]
    (link,) = resource["rlinks"]
    return link


def test_two_runs_give_the_same_document_and_pack_and_the_pack_is_the_evidence_commands(world: World) -> None:
    first = world.ok(*OSCAL, "--as-of", DAY, "--out", "results.json", now=LATER)
    pack = world.root / "results.evidence.zip"  # beside the document, named after it
    one, pack_one = (world.root / "results.json").read_bytes(), pack.read_bytes()
    assert first.err_lines[0] == f"wrote evidence pack results.evidence.zip (SHA-256 {sha256(pack_one)})"
    assert first.err_lines[1].startswith("wrote results.json: 4 observation(s), 3 finding(s)")

    # The next day, after KnowBe4 changed and a sync ran: the evidence as of DAY is the same.
    world.sim.tenant.update(
        "enrollments", 21, status="Passed", start_date=ts("2026-09-10"), completion_date=ts("2026-09-10")
    )
    world.ok("sync", now=NEXT_DAY)
    second = world.ok(*OSCAL, "--as-of", DAY, "--out", "results.json", now=NEXT_DAY)
    assert second.err_lines[0] == f"kept evidence pack results.evidence.zip (SHA-256 {sha256(pack_one)})"
    assert (world.root / "results.json").read_bytes() == one
    assert pack.read_bytes() == pack_one

    model = AssessmentResults.model_validate(json.loads(one)["assessment-results"])
    assert len(model.results[0].observations or []) == 4
    assert cited(one) == {
        "href": "results.evidence.zip",
        "media-type": "application/zip",
        "hashes": [{"algorithm": "SHA-256", "value": sha256(pack_one)}],
    }
    # The very pack `trainproof evidence` builds at that time, and it verifies under this installation's key.
    world.ok("evidence", "--training", "security_awareness", "--as-of", DAY, "--out", "evidence.zip", now=LATER)
    assert (world.root / "evidence.zip").read_bytes() == pack_one
    key = world.ok("evidence", "key").stdout
    (world.root / "key.pem").write_text(key, encoding="utf-8")
    verified = world.ok("evidence", "verify", str(pack), "--public-key", "key.pem")
    assert "OK, signed by the key given" in verified.out_lines[0]


def test_a_pack_that_no_longer_holds_the_evidence_is_replaced(world: World) -> None:
    world.ok(*OSCAL, "--as-of", DAY, "--out", "results.json", now=LATER)
    pack = world.root / "results.evidence.zip"
    before_doc, before_pack = (world.root / "results.json").read_bytes(), pack.read_bytes()

    # Another selection: Campaign B alone decides, so the same day has other decisions.
    world.config.write_text(
        world.config.read_text().replace("campaigns = [101, 102]", "campaigns = [102]"), encoding="utf-8"
    )
    changed = world.ok(*OSCAL, "--as-of", DAY, "--out", "results.json", now=LATER)
    after_doc, after_pack = (world.root / "results.json").read_bytes(), pack.read_bytes()
    assert changed.err_lines[0] == f"replaced evidence pack results.evidence.zip (SHA-256 {sha256(after_pack)})"
    assert after_pack != before_pack
    assert after_doc != before_doc
    assert cited(after_doc)["hashes"][0]["value"] == sha256(after_pack)
    AssessmentResults.model_validate(json.loads(after_doc)["assessment-results"])

    # A pack edited after it was written is not cited: it is rebuilt.
    with zipfile.ZipFile(pack) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["population.csv"] = members["population.csv"].replace(b"incomplete", b"compliant")
    with zipfile.ZipFile(pack, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    edited = world.ok(*OSCAL, "--as-of", DAY, "--out", "results.json", now=LATER)
    assert edited.err_lines[0].startswith("replaced evidence pack results.evidence.zip")
    assert pack.read_bytes() == after_pack  # the same clock builds the same bytes
    assert (world.root / "results.json").read_bytes() == after_doc


def test_dry_run_writes_nothing_and_cites_a_pack_that_is_already_there(world: World) -> None:
    dry = world.run(*OSCAL, "--as-of", DAY, "--out", "out/results.json", "--dry-run", now=LATER)
    assert dry.code == 0, dry.stderr
    assert dry.err_lines[0].startswith("would write evidence pack out/results.evidence.zip")
    assert "nothing was written" in dry.err_lines[1]
    assert not (world.root / "out").exists()
    AssessmentResults.model_validate(json.loads(dry.stdout)["assessment-results"])

    world.ok(*OSCAL, "--as-of", DAY, "--out", "out/results.json", now=LATER)
    written = (world.root / "out" / "results.json").read_bytes()
    again = world.ok(*OSCAL, "--as-of", DAY, "--out", "out/results.json", "--dry-run", now=NEXT_DAY)
    digest = cited(written)["hashes"][0]["value"]
    assert again.err_lines == [f"would keep evidence pack out/results.evidence.zip (SHA-256 {digest})"]
    assert again.stdout.encode("utf-8") == written


def test_as_of_defaults_to_now_and_a_pack_or_an_out_file_is_needed(world: World) -> None:
    world.ok(*OSCAL, "--out", "now.json", now=LATER)
    document = json.loads((world.root / "now.json").read_bytes())["assessment-results"]
    assert document["results"][0]["end"] == "2026-09-20T12:00:00Z"
    with zipfile.ZipFile(world.root / "now.evidence.zip") as zf:
        assert json.loads(zf.read("manifest.json"))["as_of"] == "2026-09-20T12:00:00Z"

    neither = world.run(*OSCAL, "--dry-run", now=LATER)
    assert neither.code == 2
    assert "give --out FILE.json (the evidence pack goes beside it) or --pack PACK.zip" in neither.stderr
