"""The SHA-256 manifest of an evidence pack: written as the zip is built, checked by `verify_pack`.

Three records pin the content, so that any single change is caught and named:

* manifest.json lists every other file with its SHA-256 and size (plus training, as-of date, tool version
  and generation time);
* manifest.sha256 holds the same hashes in `sha256sum` format, plus the hash of manifest.json itself, so
  an auditor can check the pack with standard tools (`sha256sum -c manifest.sha256`);
* the zip comment holds the pack fingerprint: the SHA-256 of manifest.json.

Those three prove internal consistency only: anyone with trainproof can rebuild all three after editing a
file. What proves who built the pack is manifest.sig, an Ed25519 signature over manifest.json by the
builder's key (`signing.py`), checked when `verify_pack` is given the public key. Without it, a
fingerprint recorded on receipt (`expected_fingerprint`) proves at least that nothing changed since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from trainproof import __version__
from trainproof.evidence._common import EvidenceError, iso, pretty_json
from trainproof.evidence.signing import (
    ALGORITHM,
    LINE_PREFIX,
    SigningKey,
    SigningKeyError,
    key_id,
    public_line,
    read_public_key,
    signature_valid,
)
from trainproof.files import private_file

PACK_FORMAT = "trainproof.evidence-pack/1"
MANIFEST_NAME = "manifest.json"
CHECKSUMS_NAME = "manifest.sha256"
SIGNATURE_NAME = "manifest.sig"
_RESERVED = frozenset({MANIFEST_NAME, CHECKSUMS_NAME, SIGNATURE_NAME})
_COMMENT_RE = re.compile(rb"manifest\.json sha256 ([0-9a-f]{64})")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 16

DiscrepancyKind = Literal["modified", "missing", "added", "duplicate", "unreadable", "fingerprint", "signature"]


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of the pack as manifest.json records it."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One difference between the pack and its manifest, named by file."""

    path: str
    kind: DiscrepancyKind
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify_pack` found. `ok` is True only when there is no problem at all.

    `signed_by` is the key manifest.json names as its signer (None: an unsigned pack); `verified_key` is
    the id of the public key the caller gave, set only when the signature held under it.
    """

    path: Path
    problems: tuple[Discrepancy, ...]
    fingerprint: str | None = None
    files_checked: int = 0
    manifest: Mapping[str, Any] = field(default_factory=dict[str, Any])
    signed_by: str | None = None
    verified_key: str | None = None
    fingerprint_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def todo(self) -> str:
        """What to do about the problems found (every face says the same)."""
        if any(p.kind == "signature" for p in self.problems):
            return "the pack is not what the holder of the key given built: ask its sender for the pack again"
        return "the pack was changed after it was written: ask its sender for the pack again"

    def lines(self) -> list[str]:
        """One line per problem, or what was checked and exactly what that proves; for a CLI to print."""
        if self.problems:
            return [str(p) for p in self.problems]
        training: Any = self.manifest.get("training")
        title = str(training.get("title", "?")) if isinstance(training, dict) else "?"  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        context = f"training {title!r}, as of {self.manifest.get('as_of', '?')}, fingerprint {self.fingerprint}"
        if self.verified_key is not None:
            return [
                f"{self.path.name}: OK, signed by the key given ({self.verified_key}); "
                f"{self.files_checked} files match manifest.json ({context})",
                "Proved: the pack is byte for byte what the holder of that key's private half built; "
                "no file was edited, added or removed since.",
            ]
        lines = [f"{self.path.name}: OK, {self.files_checked} files match manifest.json ({context})"]
        if self.fingerprint_checked:
            lines.append(
                "Proved: manifest.json is the one whose fingerprint you recorded, so no file changed since then."
            )
        lines.append(
            "Proved: internal consistency only (every file matches its SHA-256 in manifest.json and "
            "manifest.sha256). Not proved: who built it; anyone with trainproof can rebuild a consistent pack "
            "after editing a file."
        )
        whose = (
            f"the pack names key {self.signed_by}; not checked"
            if self.signed_by
            else "this pack is not signed: ask its builder for a signed one"
        )
        lines.append(
            f"To prove who built it, pass --public-key with the key `trainproof evidence key` shows where the "
            f"pack was built ({whose})."
        )
        return lines


def _check_member_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or not path or path.endswith("/"):
        raise EvidenceError(f"unsafe file name in evidence pack: {path!r}")


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    m = (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).timetuple()
    if m.tm_year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (m.tm_year, m.tm_mon, m.tm_mday, m.tm_hour, m.tm_min, m.tm_sec)


def checksums_text(entries: Sequence[FileEntry], manifest_sha256: str) -> bytes:
    """manifest.sha256 in `sha256sum` format (two spaces, '*' free): every file, then manifest.json."""
    lines = [f"{e.sha256}  {e.path}\n" for e in entries]
    lines.append(f"{manifest_sha256}  {MANIFEST_NAME}\n")
    return "".join(lines).encode("utf-8")


def zip_comment(fingerprint: str) -> bytes:
    return (
        f"trainproof evidence pack - manifest.json sha256 {fingerprint}\n"
        "Check: trainproof evidence verify <this file>, or unzip and run: sha256sum -c manifest.sha256\n"
    ).encode("ascii")


class PackWriter:
    """Writes a deterministic zip (fixed times, order and modes) and records each file's hash as it goes.

    Use as a context manager; the pack appears at `path` with mode 0600 only when `finish` succeeded.
    """

    def __init__(self, fh: IO[bytes], moment: datetime) -> None:
        self._zip = zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._time = _zip_time(moment)
        self._entries: list[FileEntry] = []
        self._names: set[str] = set()
        self.finished = False

    def add(self, path: str, data: bytes) -> FileEntry:
        """Add one file; its SHA-256 goes into the manifest."""
        _check_member_path(path)
        if path in _RESERVED or path in self._names:
            raise EvidenceError(f"file {path!r} written twice into the evidence pack")
        self._write(path, data)
        entry = FileEntry(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        self._entries.append(entry)
        return entry

    def _write(self, path: str, data: bytes) -> None:
        info = zipfile.ZipInfo(path, date_time=self._time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # Unix, so the mode below is honoured by unzip
        info.external_attr = (0o100600 & 0xFFFF) << 16
        self._zip.writestr(info, data)
        self._names.add(path)

    def finish(self, header: Mapping[str, Any], signer: SigningKey | None = None) -> str:
        """Write manifest.json, manifest.sha256, the signature (given a key) and the zip comment.

        Returns the fingerprint. manifest.json names the signing key, so the signature also covers who
        claims to have signed; the private key never enters the pack.
        """
        entries = sorted(self._entries, key=lambda e: e.path)
        body = dict(header)
        body["format"] = PACK_FORMAT
        body["tool"] = {"name": "trainproof", "version": __version__}
        body["files"] = [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]
        if signer is not None:
            body["signature"] = {
                "algorithm": ALGORITHM,
                "file": SIGNATURE_NAME,
                "key_id": signer.key_id,
                "public_key": public_line(signer.public),
            }
        manifest = pretty_json(body)
        fingerprint = hashlib.sha256(manifest).hexdigest()
        self._write(MANIFEST_NAME, manifest)
        self._write(CHECKSUMS_NAME, checksums_text(entries, fingerprint))
        if signer is not None:
            self._write(SIGNATURE_NAME, signer.sign(manifest))
        self._zip.comment = zip_comment(fingerprint)
        self._zip.close()
        self.finished = True
        return fingerprint

    def abort(self) -> None:
        self._zip.close()


def manifest_header(
    *,
    training_key: str,
    training_title: str,
    as_of: datetime | date,
    generated_at: datetime,
    counts: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "training": {"key": training_key, "title": training_title},
        "as_of": iso(as_of),
        "generated_at": iso(generated_at),
        "counts": dict(counts),
    }


def read_fingerprint(path: Path | str) -> str:
    """The pack fingerprint (SHA-256 of manifest.json as it is now), for the CLI to print after building."""
    try:
        with zipfile.ZipFile(path) as zf:
            return hashlib.sha256(zf.read(MANIFEST_NAME)).hexdigest()
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise EvidenceError(
            f"cannot read the manifest of {path} ({exc})", "check the file is an evidence pack"
        ) from None


# --- verification --------------------------------------------------------------------------------------


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int = 64 << 20) -> bytes:
    if info.file_size > limit:
        raise ValueError(f"{info.file_size} bytes, more than a manifest can be")
    with zf.open(info) as fh:
        return fh.read(limit + 1)


def _parse_manifest(raw: bytes) -> tuple[dict[str, Any], dict[str, FileEntry]]:
    """The manifest body and its file entries; ValueError naming what is wrong."""
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):  # pyright: ignore[reportUnknownMemberType]
        raise ValueError("has no list of files")
    manifest: dict[str, Any] = body  # pyright: ignore[reportUnknownVariableType]
    if manifest.get("format") != PACK_FORMAT:
        raise ValueError(f"format is {manifest.get('format')!r}, expected {PACK_FORMAT!r}")
    entries: dict[str, FileEntry] = {}
    for item in manifest["files"]:
        if not isinstance(item, dict):
            raise ValueError("has a file entry that is not an object")
        path, sha, size = item.get("path"), item.get("sha256"), item.get("size")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        if (
            not isinstance(path, str)
            or not isinstance(sha, str)
            or not _HEX64.fullmatch(sha)
            or not isinstance(size, int)
        ):
            raise ValueError(f"has a malformed file entry {item!r}")
        if path in entries:
            raise ValueError(f"lists {path} twice")
        entries[path] = FileEntry(path, sha, size)
    return manifest, entries


def _parse_checksums(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in raw.decode("utf-8", errors="replace").splitlines():
        sha, sep, path = line.partition("  ")
        if sep and _HEX64.fullmatch(sha):
            out[path] = sha
    return out


def verify_pack(
    path: Path | str, *, expected_fingerprint: str | None = None, public_key: Ed25519PublicKey | None = None
) -> VerifyResult:
    """Check every file of an evidence pack against its manifest and say exactly what changed.

    Finds edited, added, removed and duplicated files, an edited manifest.json, manifest.sha256 or
    manifest.sig. A pack rebuilt consistently is caught only by the builder's `public_key` (the
    signature) or by the fingerprint recorded when the pack was received.
    Raises EvidenceError only when `path` does not exist; anything wrong inside is a Discrepancy.
    """
    pack = Path(path)
    if not pack.is_file():
        raise EvidenceError(f"evidence pack {pack} not found", "give the path of the .zip to check")
    try:
        zf = zipfile.ZipFile(pack)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerifyResult(pack, (Discrepancy(pack.name, "unreadable", f"not a readable zip archive ({exc})"),))
    with zf:
        return _verify_open(pack, zf, expected_fingerprint, public_key)


def _declared_signer(manifest: Mapping[str, Any]) -> Ed25519PublicKey | None:
    """The public key manifest.json names as its signer; ValueError when the entry is malformed."""
    entry: Any = manifest.get("signature")
    if entry is None:
        return None
    fields = cast(dict[str, Any], entry) if isinstance(entry, dict) else {}
    line = fields.get("public_key")
    if not isinstance(line, str) or not line.startswith(LINE_PREFIX):
        raise ValueError("its signature entry is malformed")
    try:
        return read_public_key(line)
    except SigningKeyError:
        raise ValueError("its signature entry names no valid Ed25519 key") from None


def _check_signature(
    counts: Counter[str],
    members: Mapping[str, bytes],
    manifest_bytes: bytes | None,
    declared: Ed25519PublicKey | None,
    given: Ed25519PublicKey | None,
) -> tuple[list[Discrepancy], str | None]:
    """Problems with manifest.sig, and the id of the given key when the signature holds under it.

    With a key given this is the proof of origin; without one, only that manifest.sig agrees with the key
    manifest.json itself names (which a forger would simply replace).
    """
    present = SIGNATURE_NAME in counts
    signature = members.get(SIGNATURE_NAME)
    if given is not None:
        gid = key_id(given)
        if manifest_bytes is None:
            return [
                Discrepancy(SIGNATURE_NAME, "signature", "not checked: manifest.json, which it signs, is unreadable")
            ], None
        if not present:
            if declared is None:
                detail = f"missing: the pack is not signed, so nothing shows that the holder of key {gid} built it"
            else:
                detail = f"missing: removed from the pack (manifest.json names key {key_id(declared)})"
            return [Discrepancy(SIGNATURE_NAME, "signature", detail)], None
        if signature is None or not signature_valid(given, signature, manifest_bytes):
            if declared is not None and key_id(declared) != gid:
                detail = (
                    f"wrong key: the pack was signed by key {key_id(declared)}, not by the key given ({gid}): "
                    "someone else built or rebuilt it"
                )
            else:
                detail = f"invalid: manifest.json or the signature was changed after key {gid} signed it"
            return [Discrepancy(SIGNATURE_NAME, "signature", detail)], None
        return [], gid
    if manifest_bytes is None:
        return [], None
    if declared is not None and not present:
        return [
            Discrepancy(
                SIGNATURE_NAME, "missing", f"removed from the pack (manifest.json names key {key_id(declared)})"
            )
        ], None
    if declared is not None and (signature is None or not signature_valid(declared, signature, manifest_bytes)):
        return [Discrepancy(SIGNATURE_NAME, "modified", f"edited: it does not hold under key {key_id(declared)}")], None
    if declared is None and present:
        return [Discrepancy(SIGNATURE_NAME, "added", "in the pack but manifest.json names no signing key")], None
    return [], None


def _verify_open(
    pack: Path, zf: zipfile.ZipFile, expected_fingerprint: str | None, public_key: Ed25519PublicKey | None
) -> VerifyResult:
    problems: list[Discrepancy] = []
    infos = zf.infolist()
    counts = Counter(i.filename for i in infos)
    problems.extend(
        Discrepancy(name, "duplicate", f"appears {n} times in the archive (a second copy can hide an edit)")
        for name, n in sorted(counts.items())
        if n > 1
    )

    # Hash every member once (every copy of a duplicate: the last one wins in by_name).
    actual: dict[str, str] = {}
    members: dict[str, bytes] = {}
    for info in infos:
        try:
            if info.filename in _RESERVED:
                members[info.filename] = _read_member(zf, info)
                actual[info.filename] = hashlib.sha256(members[info.filename]).hexdigest()
            else:
                actual[info.filename] = _hash_member(zf, info)[0]
        except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
            problems.append(Discrepancy(info.filename, "modified", f"corrupt inside the zip, edited in place ({exc})"))
            actual[info.filename] = "corrupt"

    # The records of what the pack should hold: manifest.json (r1) and manifest.sha256 (r2).
    manifest: dict[str, Any] = {}
    r1: dict[str, str] | None = None
    fingerprint = actual.get(MANIFEST_NAME)
    declared: Ed25519PublicKey | None = None
    if MANIFEST_NAME not in counts:
        problems.append(Discrepancy(MANIFEST_NAME, "missing", "removed from the pack"))
    elif MANIFEST_NAME in members:
        try:
            manifest, entries = _parse_manifest(members[MANIFEST_NAME])
            r1 = {p: e.sha256 for p, e in entries.items()}
            declared = _declared_signer(manifest)
        except ValueError as exc:
            problems.append(Discrepancy(MANIFEST_NAME, "modified", f"edited: {exc}"))
    sig_problems, verified_key = _check_signature(counts, members, members.get(MANIFEST_NAME), declared, public_key)
    problems.extend(sig_problems)
    r2: dict[str, str] | None = None
    if CHECKSUMS_NAME not in counts:
        problems.append(Discrepancy(CHECKSUMS_NAME, "missing", "removed from the pack"))
    elif CHECKSUMS_NAME in members:
        r2 = _parse_checksums(members[CHECKSUMS_NAME])

    # Is manifest.json the one that was written? Compare with every record of its hash.
    manifest_intact = fingerprint is not None and fingerprint != "corrupt"
    if manifest_intact:
        recorded: list[tuple[str, str]] = []
        if r2 is not None and MANIFEST_NAME in r2:
            recorded.append((CHECKSUMS_NAME, r2[MANIFEST_NAME]))
        match = _COMMENT_RE.search(zf.comment or b"")
        if match:
            recorded.append(("the zip comment", match.group(1).decode("ascii")))
        disagree = [source for source, sha in recorded if sha != fingerprint]
        if disagree:
            manifest_intact = False
            problems.append(
                Discrepancy(
                    MANIFEST_NAME,
                    "modified",
                    f"edited: its SHA-256 {fingerprint} differs from the one recorded in {' and '.join(disagree)}",
                )
            )
        if expected_fingerprint is not None and expected_fingerprint.strip().lower() != fingerprint:
            problems.append(
                Discrepancy(
                    MANIFEST_NAME,
                    "fingerprint",
                    f"the pack fingerprint {fingerprint} is not the one recorded on receipt "
                    f"({expected_fingerprint.strip()}): the pack was rebuilt or edited",
                )
            )

    # Every file against both records.
    sha256_lines_wrong: list[str] = []
    listed1 = r1 or {}
    listed2 = {p: h for p, h in (r2 or {}).items() if p != MANIFEST_NAME}
    names = (actual.keys() - _RESERVED) | listed1.keys() | listed2.keys()
    checked = 0
    for name in sorted(names):
        have = actual.get(name)
        in1, in2 = name in listed1, name in listed2
        if have is None:
            where = " and ".join(n for n, inside in ((MANIFEST_NAME, in1), (CHECKSUMS_NAME, in2)) if inside)
            problems.append(Discrepancy(name, "missing", f"listed in {where} but removed from the pack"))
            continue
        if have == "corrupt":
            continue
        if not in1 and (r1 is not None or not in2):
            if in2 and not manifest_intact:
                detail = f"listed in {CHECKSUMS_NAME} but removed from {MANIFEST_NAME} (which was edited)"
            else:
                detail = f"in the pack but not listed in {MANIFEST_NAME}"
            problems.append(Discrepancy(name, "added", detail))
            continue
        checked += 1
        if in1 and listed1[name] != have:
            problems.append(
                Discrepancy(name, "modified", f"edited: its SHA-256 is {have}, {MANIFEST_NAME} has {listed1[name]}")
            )
        elif not in1 and listed2[name] != have:
            problems.append(
                Discrepancy(name, "modified", f"edited: its SHA-256 is {have}, {CHECKSUMS_NAME} has {listed2[name]}")
            )
        elif r2 is not None and listed2.get(name) != have:
            if manifest_intact:
                sha256_lines_wrong.append(name)
            else:
                problems.append(
                    Discrepancy(
                        name,
                        "modified",
                        f"edited: its SHA-256 is {have}, {CHECKSUMS_NAME} has {listed2.get(name, 'no line')} "
                        f"({MANIFEST_NAME} was edited to match)",
                    )
                )

    if sha256_lines_wrong:
        problems.append(
            Discrepancy(
                CHECKSUMS_NAME,
                "modified",
                f"edited: its lines for {', '.join(sha256_lines_wrong)} disagree with the files and {MANIFEST_NAME}",
            )
        )
    elif r2 is not None and r1 is not None and manifest_intact and fingerprint is not None:
        canonical = checksums_text([FileEntry(p, h, 0) for p, h in sorted(listed1.items())], fingerprint)
        if members.get(CHECKSUMS_NAME) != canonical:
            problems.append(Discrepancy(CHECKSUMS_NAME, "modified", "edited: not the text trainproof wrote"))

    return VerifyResult(
        path=pack,
        problems=tuple(problems),
        fingerprint=fingerprint if fingerprint != "corrupt" else None,
        files_checked=checked,
        manifest={k: v for k, v in manifest.items() if k not in ("files", "signature")},
        signed_by=key_id(declared) if declared is not None else None,
        verified_key=verified_key,
        fingerprint_checked=expected_fingerprint is not None,
    )


@contextlib.contextmanager
def write_zip(out: Path, moment: datetime) -> Generator[PackWriter, None, None]:
    """`with write_zip(path, moment) as pack: pack.add(...); pack.finish(header)`: atomic, mode 0600.

    The zip appears at `out` only when the block ends without error and `finish` was called.
    """
    with private_file(out) as fh:
        writer = PackWriter(fh, moment)
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise
        if not writer.finished:
            writer.abort()
            raise EvidenceError(f"evidence pack {out} was not finished", "this is a bug in trainproof")
