"""MUSIC credentials: a ``userId`` and a secret (the ``pwd`` a 天擎 client signs with).

Each credential hangs on an API key of its user (made with it, named ``MUSIC <userId>``):
revoking that key — in the admin, the portal or ``qixiang apikey revoke`` — revokes the
credential. The secret is shown once and stored sealed (:mod:`qixiang.dataservice.sealing`).
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import User
from qixiang.dataservice import sealing
from qixiang.dataservice.models import MusicCredential

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def _free_user_id(user: User) -> str:
    base = _SAFE.sub("_", user.get_username())[:48] or "user"
    candidate, n = base, 1
    while MusicCredential.objects.filter(user_id=candidate).exists():
        n += 1
        candidate = f"{base}_{n}"
    return candidate


@transaction.atomic
def create_credential(user: User) -> tuple[MusicCredential, str]:
    """A new credential for ``user``: the row and the clear secret, which is never shown again."""
    user_id = _free_user_id(user)
    api_key, _clear = create_api_key(user, f"MUSIC {user_id}")
    secret = secrets.token_urlsafe(24)
    row = MusicCredential.objects.create(api_key=api_key, user_id=user_id,
                                         sealed_secret=sealing.seal(secret))
    return row, secret


def credential_secret(credential: MusicCredential) -> str:
    return sealing.unseal(credential.sealed_secret)
