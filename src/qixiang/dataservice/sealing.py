"""Sealing secrets the server must read back in clear: MUSIC signing secrets.

A 天擎 (MUSIC) client signs with ``MD5(sorted params + pwd)``, so the server needs the clear
``pwd`` to check a signature; a hash would not do. Such secrets are sealed with Fernet
(AES-128-CBC + HMAC-SHA256, from ``cryptography``) under a key kept outside the database, in
``QIXIANG_KEY_DIR/sealing.key`` (mode 0600, made at first use): a copy of the database alone
reveals no secret. Losing the key file makes every sealed secret unreadable: the credentials must
then be issued again (back the key folder up with the database, but separately).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from qixiang.dataservice import keyfiles

KEY_FILE = "sealing.key"


class Unsealable(ValueError):
    """A sealed value that this server's key cannot open."""


@cache
def _fernet(directory: str) -> Fernet:
    path = Path(directory) / KEY_FILE
    return Fernet(keyfiles.read_or_create(path, Fernet.generate_key).strip())


def _current() -> Fernet:
    return _fernet(str(keyfiles.key_dir()))


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Unsealable("the sealed secret does not open with this server's sealing key "
                         f"({keyfiles.key_dir() / KEY_FILE})") from None
