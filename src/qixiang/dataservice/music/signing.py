"""天擎 request signing, as its Python clients do it (nmc_met_io ``retrieve_cmadaas``).

The client adds ``timestamp`` (milliseconds since 1970) and ``nonce`` (a UUID) to its
parameters, joins every parameter *including* ``pwd`` as ``k=v`` sorted by key with ``&``, and
sends ``sign`` = the uppercase hex MD5 of that string; ``pwd`` itself is left out of the URL.

The server rebuilds the string from the parameters it received (all but ``sign``) plus the
user's secret, compares, then refuses a timestamp more than ``QIXIANG_MUSIC_MAX_SKEW`` seconds
from its clock and a nonce the same user already used (nonces are kept for twice that window).
MD5 is what the protocol uses; the secret never travels, and timestamp + nonce stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qixiang.dataservice.models import MusicCredential, MusicNonce
from qixiang.dataservice.music import errors
from qixiang.dataservice.music.credentials import credential_secret

PURGE_PROBABILITY = 0.01  # purge old nonces on about one request in a hundred


def canonical(params: Mapping[str, str]) -> str:
    """``k1=v1&k2=v2...`` sorted by key, values stripped (as the 天擎 client builds it)."""
    return "&".join(f"{key}={str(params[key]).strip()}" for key in sorted(params))


def signature(params: Mapping[str, str], secret: str) -> str:
    """The uppercase MD5 a client sends as ``sign`` for ``params`` (without ``pwd``/``sign``)."""
    return hashlib.md5(canonical({**params, "pwd": secret}).encode()).hexdigest().upper()


def signed_params(params: Mapping[str, str], user_id: str, secret: str,
                  now: float | None = None) -> dict[str, str]:
    """``params`` with ``userId``, ``timestamp``, ``nonce`` and ``sign`` added: what a client
    sends (used by tests and the docs' example)."""
    out = {**params, "userId": user_id,
           "timestamp": str(int((time.time() if now is None else now) * 1000)),
           "nonce": str(uuid.uuid1())}
    out["sign"] = signature(out, secret)
    return out


def _timestamp_seconds(value: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise errors.bad_parameter("timestamp", _("milliseconds since 1970 expected, got %(v)r")
                                   % {"v": value}) from None
    return number / 1000.0 if number > 1e11 else number  # milliseconds (天擎) or seconds


def verify(params: Mapping[str, str]) -> MusicCredential:
    """The credential that signed ``params`` (the query parameters as received); raises
    :class:`~.errors.MusicError` for an unknown user, a bad signature, a stale timestamp or a
    nonce used before."""
    lower = {key.lower(): key for key in params}
    user_id = params.get(lower.get("userid", ""), "")
    sign = params.get(lower.get("sign", ""), "")
    if not user_id or not sign:
        raise errors.MusicError(errors.NOT_AUTHENTICATED,
                                _("userId and sign are required for this dataset."), 401)
    credential = (MusicCredential.objects.select_related("api_key__user")
                  .filter(user_id=user_id).first())
    if credential is None or credential.api_key.revoked:
        raise errors.MusicError(errors.AUTH_FAILED,
                                _("Unknown or revoked userId %(user)s.") % {"user": user_id}, 401)
    unsigned = {k: v for k, v in params.items() if k != lower["sign"]}
    expected = signature(unsigned, credential_secret(credential))
    if not hmac.compare_digest(expected, sign.strip().upper()):
        raise errors.MusicError(errors.AUTH_FAILED, _(
            "The signature does not match: sign must be the uppercase MD5 of every parameter "
            "and pwd, as k=v sorted by key and joined with &."), 401)
    skew = settings.QIXIANG_MUSIC_MAX_SKEW
    stamp = _timestamp_seconds(params.get(lower.get("timestamp", ""), ""))
    if abs(time.time() - stamp) > skew:
        raise errors.MusicError(errors.STALE_TIMESTAMP, _(
            "The timestamp is more than %(skew)d s away from the server clock (%(now)s UTC); "
            "check the client's clock.") % {"skew": skew, "now": datetime.now(UTC)
                                            .strftime("%Y-%m-%d %H:%M:%S")}, 401)
    nonce = params.get(lower.get("nonce", ""), "").strip()
    if not nonce or len(nonce) > 64:
        raise errors.bad_parameter("nonce", _("a unique value of 1 to 64 characters expected"))
    remember_nonce(user_id, nonce)
    return credential


def remember_nonce(user_id: str, nonce: str) -> None:
    """Record a nonce, or raise when this user already used it."""
    now = datetime.now(UTC)
    try:
        with transaction.atomic():
            MusicNonce.objects.create(user_id=user_id, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise errors.MusicError(errors.REPLAYED_NONCE, _(
            "This nonce was already used: every request needs a new nonce."), 401) from None
    if random.random() < PURGE_PROBABILITY:
        window = timedelta(seconds=2 * settings.QIXIANG_MUSIC_MAX_SKEW)
        MusicNonce.objects.filter(seen_at__lt=now - window).delete()
