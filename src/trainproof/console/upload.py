"""A file sent with a form (multipart/form-data), streamed into a private folder and refused past a size.

Starlette's own form parsing keeps an upload of any size (in memory, then in an anonymous temporary
file), and `verify_pack` needs a path. So the body is read here with python-multipart's streaming
parser: the one file field is written straight to a file in a folder only this user can open
(`tempfile.mkdtemp`, mode 0700), the parsing and writing run in the thread pool, and reading stops as
soon as the body passes the limit (a Content-Length above it is refused before anything is read).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from trainproof.errors import ConfigError, TrainproofError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["Upload", "UploadNotStored", "UploadTooLarge", "receive_file"]


class UploadTooLarge(TrainproofError):
    """The request body is larger than the page accepts."""


class UploadNotStored(TrainproofError):
    """The server could not write the upload (a full or unwritable temporary folder)."""


@dataclass
class Upload:
    """The file received; `remove` deletes it and its folder."""

    folder: Path
    path: Path

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _safe_name(sent: str, default: str) -> str:
    """The file name the browser sent, without any folder and reduced to plain characters (it is shown)."""
    base = PureWindowsPath(PurePosixPath(sent).name).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).strip("._")[:100]
    return cleaned or default


@dataclass
class _Receiver:
    """python-multipart's callbacks: the headers of each part, and the bytes of the wanted one to a file."""

    folder: Path
    wanted: str
    default_name: str
    path: Path | None = None
    _fh: IO[bytes] | None = None
    _field: bytearray = field(default_factory=bytearray)
    _value: bytearray = field(default_factory=bytearray)
    _disposition: bytes = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._disposition = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field.extend(data[start:end])

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value.extend(data[start:end])

    def _header_end(self) -> None:
        if bytes(self._field).strip().lower() == b"content-disposition":
            self._disposition = bytes(self._value)
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        sent = options.get(b"filename")
        if name != self.wanted or sent is None or self.path is not None:
            return
        self.path = self.folder / _safe_name(sent.decode("utf-8", "replace"), self.default_name)
        self._fh = self.path.open("xb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._fh is not None:
            self._fh.write(data[start:end])

    def _end(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        self._end()


async def receive_file(request: Request, wanted: str, *, limit: int, default_name: str) -> Upload:
    """The file of the form field `wanted`, in a new private folder; the caller removes it (`Upload.remove`).

    ConfigError for a body that is not a form with that file; UploadTooLarge past `limit` bytes.
    """
    too_large = UploadTooLarge(
        f"the upload is larger than {limit // (1 << 20):,} MB, more than this page accepts",
        "check the file is an evidence pack, or verify it with `trainproof evidence verify PACK.zip`",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ConfigError("the request holds no uploaded file", f"send the form with its file field '{wanted}'")
    folder = Path(tempfile.mkdtemp(prefix="trainproof-upload-"))
    receiver = _Receiver(folder, wanted, default_name)
    parser = MultipartParser(boundary, receiver.callbacks())
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        await run_in_threadpool(parser.finalize)
    except BaseException as exc:
        receiver.close()
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, FormParserError):  # a malformed body from the client
            raise ConfigError("the upload is not a well-formed form", "send the file again") from None
        if isinstance(exc, OSError):
            raise UploadNotStored(
                f"the upload could not be stored ({exc.strerror or exc})", "free space in the temporary folder"
            ) from None
        raise
    receiver.close()
    if receiver.path is None:
        shutil.rmtree(folder, ignore_errors=True)
        raise ConfigError("no file was uploaded", f"choose a file for the field '{wanted}'")
    return Upload(folder, receiver.path)
