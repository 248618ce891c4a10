"""The supervision app's secret keys: from settings, or generated once under ``var/keys/``.

Three keys with different lives: Fernet keys encrypt ID numbers at rest (a list, newest first,
so keys can be rotated: old ciphertexts still decrypt); one lookup key makes the keyed hashes
that find a person and name them in supervision codes (it can never change without re-hashing
every person); versioned QR keys sign the site tokens printed on plates (a new version signs new
plates, old versions keep verifying until removed). Losing a generated key file loses what it
protects: it must be backed up with the database.
"""

from __future__ import annotations

import base64
import functools
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed


def _key_file(name: str, make) -> str:
    """The content of ``var/keys/supervision-<name>.key``, written by ``make()`` if absent."""
    folder = Path(settings.VAR_DIR) / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"supervision-{name}.key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(make() + "\n")
    return path.read_text().strip()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@functools.cache
def pii_cipher() -> MultiFernet:
    """Encrypts with the newest Fernet key, decrypts with any."""
    configured = _split(getattr(settings, "QIXIANG_SUPERVISION_PII_KEYS", ""))
    keys = configured or [_key_file("pii", lambda: Fernet.generate_key().decode())]
    return MultiFernet([Fernet(k.encode()) for k in keys])


@functools.cache
def lookup_key() -> bytes:
    configured = getattr(settings, "QIXIANG_SUPERVISION_LOOKUP_KEY", "")
    text = configured or _key_file("lookup", lambda: secrets.token_urlsafe(32))
    return text.encode()


@functools.cache
def qr_keys() -> tuple[int, dict[int, bytes]]:
    """``(newest version, {version: key})`` of the site token keys."""
    configured = _split(getattr(settings, "QIXIANG_SUPERVISION_QR_KEYS", ""))
    entries = configured or ["1:" + _key_file("qr", lambda: secrets.token_urlsafe(32))]
    keys: dict[int, bytes] = {}
    for entry in entries:
        version, _, key = entry.partition(":")
        if not (version.isdigit() and key):
            raise ValueError("QIXIANG_SUPERVISION_QR_KEYS: each entry is 'version:key'")
        keys[int(version)] = key.encode()
    return int(entries[0].partition(":")[0]), keys


def new_fernet_key() -> str:
    """A fresh key for QIXIANG_SUPERVISION_PII_KEYS."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _forget(*, setting: str, **kwargs) -> None:
    if setting.startswith("QIXIANG_SUPERVISION_") or setting == "VAR_DIR":
        pii_cipher.cache_clear()
        lookup_key.cache_clear()
        qr_keys.cache_clear()


setting_changed.connect(_forget)
