"""The SHA-256 manifest of an evidence pack: written as the zip is built, checked by `verify_pack`.

Three records pin the content, so that any single change is caught and named:

* manifest.json lists every other file with its SHA-256 and size (plus training, as-of date, tool version
  and generation time);
* manifest.sha256 holds the same hashes in `sha256sum` format, plus the hash of manifest.json itself, so
  an auditor can check the pack with standard tools (`sha256sum -c manifest.sha256`);
* the zip comment holds the pack fingerprint: the SHA-256 of manifest.json.

Without a signing key nothing stops someone from rebuilding all three consistently; that is why the
fingerprint is shown when the pack is built and can be recorded by the auditor on receipt and passed back
as `expected_fingerprint`.
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
from typing import IO, Any, Literal

from trainproof import __version__
from trainproof.evidence._common import EvidenceError, iso, pretty_json, private_file

PACK_FORMAT = "trainproof.evidence-pack/1"
MANIFEST_NAME = "manifest.json"
CHECKSUMS_NAME = "manifest.sha256"
_RESERVED = frozenset({MANIFEST_NAME, CHECKSUMS_NAME})
_COMMENT_RE = re.compile(rb"manifest\.json sha256 ([0-9a-f]{64})")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 16

ProblemKind = Literal["modified", "missing", "added", "duplicate", "unreadable", "fingerprint"]


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file of the pack as manifest.json records it."""

    path: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Problem:
    """One difference between the pack and its manifest, named by file."""

    path: str
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What `verify_pack` found. `ok` is True only when there is no problem at all."""

    path: Path
    problems: tuple[Problem, ...]
    fingerprint: str | None = None
    files_checked: int = 0
    manifest: Mapping[str, Any] = field(default_factory=dict[str, Any])

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, or one line saying what was checked; for a CLI to print."""
        if self.problems:
            return [str(p) for p in self.problems]
        training: Any = self.manifest.get("training")
        title = str(training.get("title", "?")) if isinstance(training, dict) else "?"  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        return [
            f"{self.path.name}: OK, {self.files_checked} files match manifest.json "
            f"(training {title!r}, as of {self.manifest.get('as_of', '?')}, fingerprint {self.fingerprint})"
        ]


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

    def finish(self, header: Mapping[str, Any]) -> str:
        """Write manifest.json, manifest.sha256 and the zip comment; return the fingerprint."""
        entries = sorted(self._entries, key=lambda e: e.path)
        body = dict(header)
        body["format"] = PACK_FORMAT
        body["tool"] = {"name": "trainproof", "version": __version__}
        body["files"] = [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries]
        manifest = pretty_json(body)
        fingerprint = hashlib.sha256(manifest).hexdigest()
        self._write(MANIFEST_NAME, manifest)
        self._write(CHECKSUMS_NAME, checksums_text(entries, fingerprint))
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


def verify_pack(path: Path | str, *, expected_fingerprint: str | None = None) -> VerifyResult:
    """Check every file of an evidence pack against its manifest and say exactly what changed.

    Finds edited, added, removed and duplicated files, an edited manifest.json or manifest.sha256, and,
    given the fingerprint recorded when the pack was received, a pack rebuilt consistently.
    Raises EvidenceError only when `path` does not exist; anything wrong inside is a Problem.
    """
    pack = Path(path)
    if not pack.is_file():
        raise EvidenceError(f"evidence pack {pack} not found", "give the path of the .zip to check")
    try:
        zf = zipfile.ZipFile(pack)
    except (zipfile.BadZipFile, OSError) as exc:
        return VerifyResult(pack, (Problem(pack.name, "unreadable", f"not a readable zip archive ({exc})"),))
    with zf:
        return _verify_open(pack, zf, expected_fingerprint)


def _verify_open(pack: Path, zf: zipfile.ZipFile, expected_fingerprint: str | None) -> VerifyResult:
    problems: list[Problem] = []
    infos = zf.infolist()
    counts = Counter(i.filename for i in infos)
    problems.extend(
        Problem(name, "duplicate", f"appears {n} times in the archive (a second copy can hide an edit)")
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
            problems.append(Problem(info.filename, "modified", f"corrupt inside the zip, edited in place ({exc})"))
            actual[info.filename] = "corrupt"

    # The records of what the pack should hold: manifest.json (r1) and manifest.sha256 (r2).
    manifest: dict[str, Any] = {}
    r1: dict[str, str] | None = None
    fingerprint = actual.get(MANIFEST_NAME)
    if MANIFEST_NAME not in counts:
        problems.append(Problem(MANIFEST_NAME, "missing", "removed from the pack"))
    elif MANIFEST_NAME in members:
        try:
            manifest, entries = _parse_manifest(members[MANIFEST_NAME])
            r1 = {p: e.sha256 for p, e in entries.items()}
        except ValueError as exc:
            problems.append(Problem(MANIFEST_NAME, "modified", f"edited: {exc}"))
    r2: dict[str, str] | None = None
    if CHECKSUMS_NAME not in counts:
        problems.append(Problem(CHECKSUMS_NAME, "missing", "removed from the pack"))
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
                Problem(
                    MANIFEST_NAME,
                    "modified",
                    f"edited: its SHA-256 {fingerprint} differs from the one recorded in {' and '.join(disagree)}",
                )
            )
        if expected_fingerprint is not None and expected_fingerprint.strip().lower() != fingerprint:
            problems.append(
                Problem(
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
            problems.append(Problem(name, "missing", f"listed in {where} but removed from the pack"))
            continue
        if have == "corrupt":
            continue
        if not in1 and (r1 is not None or not in2):
            if in2 and not manifest_intact:
                detail = f"listed in {CHECKSUMS_NAME} but removed from {MANIFEST_NAME} (which was edited)"
            else:
                detail = f"in the pack but not listed in {MANIFEST_NAME}"
            problems.append(Problem(name, "added", detail))
            continue
        checked += 1
        if in1 and listed1[name] != have:
            problems.append(
                Problem(name, "modified", f"edited: its SHA-256 is {have}, {MANIFEST_NAME} has {listed1[name]}")
            )
        elif not in1 and listed2[name] != have:
            problems.append(
                Problem(name, "modified", f"edited: its SHA-256 is {have}, {CHECKSUMS_NAME} has {listed2[name]}")
            )
        elif r2 is not None and listed2.get(name) != have:
            if manifest_intact:
                sha256_lines_wrong.append(name)
            else:
                problems.append(
                    Problem(
                        name,
                        "modified",
                        f"edited: its SHA-256 is {have}, {CHECKSUMS_NAME} has {listed2.get(name, 'no line')} "
                        f"({MANIFEST_NAME} was edited to match)",
                    )
                )

    if sha256_lines_wrong:
        problems.append(
            Problem(
                CHECKSUMS_NAME,
                "modified",
                f"edited: its lines for {', '.join(sha256_lines_wrong)} disagree with the files and {MANIFEST_NAME}",
            )
        )
    elif r2 is not None and r1 is not None and manifest_intact and fingerprint is not None:
        canonical = checksums_text([FileEntry(p, h, 0) for p, h in sorted(listed1.items())], fingerprint)
        if members.get(CHECKSUMS_NAME) != canonical:
            problems.append(Problem(CHECKSUMS_NAME, "modified", "edited: not the text trainproof wrote"))

    return VerifyResult(
        path=pack,
        problems=tuple(problems),
        fingerprint=fingerprint if fingerprint != "corrupt" else None,
        files_checked=checked,
        manifest={k: v for k, v in manifest.items() if k != "files"},
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
