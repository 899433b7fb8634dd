"""Owner-only files: 0600 in a 0700 folder whatever the umask, written whole or not at all."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from trainproof.files import FileWriteError, private_file, write_private


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_private_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir" / "report.html"
    assert write_private(target, "<p>Ada</p>\r\n") == target
    assert target.read_bytes() == b"<p>Ada</p>\r\n"  # text as UTF-8, line ends as given
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_an_existing_file_is_replaced_private(tmp_path: Path) -> None:
    target = tmp_path / "people.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    write_private(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "pack.zip"
    target.write_bytes(b"old")

    def half_then_fail() -> None:
        with private_file(target) as fh:
            fh.write(b"half")
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        half_then_fail()
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.zip"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_is_one_line_with_the_callers_remedy(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(FileWriteError) as info:
        write_private(locked / "out.csv", "x", todo="choose another --import-csv path")
    assert info.value.message == f"cannot write in {locked} (Permission denied): check the permissions"
    with pytest.raises(FileWriteError) as info:
        write_private(locked / "sub" / "out.csv", "x", todo="choose another --import-csv path")
    assert info.value.message == (
        f"cannot create directory {locked / 'sub'} (Permission denied): choose another --import-csv path"
    )
    assert info.value.exit_code == 2


def test_a_file_in_the_way_of_the_folder_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "certs").write_text("not a folder", encoding="utf-8")
    with pytest.raises(FileWriteError) as info:
        write_private(tmp_path / "certs" / "ada.pdf", b"%PDF")
    assert info.value.message == f"cannot create directory {tmp_path / 'certs'} (File exists): choose another --out"
