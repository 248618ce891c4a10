"""The Ed25519 keys that sign provenance records, kept in ``QIXIANG_KEY_DIR/provenance``.

- ``<kid>.pem`` is a private key (PKCS#8, mode 0600); ``<kid>.pub.pem`` a retired key whose
  private half was deleted (its old records still verify).
- ``current`` names the key that signs new records.
- The key id is ``ed25519-`` and the first 16 hex digits of the sha256 of the raw public key, so
  a key id names exactly one key.

The first key is made at first use (several processes starting at once agree on one: files are
created with ``link``, which fails if the name exists). ``qixiang provenance-key rotate`` makes a
new current key; the process that rotates signs with it at once, the others notice the change of
``current`` within :data:`RECHECK_SECONDS` (a stat per second, not per record).
Every public key, current and retired, is published as a JWK set at ``/provenance/keys``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from qixiang.dataservice import jws, keyfiles

CURRENT = "current"
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None  # None: retired

    def jwk(self) -> dict:
        return jws.public_jwk(self.public, self.kid)


def key_dir() -> Path:
    return keyfiles.key_dir("provenance")


def kid_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def _new_key(directory: Path) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    kid = kid_of(private.public_key())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    keyfiles.write_new(directory / f"{kid}.pem", pem)
    return SigningKey(kid, private.public_key(), private)


def _load(directory: Path, kid: str) -> SigningKey:
    private_path = directory / f"{kid}.pem"
    if private_path.exists():
        private = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
        return SigningKey(kid, private.public_key(), private)
    public = serialization.load_pem_public_key((directory / f"{kid}.pub.pem").read_bytes())
    return SigningKey(kid, public)


class _Current:
    """The current key, reloaded when the ``current`` file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # (inode, mtime_ns) of ``current``
        self._key: SigningKey | None = None
        self._root: object = None  # the QIXIANG_KEY_DIR setting it was read under
        self._check_at = 0.0  # monotonic time of the next look at ``current``

    def get(self) -> SigningKey:
        root, now = settings.QIXIANG_KEY_DIR, time.monotonic()
        key = self._key
        if key is not None and root is self._root and now < self._check_at:
            return key
        key = self._read()
        self._root, self._check_at = root, now + RECHECK_SECONDS
        return key

    def forget(self) -> None:
        self._check_at = 0.0

    def _read(self) -> SigningKey:
        directory = key_dir()
        pointer = directory / CURRENT
        with self._lock:
            try:
                info = pointer.stat()
            except FileNotFoundError:
                key = _new_key(directory)
                if not keyfiles.write_new(pointer, key.kid.encode(), 0o644):  # another won
                    (directory / f"{key.kid}.pem").unlink(missing_ok=True)
                info = pointer.stat()
            stamp = (info.st_ino, info.st_mtime_ns)
            if stamp != self._seen or self._key is None:
                self._key = _load(directory, pointer.read_text().strip())
                self._seen = stamp
            return self._key


_current = _Current()


def current() -> SigningKey:
    """The key that signs new records (made at first use)."""
    return _current.get()


def rotate() -> SigningKey:
    """Make a new key and sign new records with it; older keys still verify."""
    directory = key_dir()
    key = _new_key(directory)
    keyfiles.replace(directory / CURRENT, key.kid.encode())
    _current.forget()
    return key


def retire(kid: str) -> None:
    """Delete the private half of a key that no longer signs; its public half stays published."""
    directory = key_dir()
    if (directory / CURRENT).exists() and (directory / CURRENT).read_text().strip() == kid:
        raise ValueError(f"{kid} is the current key: rotate first")
    key = _load(directory, kid)
    pub = key.public.public_bytes(serialization.Encoding.PEM,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    keyfiles.write_new(directory / f"{kid}.pub.pem", pub, 0o644)
    (directory / f"{kid}.pem").unlink(missing_ok=True)


def all_keys() -> list[SigningKey]:
    """Every key, current and retired, newest file first."""
    current()  # the first key exists before anyone asks for the set
    directory = key_dir()
    kids = {p.name.removesuffix(".pub.pem").removesuffix(".pem")
            for p in directory.glob("ed25519-*.pem")}
    files = {kid: directory / (f"{kid}.pem" if (directory / f"{kid}.pem").exists()
                               else f"{kid}.pub.pem") for kid in kids}
    ordered = sorted(kids, key=lambda kid: files[kid].stat().st_mtime_ns, reverse=True)
    return [_load(directory, kid) for kid in ordered]


def jwks() -> dict:
    """The published key set: ``{"keys": [JWK, ...]}`` with ``status`` current or retired."""
    now = current().kid
    keys = []
    for key in all_keys():
        jwk = key.jwk()
        jwk["status"] = "current" if key.kid == now else (
            "retired" if key.private is None else "previous")
        keys.append(jwk)
    return {"keys": keys}
