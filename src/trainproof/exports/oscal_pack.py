"""The evidence pack an OSCAL document cites when none is given: built beside the document, or kept.

The pack is built by `evidence_pack.build_training_pack`, the use case `trainproof evidence` and the
console's download run, so the cited pack is the one an auditor would get from either. A pack records when
it was built (README.txt's "Generated" line, each certificate's issue time, manifest.json's generated_at),
so two builds of the same store and as-of date differ in those bytes and in the pack's SHA-256. Rather
than write a false build time, a pack already beside the document that holds the same evidence is kept
as it is: then the same store and as-of give the same pack and the same document, byte for byte.

"The same evidence" is decided by building a fresh pack and comparing manifests: every file's SHA-256
(the people, completions, exceptions, configuration and sync runs), training, as-of date, counts, tool
version and signing key must match; only the build time and the files that merely carry it (README.txt,
and the certificates, which must match by name, and a name holds the certificate id derived from the
evidence) may differ. The kept pack must verify intact, and its signature hold under the key it names,
which must be this installation's.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast

from trainproof.config import Settings
from trainproof.evidence import verify_pack
from trainproof.evidence.certificates import OnProblem
from trainproof.evidence_pack import build_training_pack
from trainproof.exports.oscal import PackEvidence, read_pack
from trainproof.files import FileWriteError, ensure_private_dir
from trainproof.store.handle import StoreEngine

__all__ = ["BUILD_TIME_FILES", "CitedPack", "cited_pack", "pack_beside", "same_evidence"]

BUILD_TIME_FILES = ("README.txt", "certificates/")
"""Pack files whose bytes carry the build time (README's "Generated" line, each certificate's issue time)."""

Outcome = Literal["wrote", "kept", "replaced", "would write", "would keep", "would replace"]


@dataclass(frozen=True, slots=True)
class CitedPack:
    """The pack the document cites, where it is, and what was done to put it there."""

    evidence: PackEvidence
    path: Path
    outcome: Outcome


def pack_beside(out: Path) -> Path:
    """Where the pack of the document `out` goes: results.json -> results.evidence.zip, beside it."""
    stem = out.stem if out.suffix.lower() == ".json" else out.name
    return out.with_name(f"{stem}.evidence.zip")


def _timed(path: str) -> bool:
    return path == BUILD_TIME_FILES[0] or path.startswith(BUILD_TIME_FILES[1])


def _evidence_of(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest without the build time: what two builds of the same evidence share."""
    files = cast(list[dict[str, Any]], manifest.get("files") or [])
    kept = [{"path": f.get("path")} if _timed(str(f.get("path"))) else dict(f) for f in files]
    return {**{k: v for k, v in manifest.items() if k != "generated_at"}, "files": kept}


def same_evidence(existing: Path, fresh: Path) -> bool:
    """True when `existing` verifies intact and holds what `fresh` holds, build time apart."""
    if not existing.is_file():
        return False
    found, built = verify_pack(existing), verify_pack(fresh)
    return found.ok and built.ok and _evidence_of(found.manifest) == _evidence_of(built.manifest)


@contextlib.contextmanager
def _scratch(beside: Path | None) -> Generator[Path]:
    """An owner-only folder for the fresh build: beside the target (so the rename is atomic) or in the system's."""
    try:
        with tempfile.TemporaryDirectory(prefix=".trainproof-pack-", dir=beside) as tmp:
            yield Path(tmp)
    except OSError as exc:
        raise FileWriteError(
            f"cannot write in {beside or tempfile.gettempdir()} ({exc.strerror})", "check the permissions"
        ) from None


def cited_pack(
    engine: StoreEngine,
    settings: Settings,
    *,
    training: str,
    as_of: datetime,
    path: Path,
    write: bool = True,
    on_problem: OnProblem | None = None,
) -> CitedPack:
    """The evidence pack of `training` as of `as_of` at `path`: kept when it holds that evidence, else written.

    With `write` False nothing is written: the fresh pack is built in a temporary folder, read, and removed.
    """
    if path.is_dir():
        raise FileWriteError(f"{path} is a directory", "choose another --out: the evidence pack is written beside it")
    if write:
        ensure_private_dir(path.parent)
    with _scratch(path.parent if write else None) as folder:
        fresh = folder / path.name
        build_training_pack(engine, settings, training=training, out=fresh, as_of=as_of, on_problem=on_problem)
        if same_evidence(path, fresh):
            return CitedPack(read_pack(path), path, "kept" if write else "would keep")
        evidence = read_pack(fresh)
        existed = path.exists()
        if not write:
            return CitedPack(evidence, path, "would replace" if existed else "would write")
        try:
            os.replace(fresh, path)
        except OSError as exc:
            raise FileWriteError(
                f"cannot write {path} ({exc.strerror})", "check the disk and the permissions"
            ) from None
        return CitedPack(evidence, path, "replaced" if existed else "wrote")
