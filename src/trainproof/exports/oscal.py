"""OSCAL assessment results: the decisions of one training as a standard, machine-readable result.

NIST's OSCAL assessment-results model (usnistgov/OSCAL): one result for the assessment period, one
observation per person in scope (EXAMINE, collected at the as-of date, the person as a party, the
evidence pack as relevant evidence), and one finding per control the training's `frameworks` map
(`trainproof.compliance.frameworks`), satisfied when no one in scope is out of compliance (a new hire
inside the grace period is not yet due). The evidence pack is the document's back-matter resource, named
with its SHA-256, so the result points at the exact files an auditor samples from.

The same store, pack and as-of date give the same bytes: every UUID is a version-5 UUID over a fixed
namespace and the natural key (person, control, pack), every time is the as-of date, and lists are in a
fixed order. KnowBe4's text is untrusted: it is whitespace-normalised, and JSON escapes the rest.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from trainproof.compliance.decision import Decision
from trainproof.compliance.frameworks import FRAMEWORKS, Framework, Requirement
from trainproof.errors import ConfigError
from trainproof.evidence import CertificateData, certificates_from_decisions, verify_pack
from trainproof.exports._common import rfc3339
from trainproof.exports._errors import ExportRefused
from trainproof.judging import Judged

__all__ = ["NAMESPACE", "OSCAL_VERSION", "PackEvidence", "control_id", "oscal_document", "oscal_json", "read_pack"]

NAMESPACE = uuid.UUID("1c435035-46bc-4de8-a240-059d8b81feb2")
"""trainproof's namespace for OSCAL UUIDs; never change it, or every document's ids change."""

OSCAL_VERSION = "1.1.2"
NOT_DUE = frozenset({"compliant", "grace"})  # states that do not put a control out of compliance
_TOKEN_GAPS = re.compile(r"[^a-z0-9._-]+")
_EMAIL = re.compile(r"^\S+@\S+$")


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _line(text: str) -> str:
    """One line of KnowBe4 text as OSCAL's strings allow (no control characters, no edge whitespace)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def control_id(framework: Framework, requirement: Requirement) -> str:
    """The requirement as an OSCAL token, e.g. soc2-cc2.2, hipaa-164.308-a-5, nist_ai_rmf-govern-2.2."""
    return _TOKEN_GAPS.sub("-", f"{framework.id}-{requirement.id}".lower()).strip("-")


@dataclass(frozen=True, slots=True)
class PackEvidence:
    """An evidence pack as the document cites it: its file, hashes, and what its manifest says."""

    file_name: str
    sha256: str
    fingerprint: str
    training: str
    as_of: datetime
    by_state: Mapping[str, int]


def read_pack(path: Path) -> PackEvidence:
    """Check the pack is intact and read what it is evidence of; ExportRefused when it is not intact."""
    result = verify_pack(path)
    if not result.ok:
        raise ExportRefused(
            f"{path} failed verification: {result.problems[0]}",
            "rebuild it with `trainproof evidence`, or ask its sender for the pack again",
        )
    manifest = result.manifest
    training: Any = manifest.get("training")
    counts: Any = manifest.get("counts")
    try:
        key = str(training["key"])
        as_of = datetime.fromisoformat(str(manifest["as_of"]).replace("Z", "+00:00"))
        by_state = {str(k): int(v) for k, v in counts["by_state"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ExportRefused(
            f"{path} is not an evidence pack this trainproof can cite", "rebuild it with `trainproof evidence`"
        ) from None
    return PackEvidence(
        file_name=path.name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        fingerprint=result.fingerprint or "",
        training=key,
        as_of=as_of,
        by_state=by_state,
    )


def check_pack(pack: PackEvidence, judged: Judged, training: str, decisions: Sequence[Decision]) -> None:
    """Refuse a pack that is not the evidence of these decisions (another training, date or store state)."""
    remedy = (
        "leave out --pack to build the pack beside --out, or build one with "
        f"`trainproof evidence --training {training} --as-of DATE --out PACK.zip`"
    )
    if pack.training != training:
        raise ConfigError(f"{pack.file_name} is the evidence of training '{pack.training}', not '{training}'", remedy)
    if pack.as_of != judged.as_of:
        raise ConfigError(
            f"{pack.file_name} is the evidence as of {rfc3339(pack.as_of)}, not {rfc3339(judged.as_of)}",
            f"give the same --as-of as the pack, or {remedy}",
        )
    states = dict(Counter(d.state for d in decisions))
    if {k: v for k, v in pack.by_state.items() if v} != states:
        raise ConfigError(
            f"the store's decisions for {training} as of {rfc3339(judged.as_of)} differ from those in {pack.file_name}",
            f"the store changed since the pack was built: {remedy}",
        )


def _controls(frameworks: Sequence[str]) -> list[tuple[Framework, Requirement]]:
    return [
        (FRAMEWORKS[f], r) for f in frameworks if f in FRAMEWORKS for r in FRAMEWORKS[f].requirements if r.automated
    ]


def _party(decision: Decision) -> dict[str, Any]:
    name = _line(decision.name) or _line(decision.email) or f"KnowBe4 user {decision.user_id}"
    party: dict[str, Any] = {"uuid": _id("party", decision.user_id), "type": "person", "name": name}
    email = _line(decision.email)
    if _EMAIL.match(email):
        party["email-addresses"] = [email]
    return party


def _observation(
    decision: Decision, base: str, pack: PackEvidence, resource: str, cert: CertificateData | None, collected: str
) -> dict[str, Any]:
    party = _party(decision)
    evidence = (
        f"Evidence pack {pack.file_name} (SHA-256 {pack.sha256}): population.csv and completions.csv, "
        f"KnowBe4 user {decision.user_id}"
    )
    if cert is not None:
        evidence += f"; certificates/{cert.filename} (certificate {cert.certificate_id}, SHA-256 {cert.sha256})"
    return {
        "uuid": _id("observation", base, decision.user_id),
        "title": f"{party['name']}: {decision.state}",
        "description": _line(decision.reason),
        "methods": ["EXAMINE"],
        "subjects": [{"subject-uuid": party["uuid"], "type": "party", "title": party["name"]}],
        "relevant-evidence": [{"href": f"#{resource}", "description": evidence}],
        "collected": collected,
    }


def oscal_document(
    judged: Judged, training: str, pack: PackEvidence, *, start: datetime, config_href: str = "trainproof.toml"
) -> dict[str, Any]:
    """The assessment-results document for `training` as judged, citing `pack` (checked to match)."""
    spec = judged.evaluation.trainings_config.training(training)
    decisions = sorted(judged.evaluation.for_training(training), key=lambda d: d.user_id)
    check_pack(pack, judged, training, decisions)
    as_of = rfc3339(judged.as_of) or ""
    day = judged.as_of.date().isoformat()
    base = f"{training}/{as_of}/{pack.sha256}"
    resource = _id("resource", pack.sha256)
    certs = {c.user_id: c for c in certificates_from_decisions(decisions, campaigns=judged.facts.campaigns)}
    observations = [_observation(d, base, pack, resource, certs.get(d.user_id), as_of) for d in decisions]
    by_user = {d.user_id: o["uuid"] for d, o in zip(decisions, observations, strict=True)}
    states = Counter(d.state for d in decisions)
    failing = [d for d in decisions if d.state not in NOT_DUE]
    state = "not-satisfied" if failing else "satisfied"
    out = ", ".join(f"{s.replace('_', ' ')} {n}" for s, n in sorted(states.items()) if s not in NOT_DUE) or "none"
    summary = (
        f"As of {day}, {states['compliant']} of {len(decisions)} people in scope are compliant with {spec.title}, "
        f"{states['grace']} are inside the new-hire grace period and {len(failing)} are not compliant ({out})."
    )
    related = [by_user[d.user_id] for d in (failing or decisions)]
    controls = _controls(spec.frameworks)
    findings = [
        {
            "uuid": _id("finding", base, fw.id, req.id),
            "title": f"{fw.name} {req.id}: {req.name}",
            "description": f"{req.description} {summary}",
            "target": {
                "type": "objective-id",
                "target-id": control_id(fw, req),
                "title": f"{fw.name} {req.id}",
                "status": {"state": state},
            },
            **({"related-observations": [{"observation-uuid": u} for u in related]} if related else {}),
        }
        for fw, req in controls
    ]
    selection: dict[str, Any] = {
        "description": f"The controls {spec.title} provides evidence for (frameworks setting)."
    }
    if controls:
        selection["include-controls"] = [{"control-id": control_id(fw, req)} for fw, req in controls]
    else:
        selection["include-all"] = {}
    result: dict[str, Any] = {
        "uuid": _id("result", base),
        "title": f"{spec.title} as of {day}",
        "description": f"trainproof's compliance decisions for {spec.title} ({training}) from KnowBe4 data. {summary}",
        "start": rfc3339(start),
        "end": as_of,
        "reviewed-controls": {"control-selections": [selection]},
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    metadata: dict[str, Any] = {
        "title": f"{spec.title}: training compliance as of {day}",
        "last-modified": as_of,
        "version": day,
        "oscal-version": OSCAL_VERSION,
    }
    if decisions:
        metadata["parties"] = [_party(d) for d in decisions]
    return {
        "assessment-results": {
            "uuid": _id("assessment-results", base),
            "metadata": metadata,
            "import-ap": {
                "href": f"{config_href}#trainings.{training}",
                "remarks": "The assessment plan is the [trainings] configuration: selected campaigns, renewal "
                "period, new-hire grace and scope.",
            },
            "results": [result],
            "back-matter": {
                "resources": [
                    {
                        "uuid": resource,
                        "title": f"Evidence pack {pack.file_name}",
                        "description": f"Signed evidence pack for {spec.title} as of {day}; manifest.json "
                        f"SHA-256 {pack.fingerprint}.",
                        "rlinks": [
                            {
                                "href": pack.file_name,
                                "media-type": "application/zip",
                                "hashes": [{"algorithm": "SHA-256", "value": pack.sha256}],
                            }
                        ],
                    }
                ]
            },
        }
    }


def oscal_json(document: Mapping[str, Any]) -> bytes:
    """The document as written: indented UTF-8 JSON and a final newline, the same bytes every time."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
