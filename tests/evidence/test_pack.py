"""The evidence pack: what it holds, that it verifies, and that every kind of change is caught and named."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from trainproof.config import Secret
from trainproof.evidence import (
    CertificateData,
    EvidenceError,
    PersonRecord,
    build_pack,
    compliance_config,
    read_fingerprint,
    verify_pack,
)

from .builders import ISSUED, TRAINING, compliant

CONFIG: dict[str, Any] = {
    "knowbe4": {"region": "eu", "api_key": "must-not-leak-0001"},
    "store": {"url": "postgresql://trainproof:hunter2-db-password@db/trainproof"},
    "trainings": {
        "security_awareness": {"title": TRAINING.title, "campaigns": [101, "Security Awareness 2026 - Part B"]},
        "hipaa": {"title": "HIPAA Training", "campaigns": [301]},
    },
    "scope": {"exclude_groups": [4567], "exclude_emails": ["svc-scanner@example.com"]},
}
SYNC_RUNS: list[dict[str, Any]] = [
    {"run_id": 1, "started_at": datetime(2026, 6, 29, 2, 0, tzinfo=UTC), "status": "succeeded", "requests": 12},
    {"run_id": 2, "started_at": datetime(2026, 6, 30, 2, 0, tzinfo=UTC), "status": "succeeded", "requests": 3},
]
FIXED_MEMBERS = (
    "README.txt",
    "population.csv",
    "completions.csv",
    "exceptions.csv",
    "config.json",
    "sync_runs.json",
    "manifest.json",
    "manifest.sha256",
)


def make_pack(path: Path, records: list[PersonRecord], **kw: Any) -> Path:
    args: dict[str, Any] = {
        "training": TRAINING,
        "records": records,
        "as_of": date(2026, 6, 30),
        "config": CONFIG,
        "sync_runs": SYNC_RUNS,
        "generated_at": ISSUED,
    }
    args.update(kw)
    return build_pack(path, **args)


@pytest.fixture
def pack(tmp_path: Path, records: list[PersonRecord]) -> Path:
    return make_pack(tmp_path / "evidence.zip", records)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(
    src: Path,
    dst: Path,
    change: Callable[[dict[str, bytes]], Mapping[str, bytes | None]],
    *,
    comment: bytes | None = None,
) -> Path:
    """Copy a pack with some members replaced (bytes), removed (None) or added; keeps the zip comment."""
    with zipfile.ZipFile(src) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
        old_comment = zf.comment
    for name, data in change(dict(files)).items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
        out.comment = old_comment if comment is None else comment
    return dst


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --- what the pack holds -------------------------------------------------------------------------------


def test_pack_holds_population_completions_exceptions_certificates_config_runs_and_manifest(pack: Path) -> None:
    files = members(pack)
    certs = sorted(n for n in files if n.startswith("certificates/"))
    assert set(files) == {*FIXED_MEMBERS, *certs}
    assert len(certs) == 2

    population = rows(files["population.csv"])
    assert [(r["user_id"], r["state"], r["compliant"]) for r in population] == [
        ("7", "compliant", "yes"),
        ("8", "incomplete", "no"),
        ("9", "not_enrolled", "no"),
        ("10", "compliant", "yes"),
    ]
    ada = population[0]
    assert ada["certificate_file"] in certs
    assert ada["certificate_id"] == CertificateData.from_record(compliant(), TRAINING).certificate_id
    assert ada["late"] == "yes"
    assert ada["compliant_since"] == "2026-03-15T09:00:00Z"

    exceptions = rows(files["exceptions.csv"])
    assert [(r["user_id"], r["state"]) for r in exceptions] == [("8", "incomplete"), ("9", "not_enrolled")]
    assert "Phishing Fundamentals" in exceptions[0]["outstanding"]
    assert exceptions[0]["reason"].startswith("Bob Example is not compliant")
    assert exceptions[0]["due_date"] == "2026-03-01T09:00:00Z"

    completions = rows(files["completions.csv"])
    by_id = {r["enrollment_id"]: r for r in completions}
    assert set(by_id) == {"1007", "2007", "3007", "1008", "2008", "1010", "2010", "3010"}
    assert by_id["3007"]["late"] == "yes"
    assert by_id["3007"]["counts_as_evidence"] == "yes"
    assert by_id["1008"]["status"] == "Past Due"
    assert by_id["2008"]["counts_as_evidence"] == "no"  # not compliant: nothing earned yet

    config = json.loads(files["config.json"])
    assert config["tables"] == compliance_config(CONFIG, TRAINING.key)
    assert set(config["tables"]) == {"trainings", "scope"}
    assert set(config["tables"]["trainings"]) == {"security_awareness"}  # not the other trainings
    assert [r["run_id"] for r in json.loads(files["sync_runs.json"])["sync_runs"]] == [1, 2]

    readme = files["README.txt"].decode()
    for name in ("population.csv", "completions.csv", "exceptions.csv", "manifest.json", "sha256sum -c"):
        assert name in readme


def test_manifest_records_every_file_and_the_context(pack: Path) -> None:
    files = members(pack)
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "trainproof.evidence-pack/1"
    assert manifest["as_of"] == "2026-06-30"
    assert manifest["generated_at"] == "2026-06-30T12:00:00Z"
    assert manifest["training"] == {"key": TRAINING.key, "title": TRAINING.title}
    assert manifest["tool"]["name"] == "trainproof"
    assert manifest["tool"]["version"]
    assert manifest["counts"]["population"] == 4
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json", "manifest.sha256"}
    for name, sha in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == sha
    fingerprint = hashlib.sha256(files["manifest.json"]).hexdigest()
    assert read_fingerprint(pack) == fingerprint
    with zipfile.ZipFile(pack) as zf:
        assert fingerprint.encode() in zf.comment


def test_a_fresh_pack_verifies(pack: Path) -> None:
    result = verify_pack(pack)
    assert result.ok, result.lines()
    assert result.files_checked == len(members(pack)) - 2
    assert result.fingerprint == read_fingerprint(pack)
    assert result.manifest["as_of"] == "2026-06-30"
    assert "OK" in result.lines()[0]
    assert verify_pack(pack, expected_fingerprint=read_fingerprint(pack)).ok


def test_standard_tools_verify_it_too(pack: Path, tmp_path: Path) -> None:
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(pack) as zf:
        zf.extractall(out)
    done = subprocess.run(["sha256sum", "-c", "manifest.sha256"], cwd=out, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == len(members(pack)) - 1


def test_certificates_in_the_pack_are_valid_pdfs_of_the_compliant_people(pack: Path) -> None:
    files = members(pack)
    texts = [
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        for name, data in sorted(files.items())
        if name.startswith("certificates/")
    ]
    assert any("Ada Lovelace" in t and TRAINING.title in t for t in texts)
    assert any("Grace Hopper" in t for t in texts)


def test_same_inputs_and_clock_give_the_same_pack(tmp_path: Path, records: list[PersonRecord]) -> None:
    a = make_pack(tmp_path / "a.zip", records)
    b = make_pack(tmp_path / "b.zip", list(reversed(records)))
    assert a.read_bytes() == b.read_bytes()


def test_records_of_other_trainings_are_left_out(tmp_path: Path, records: list[PersonRecord]) -> None:
    other = PersonRecord(50, "x@example.com", "X", "hipaa", "compliant", True)
    files = members(make_pack(tmp_path / "p.zip", [*records, other]))
    assert "50" not in {r["user_id"] for r in rows(files["population.csv"])}


def test_spreadsheet_formulas_in_knowbe4_text_are_neutralised(tmp_path: Path) -> None:
    evil = compliant(name='=HYPERLINK("http://evil.example","click")', email="@sum@example.com")
    population = rows(members(make_pack(tmp_path / "p.zip", [evil]))["population.csv"])
    assert population[0]["name"] == "'" + evil.name
    assert population[0]["email"] == "'@sum@example.com"


# --- files are private, and written whole or not at all ------------------------------------------------


def test_pack_is_owner_only_whatever_the_umask(tmp_path: Path, records: list[PersonRecord]) -> None:
    old = os.umask(0)
    try:
        path = make_pack(tmp_path / "new" / "pack.zip", records)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(path) as zf:
        assert {(i.external_attr >> 16) & 0o777 for i in zf.infolist()} == {0o600}


def test_an_existing_pack_is_not_overwritten_unless_asked(pack: Path, records: list[PersonRecord]) -> None:
    before = pack.read_bytes()
    with pytest.raises(EvidenceError, match="already exists"):
        make_pack(pack, records)
    assert pack.read_bytes() == before
    make_pack(pack, records, overwrite=True, generated_at=datetime(2026, 7, 1, tzinfo=UTC))
    assert pack.read_bytes() != before
    assert pack.stat().st_mode & 0o777 == 0o600


def test_a_failure_while_writing_leaves_nothing_behind(tmp_path: Path) -> None:
    unusual = compliant(name="Владимир")
    with pytest.raises(EvidenceError, match="font file"):
        make_pack(tmp_path / "p.zip", [unusual], unicode_font=tmp_path / "missing.ttf")
    assert list(tmp_path.iterdir()) == []


def test_two_decisions_for_one_person_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="more than one decision"):
        make_pack(tmp_path / "p.zip", [compliant(), compliant()])


# --- no secret in the pack -----------------------------------------------------------------------------

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cmFpbnByb29mLXRlc3QifQ.c2lnbmF0dXJlLW5vdC1yZWFs"


def _everything_readable(path: Path) -> str:
    """Every byte of the pack as text: raw zip, members, and each PDF's text, metadata and attachments."""
    raw = path.read_bytes()
    parts = [raw.decode("latin-1")]
    for name, data in members(path).items():
        parts.append(data.decode("utf-8", errors="replace"))
        if name.endswith(".pdf"):
            reader = PdfReader(io.BytesIO(data))
            parts.extend(p.extract_text() for p in reader.pages)
            parts.append(str(reader.metadata))
            parts.extend(b.decode() for blobs in reader.attachments.values() for b in blobs)
    return "\n".join(parts)


def test_no_token_from_the_environment_or_settings_appears_in_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[PersonRecord]
) -> None:
    env_token = "kb4-env-token-" + "x7" * 20
    monkeypatch.setenv("KNOWBE4_API_KEY", env_token)
    settings_token = Secret("settings-token-0123456789abcdef")
    config = {
        **CONFIG,
        "trainings": {
            "security_awareness": {
                **CONFIG["trainings"]["security_awareness"],
                "api_token": settings_token.get(),  # pasted into the wrong table
                "note": f"ask ops, the key is {env_token}",
            }
        },
        "scope": {**CONFIG["scope"], "comment": f"Authorization: Bearer {JWT}"},
    }
    runs = [
        *SYNC_RUNS,
        {
            "run_id": 3,
            "status": "failed",
            "error": f"401 Invalid Token for {env_token}",
            "headers": {"Authorization": f"Bearer {settings_token.get()}"},
            "token": settings_token,
            "debug": JWT,
        },
    ]
    path = make_pack(tmp_path / "p.zip", records, config=config, sync_runs=runs, secrets=[settings_token])

    everything = _everything_readable(path)
    for secret in (env_token, settings_token.get(), JWT, "must-not-leak-0001", "hunter2-db-password"):
        assert secret not in everything
    assert "[REDACTED]" in members(path)["sync_runs.json"].decode()
    assert verify_pack(path).ok


# --- verify names every change -------------------------------------------------------------------------


def _problems(path: Path, **kw: Any) -> dict[str, str]:
    result = verify_pack(path, **kw)
    assert not result.ok
    return {p.path: f"{p.kind}: {p.detail}" for p in result.problems}


def _first_cert(files: Mapping[str, bytes]) -> str:
    return next(n for n in sorted(files) if n.startswith("certificates/"))


@pytest.mark.parametrize(
    "member",
    [
        "README.txt",
        "population.csv",
        "completions.csv",
        "exceptions.csv",
        "config.json",
        "sync_runs.json",
        "certificate",
    ],
)
def test_editing_any_file_is_caught_and_named(member: str, pack: Path, tmp_path: Path) -> None:
    name = _first_cert(members(pack)) if member == "certificate" else member
    edited = rewrite(pack, tmp_path / "edited.zip", lambda files: {name: files[name].replace(b"e", b"E", 1)})

    problems = _problems(edited)
    assert set(problems) == {name}
    assert problems[name].startswith("modified: edited")
    assert "manifest.json has" in problems[name]


def test_a_one_character_edit_in_population_is_caught(pack: Path, tmp_path: Path) -> None:
    edited = rewrite(
        pack,
        tmp_path / "e.zip",
        lambda f: {"population.csv": f["population.csv"].replace(b"incomplete,no", b"compliant,yes")},
    )
    assert set(_problems(edited)) == {"population.csv"}


def test_adding_a_file_is_caught_and_named(pack: Path, tmp_path: Path) -> None:
    added = rewrite(pack, tmp_path / "a.zip", lambda _: {"certificates/extra.pdf": b"%PDF-1.4 forged"})
    assert _problems(added) == {"certificates/extra.pdf": "added: in the pack but not listed in manifest.json"}


def test_removing_a_file_is_caught_and_named(pack: Path, tmp_path: Path) -> None:
    removed = rewrite(pack, tmp_path / "r.zip", lambda _: {"exceptions.csv": None})
    problems = _problems(removed)
    assert set(problems) == {"exceptions.csv"}
    assert problems["exceptions.csv"].startswith("missing: listed in manifest.json and manifest.sha256")


def test_removing_a_certificate_is_caught(pack: Path, tmp_path: Path) -> None:
    cert = _first_cert(members(pack))
    assert set(_problems(rewrite(pack, tmp_path / "r.zip", lambda _: {cert: None}))) == {cert}


def test_editing_the_manifest_is_caught_and_named(pack: Path, tmp_path: Path) -> None:
    def backdate(files: dict[str, bytes]) -> dict[str, bytes | None]:
        return {"manifest.json": files["manifest.json"].replace(b'"as_of": "2026-06-30"', b'"as_of": "2025-12-31"')}

    problems = _problems(rewrite(pack, tmp_path / "m.zip", backdate))
    assert set(problems) == {"manifest.json"}
    assert "differs from the one recorded in manifest.sha256 and the zip comment" in problems["manifest.json"]


def test_editing_a_file_and_its_manifest_entry_is_caught_and_both_are_named(pack: Path, tmp_path: Path) -> None:
    def forge(files: dict[str, bytes]) -> dict[str, bytes | None]:
        new = files["population.csv"].replace(b"incomplete,no", b"compliant,yes")
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["path"] == "population.csv":
                entry["sha256"], entry["size"] = hashlib.sha256(new).hexdigest(), len(new)
        return {"population.csv": new, "manifest.json": json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"}

    problems = _problems(rewrite(pack, tmp_path / "f.zip", forge))
    assert set(problems) == {"manifest.json", "population.csv"}
    assert "manifest.sha256 has" in problems["population.csv"]


def test_editing_the_checksum_file_is_caught_and_named(pack: Path, tmp_path: Path) -> None:
    def tamper(files: dict[str, bytes]) -> dict[str, bytes | None]:
        lines = files["manifest.sha256"].decode().splitlines(keepends=True)
        lines[0] = "0" * 64 + lines[0][64:]
        return {"manifest.sha256": "".join(lines).encode()}

    problems = _problems(rewrite(pack, tmp_path / "c.zip", tamper))
    assert set(problems) == {"manifest.sha256"}
    assert "README.txt" in problems["manifest.sha256"]


def test_removing_the_manifest_still_checks_the_files_against_the_checksums(pack: Path, tmp_path: Path) -> None:
    def both(files: dict[str, bytes]) -> dict[str, bytes | None]:
        return {"manifest.json": None, "config.json": files["config.json"] + b" "}

    problems = _problems(rewrite(pack, tmp_path / "x.zip", both))
    assert set(problems) == {"manifest.json", "config.json"}
    assert problems["manifest.json"].startswith("missing")


def test_a_duplicate_entry_is_caught(pack: Path, tmp_path: Path) -> None:
    dup = tmp_path / "dup.zip"
    dup.write_bytes(pack.read_bytes())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(dup, "a") as zf:
        zf.writestr("population.csv", b"user_id\r\n")
    kinds = {(p.path, p.kind) for p in verify_pack(dup).problems}
    assert ("population.csv", "duplicate") in kinds
    assert ("population.csv", "modified") in kinds  # the copy that unzip would extract last


def test_a_byte_flipped_inside_the_zip_is_caught(pack: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(pack) as zf:
        info = zf.getinfo("completions.csv")
    raw = bytearray(pack.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.compress_size // 2] ^= 0xFF
    broken = tmp_path / "flip.zip"
    broken.write_bytes(bytes(raw))
    assert "completions.csv" in _problems(broken)


def test_a_consistent_rebuild_is_caught_only_by_the_recorded_fingerprint(pack: Path, tmp_path: Path) -> None:
    received = read_fingerprint(pack)

    def rebuild(files: dict[str, bytes]) -> dict[str, bytes | None]:
        new = files["population.csv"].replace(b"incomplete,no", b"compliant,yes")
        manifest = json.loads(files["manifest.json"])
        for entry in manifest["files"]:
            if entry["path"] == "population.csv":
                entry["sha256"], entry["size"] = hashlib.sha256(new).hexdigest(), len(new)
        body = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
        sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in manifest["files"])
        sums += f"{hashlib.sha256(body).hexdigest()}  manifest.json\n"
        return {"population.csv": new, "manifest.json": body, "manifest.sha256": sums.encode()}

    forged = rewrite(pack, tmp_path / "forged.zip", rebuild, comment=b"")
    assert verify_pack(forged).ok  # hashes alone cannot tell: no signing key
    problems = _problems(forged, expected_fingerprint=received)
    assert problems["manifest.json"].startswith("fingerprint")


def test_a_pack_rezipped_without_its_comment_still_verifies(pack: Path, tmp_path: Path) -> None:
    assert verify_pack(rewrite(pack, tmp_path / "z.zip", lambda _: {}, comment=b"")).ok


def test_something_that_is_not_a_zip_is_reported_and_a_missing_path_is_an_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(zlib.compress(b"not a zip"))
    result = verify_pack(junk)
    assert not result.ok
    assert result.problems[0].path == "junk.zip"
    assert result.problems[0].kind == "unreadable"
    with pytest.raises(EvidenceError, match="not found"):
        verify_pack(tmp_path / "nope.zip")
