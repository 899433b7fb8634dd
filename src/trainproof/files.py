"""Owner-only files: the one way trainproof writes a file that names people or keeps a count that matters.

Certificates, evidence packs, the HTML report, the remediation import CSV, the signing key and the daily
request count name people or must not be tampered with, so each is created 0600 in a folder created
0700, from the first byte on: `mkstemp` creates the file 0600 with O_EXCL, and a umask only ever removes
bits. Each write is atomic (a temporary file in the same folder, fsynced, then renamed over the target):
readers never see half a file, and a failure leaves the old file, or nothing, behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import BinaryIO

from trainproof.errors import TrainproofError

__all__ = [
    "PRIVATE_DIR_MODE",
    "FileWriteError",
    "ensure_private_dir",
    "private_file",
    "write_private",
]

PRIVATE_DIR_MODE = 0o700


class FileWriteError(TrainproofError):
    """An output file or its folder cannot be written (the path the user chose, or the disk)."""

    exit_code = 2


def ensure_private_dir(path: Path, *, todo: str = "choose another --out") -> Path:
    """Create a folder (and parents) owner-only; an existing folder is left as its owner set it."""
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise FileWriteError(f"cannot create directory {path} ({exc.strerror})", todo) from None
    if not path.is_dir():
        raise FileWriteError(f"{path} exists and is not a directory", todo)
    return path


@contextlib.contextmanager
def private_file(path: Path, *, todo: str = "choose another --out") -> Generator[BinaryIO]:
    """A file opened for writing that appears at `path` (mode 0600) only if the block succeeds."""
    ensure_private_dir(path.parent, todo=todo)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise FileWriteError(f"cannot write in {path.parent} ({exc.strerror})", "check the permissions") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise FileWriteError(f"cannot write {path} ({exc.strerror})", "check the disk and the permissions") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_private(path: Path | str, data: bytes | str, *, todo: str = "choose another --out") -> Path:
    """Write `data` (text as UTF-8, line ends as given) to `path` atomically with mode 0600."""
    target = Path(path)
    with private_file(target, todo=todo) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target
