"""What `evidence verify` proves: signed packs, the signing key, and verify with and without the public key.

The attack these tests hold off: a pack rebuilt with trainproof's own writer after editing population.csv
is internally consistent, so hashes alone pass it; only the builder's signature tells it apart.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from running import CliResult, in_process
from trainproof.evidence import (
    PersonRecord,
    SigningKey,
    SigningKeyError,
    read_public_key,
    signing_key,
    verify_pack,
)
from trainproof.evidence.manifest import _RESERVED, SIGNATURE_NAME, write_zip  # pyright: ignore[reportPrivateUsage]
from trainproof.evidence.signing import KEY_FILE, key_id, public_line, public_pem

from .builders import ISSUED
from .test_pack import make_pack, members

EDIT = (b"incomplete,no", b"compliant,yes")


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return signing_key(tmp_path / "state")


@pytest.fixture
def signed(tmp_path: Path, records: list[PersonRecord], key: SigningKey) -> Path:
    return make_pack(tmp_path / "signed.zip", records, signer=key)


def rebuild_after_edit(pack: Path, out: Path, signer: SigningKey | None = None) -> Path:
    """What a forger with trainproof does: edit population.csv, write the pack again with trainproof's writer."""
    files = members(pack)
    assert EDIT[0] in files["population.csv"]
    files["population.csv"] = files["population.csv"].replace(*EDIT)
    manifest = json.loads(files["manifest.json"])
    header = {k: v for k, v in manifest.items() if k not in ("format", "tool", "files", "signature")}
    with write_zip(out, ISSUED) as writer:
        for name, data in files.items():
            if name not in _RESERVED:
                writer.add(name, data)
        writer.finish(header, signer)
    return out


def problems(path: Path, **kw: Any) -> dict[str, str]:
    result = verify_pack(path, **kw)
    assert not result.ok
    return {p.path: f"{p.kind}: {p.detail}" for p in result.problems}


# --- the key -------------------------------------------------------------------------------------------


def test_the_key_is_created_once_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    state = tmp_path / "new" / "state"
    old = os.umask(0)
    try:
        first = signing_key(state)
    finally:
        os.umask(old)
    path = state / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert [p.name for p in state.iterdir()] == [KEY_FILE]  # no staging file left behind
    assert signing_key(state).key_id == first.key_id  # the same key on every later use
    assert b"PRIVATE KEY" in path.read_bytes()
    assert repr(first) == f"SigningKey(path={str(path)!r}, key_id={first.key_id!r})"  # nothing private


def test_a_key_others_can_read_is_refused(tmp_path: Path, key: SigningKey) -> None:
    key.path.chmod(0o644)
    with pytest.raises(SigningKeyError, match=r"readable by others \(mode 644\).*chmod 600"):
        signing_key(key.path.parent)


def test_a_damaged_key_file_is_one_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / KEY_FILE).write_bytes(b"not a key")
    (state / KEY_FILE).chmod(0o600)
    with pytest.raises(SigningKeyError, match="is not an Ed25519 private key"):
        signing_key(state)


def test_the_public_key_reads_back_from_every_form_it_is_shown_in(tmp_path: Path, key: SigningKey) -> None:
    pem_file = tmp_path / "key.pem"
    pem_file.write_text(public_pem(key.public), encoding="utf-8")
    line_file = tmp_path / "key.txt"
    line_file.write_text(public_line(key.public) + "\n", encoding="utf-8")
    for given in (public_pem(key.public), public_line(key.public), str(pem_file), str(line_file)):
        assert key_id(read_public_key(given)) == key.key_id


def test_a_private_key_or_junk_given_as_public_key_is_refused_without_echoing_it(
    tmp_path: Path, key: SigningKey
) -> None:
    with pytest.raises(SigningKeyError, match="is a private key"):
        read_public_key(str(key.path))
    secretish = "MC4CAQAwBQYDK2VwBCIEIJunk-that-might-be-a-secret"
    with pytest.raises(SigningKeyError) as info:
        read_public_key(secretish)
    assert secretish not in str(info.value)
    with pytest.raises(SigningKeyError, match="not an Ed25519 public key"):
        read_public_key("ed25519:AAAA")


# --- verify, with and without the key -------------------------------------------------------------------


def test_a_signed_pack_verifies_with_its_key_and_says_what_that_proves(signed: Path, key: SigningKey) -> None:
    result = verify_pack(signed, public_key=key.public)
    assert result.ok, result.problems
    assert result.verified_key == key.key_id
    text = "\n".join(result.lines())
    assert f"signed by the key given ({key.key_id})" in text
    assert "byte for byte what the holder" in text
    assert "internal consistency only" not in text


def test_without_the_key_verify_says_it_proves_internal_consistency_only(signed: Path, key: SigningKey) -> None:
    result = verify_pack(signed)
    assert result.ok
    assert result.verified_key is None
    assert result.signed_by == key.key_id
    text = "\n".join(result.lines())
    assert "internal consistency only" in text
    assert "anyone with trainproof can rebuild a consistent pack" in text
    assert "--public-key" in text
    assert f"the pack names key {key.key_id}; not checked" in text


@pytest.mark.parametrize("forger_signs", [False, True], ids=["unsigned-rebuild", "rebuild-signed-by-another-key"])
def test_a_pack_rebuilt_with_trainproofs_writer_after_an_edit_passes_without_the_key_and_fails_with_it(
    forger_signs: bool, signed: Path, key: SigningKey, tmp_path: Path
) -> None:
    forger = signing_key(tmp_path / "forger-state") if forger_signs else None
    forged = rebuild_after_edit(signed, tmp_path / "forged.zip", forger)

    # Hashes alone cannot tell, and verify says so instead of claiming more.
    result = verify_pack(forged)
    assert result.ok
    assert "internal consistency only" in "\n".join(result.lines())

    found = problems(forged, public_key=key.public)
    assert set(found) == {SIGNATURE_NAME}
    if forger is None:
        assert found[SIGNATURE_NAME].startswith("signature: missing: the pack is not signed")
    else:
        assert found[SIGNATURE_NAME].startswith(f"signature: wrong key: the pack was signed by key {forger.key_id}")
        assert key.key_id in found[SIGNATURE_NAME]


def test_the_wrong_key_fails_and_names_both_keys(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    other = signing_key(tmp_path / "other")
    found = problems(signed, public_key=other.public)
    assert set(found) == {SIGNATURE_NAME}
    assert f"signed by key {key.key_id}, not by the key given ({other.key_id})" in found[SIGNATURE_NAME]


def test_a_tampered_member_fails_with_the_key_and_is_named(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    files = members(signed)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(edited, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data.replace(*EDIT) if name == "population.csv" else data)
    found = problems(edited, public_key=key.public)
    assert set(found) == {"population.csv"}  # the signature over manifest.json still holds: the file is the lie
    assert found["population.csv"].startswith("modified: edited")


def test_a_removed_signature_is_caught_with_and_without_the_key(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    files = members(signed)
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(stripped, "w") as zf:
        for name, data in files.items():
            if name != SIGNATURE_NAME:
                zf.writestr(name, data)
    assert (
        problems(stripped)[SIGNATURE_NAME] == f"missing: removed from the pack (manifest.json names key {key.key_id})"
    )
    assert problems(stripped, public_key=key.public)[SIGNATURE_NAME].startswith("signature: missing: removed")


def test_an_edited_signature_is_caught_with_and_without_the_key(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    files = members(signed)
    sig = bytearray(files[SIGNATURE_NAME])
    sig[0] ^= 1
    edited = tmp_path / "sig.zip"
    with zipfile.ZipFile(edited, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, bytes(sig) if name == SIGNATURE_NAME else data)
    assert problems(edited)[SIGNATURE_NAME].startswith("modified: edited")
    assert problems(edited, public_key=key.public)[SIGNATURE_NAME].startswith("signature: invalid")


def test_an_unsigned_pack_fails_with_a_key(tmp_path: Path, records: list[PersonRecord], key: SigningKey) -> None:
    unsigned = make_pack(tmp_path / "unsigned.zip", records)
    assert verify_pack(unsigned).ok
    assert "this pack is not signed" in "\n".join(verify_pack(unsigned).lines())
    assert problems(unsigned, public_key=key.public)[SIGNATURE_NAME].startswith("signature: missing: the pack is not")


def test_the_same_inputs_and_key_give_the_same_signed_bytes(
    tmp_path: Path, records: list[PersonRecord], key: SigningKey, signed: Path
) -> None:
    again = make_pack(tmp_path / "again.zip", records, signer=key)
    assert again.read_bytes() == signed.read_bytes()  # Ed25519 is deterministic


def test_the_private_key_is_nowhere_in_the_pack(signed: Path, key: SigningKey) -> None:
    private = serialization.load_pem_private_key(key.path.read_bytes(), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    blobs = [signed.read_bytes(), *members(signed).values()]
    for needle in (raw, raw.hex().encode(), key.path.read_bytes().splitlines()[1]):
        assert not any(needle in blob for blob in blobs)
    assert members(signed)["README.txt"].decode().count(key.key_id) == 1


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_verifies_the_signature_without_trainproof(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(signed) as zf:
        zf.extractall(folder)
    (folder / "key.pem").write_text(public_pem(key.public), encoding="utf-8")
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "manifest.json"]
    good = subprocess.run([*command, "-sigfile", SIGNATURE_NAME], cwd=folder, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    (folder / "manifest.json").write_bytes((folder / "manifest.json").read_bytes().replace(b"2026", b"2025", 1))
    bad = subprocess.run([*command, "-sigfile", SIGNATURE_NAME], cwd=folder, capture_output=True, text=True)
    assert bad.returncode != 0


# --- the CLI --------------------------------------------------------------------------------------------


def _cli(args: list[str], state: Path, cwd: Path) -> CliResult:
    return in_process(args, {"TRAINPROOF_STATE_DIR": str(state)}, cwd=cwd, timeout=60)


def test_cli_key_and_verify_say_what_was_proved(signed: Path, key: SigningKey, tmp_path: Path) -> None:
    state = key.path.parent
    shown = _cli(["evidence", "key"], state, tmp_path)
    assert shown.code == 0, shown.stderr
    assert shown.stdout == public_pem(key.public)
    assert key.key_id in shown.stderr
    assert public_line(key.public) in shown.stderr
    assert "PRIVATE" not in shown.stdout + shown.stderr
    (tmp_path / "key.pem").write_text(shown.stdout, encoding="utf-8")

    plain = _cli(["evidence", "verify", str(signed)], state, tmp_path)
    assert plain.code == 0, plain.stdout + plain.stderr
    assert "internal consistency only" in plain.stdout
    assert "--public-key" in plain.stdout

    with_key = _cli(["evidence", "verify", str(signed), "--public-key", "key.pem"], state, tmp_path)
    assert with_key.code == 0, with_key.stdout + with_key.stderr
    assert f"signed by the key given ({key.key_id})" in with_key.stdout

    forged = rebuild_after_edit(signed, tmp_path / "forged.zip")
    assert _cli(["evidence", "verify", str(forged)], state, tmp_path).code == 0
    caught = _cli(["evidence", "verify", str(forged), "--public-key", public_line(key.public)], state, tmp_path)
    assert caught.code == 1
    err = caught.stderr.strip().splitlines()
    assert len(err) == 1, caught.stderr
    assert err[0].startswith(f"error: {forged} failed verification: manifest.sig: missing: the pack is not signed")
    assert "Traceback" not in caught.stderr

    wrong = _cli(["evidence", "verify", str(signed), "--public-key", "nonsense"], state, tmp_path)
    assert wrong.code == 2
    assert wrong.stderr.strip().splitlines() == [
        "error: the public key given is neither a public key nor an existing file: give the PEM file or the "
        "one-line ed25519:... form that `trainproof evidence key` prints"
    ]


def test_cli_help_says_what_verify_proves(tmp_path: Path) -> None:
    shown = _cli(["evidence", "verify", "--help"], tmp_path / "state", tmp_path)
    text = " ".join(shown.stdout.split())
    assert "internal consistency only" in text
    assert "anyone with trainproof can rebuild a consistent pack" in text
    assert "--public-key" in text
