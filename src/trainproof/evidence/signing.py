"""The Ed25519 key that signs evidence packs, and the text forms of its public half.

Hashes alone show that a pack is consistent, not who built it: anyone with trainproof can rebuild a
consistent pack after editing population.csv. A signature over manifest.json (which pins every other
file's SHA-256) made with a key only the builder holds closes that gap for whoever has the public key.

The private key is created on first use in the state folder (TRAINPROOF_STATE_DIR) as PKCS#8 PEM, mode
0600, and never leaves it. The public key is shown as PEM (what `openssl pkeyutl` reads) and in one line,
`ed25519:<base64 of the 32 key bytes>`, short enough to paste on a command line or into an audit record.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trainproof.evidence._common import EvidenceError
from trainproof.files import write_private

KEY_FILE = "evidence-signing-key.pem"
LINE_PREFIX = "ed25519:"
ALGORITHM = "Ed25519"


class SigningKeyError(EvidenceError):
    """A signing or public key cannot be created, read or understood."""


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """`SHA256:<base64>` of the 32 key bytes: short enough to read aloud, long enough to trust."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(_raw(public)).digest()).decode("ascii").rstrip("=")


def public_line(public: Ed25519PublicKey) -> str:
    """The one-line text form, `ed25519:<base64>`."""
    return LINE_PREFIX + base64.b64encode(_raw(public)).decode("ascii")


def public_pem(public: Ed25519PublicKey) -> str:
    """SubjectPublicKeyInfo PEM, the form openssl and most tools read."""
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The private key and where it lives; `sign` is the only use made of the private half."""

    path: Path
    _private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self._private.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public)

    def sign(self, data: bytes) -> bytes:
        """A 64-byte Ed25519 signature (deterministic: the same data and key give the same bytes)."""
        return self._private.sign(data)

    def __repr__(self) -> str:  # never the private key, whoever prints this object
        return f"SigningKey(path={str(self.path)!r}, key_id={self.key_id!r})"


def signing_key(state_dir: Path) -> SigningKey:
    """The pack-signing key in `state_dir`, created (0600, whatever the umask) the first time it is needed."""
    path = Path(state_dir) / KEY_FILE
    if not path.exists():
        _create(path)
    return _load(path)


def installed_public_key(state_dir: Path) -> Ed25519PublicKey | None:
    """The public half of the key in `state_dir`, or None when this installation has signed nothing yet.

    For checking a pack: unlike `signing_key`, it never creates a key, so verifying writes nothing.
    """
    path = Path(state_dir) / KEY_FILE
    return _load(path).public if path.exists() else None


def _create(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise SigningKeyError(
            f"cannot create the state folder {path.parent} for the evidence signing key ({exc.strerror})",
            "set TRAINPROOF_STATE_DIR to a folder you can write",
        ) from None
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    staged = path.with_name(f".{path.name}.{os.getpid()}.new")
    write_private(staged, pem)  # the one owner-only atomic writer; 0600 from creation on
    try:
        os.link(staged, path)  # never replaces a key another process created in the meantime
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links
        if not path.exists():
            os.replace(staged, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(staged)


def _load(path: Path) -> SigningKey:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(
            f"cannot read the evidence signing key {path} ({exc.strerror})", "check its owner and permissions"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(
            f"the evidence signing key {path} is readable by others (mode {stat.S_IMODE(mode):o})",
            f"run chmod 600 {path}, and make a new key (delete the file) if others may have read it",
        )
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise SigningKeyError(
            f"{path} is not an Ed25519 private key in PEM",
            "move it away; trainproof makes a new key on the next run (packs signed before keep the old key)",
        )
    return SigningKey(path, private)


def read_public_key(text_or_path: str) -> Ed25519PublicKey:
    """A public key from its one-line form, its PEM text, or a file holding either."""
    text = text_or_path.strip()
    if not text.startswith((LINE_PREFIX, "-----BEGIN")):
        path = Path(text_or_path).expanduser()
        if not path.is_file():
            raise SigningKeyError(
                "the public key given is neither a public key nor an existing file",  # not echoed: it may be a secret
                f"give the PEM file or the one-line {LINE_PREFIX}... form that `trainproof evidence key` prints",
            )
        try:
            text = path.read_text("utf-8", errors="replace").strip()
        except OSError as exc:
            raise SigningKeyError(
                f"cannot read the public key file {path} ({exc.strerror})", "check the path"
            ) from None
        if "PRIVATE KEY" in text:
            raise SigningKeyError(
                f"{path} is a private key",
                "give the public key (`trainproof evidence key` prints it); keep the private key where it is",
            )
    try:
        if text.startswith(LINE_PREFIX):
            return Ed25519PublicKey.from_public_bytes(base64.b64decode(text[len(LINE_PREFIX) :], validate=True))
        public = serialization.load_pem_public_key(text.encode("utf-8"))
    except (ValueError, TypeError, binascii.Error):
        public = None
    if not isinstance(public, Ed25519PublicKey):
        raise SigningKeyError(
            "the public key given is not an Ed25519 public key",
            f"give the PEM or the one-line {LINE_PREFIX}... form that `trainproof evidence key` prints",
        )
    return public


def signature_valid(public: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True
