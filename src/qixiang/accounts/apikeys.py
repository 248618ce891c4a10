"""Making and checking API keys.

A key is ``qx_`` and 43 URL-safe random characters (256 bits). The database holds its sha256
only, so a leaked database gives no working key; a key is found by its hash (unique index), and
its high entropy makes a slow hash unnecessary.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from qixiang.accounts.models import ApiKey, User

KEY_PREFIX = "qx_"
SHOWN_CHARS = 8
# ``last_used_at`` is written at most this often per key: no database write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def set_new_key(row: ApiKey) -> str:
    """Give the unsaved ``row`` a fresh key; returns the clear key, which is never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row.prefix, row.hashed_key = key[:SHOWN_CHARS], hash_key(key)
    return key


def create_api_key(user: User, name: str = "") -> tuple[ApiKey, str]:
    """A new key for ``user``: the stored row and the clear key, which is never seen again."""
    row = ApiKey(user=user, name=name)
    key = set_new_key(row)
    row.save()
    return row, key


def user_for_key(key: str | None) -> User | None:
    """The active user owning the unrevoked ``key``, or None; notes when the key was used."""
    if not key:
        return None
    row = (ApiKey.objects.select_related("user")
           .filter(hashed_key=hash_key(key.strip()), revoked=False).first())
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke(prefix: str, user: User | None = None) -> int:
    """Revoke the keys starting with ``prefix`` (of ``user`` if given); how many were revoked."""
    keys = ApiKey.objects.filter(prefix__startswith=prefix[:SHOWN_CHARS], revoked=False)
    if user is not None:
        keys = keys.filter(user=user)
    return keys.update(revoked=True)
