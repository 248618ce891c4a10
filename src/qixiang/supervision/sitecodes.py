"""Each site's QR code: a signed token (no personal data) that opens the site's page.

The token names the site and its subject's supervision code, the key version and an expiry
(:func:`qixiang.science.identifiers.sign_site_token`); the QR image holds the URL
``/supervision/s/<token>``. Scanning it on site is part of the inspection trail; a plate whose
key was retired or whose time ran out stops working and a new one is printed.
"""

from __future__ import annotations

import datetime as dt
import io

import segno
from django.conf import settings
from django.utils import timezone

from qixiang.science.identifiers import TokenError, sign_site_token, verify_site_token
from qixiang.supervision import keys
from qixiang.supervision.models import Site

__all__ = ["TokenError", "qr_png", "site_id_for", "token_for"]


def token_for(site: Site, now: dt.datetime | None = None) -> str:
    version, all_keys = keys.qr_keys()
    expires = (now or timezone.now()) + dt.timedelta(days=settings.QIXIANG_SUPERVISION_QR_DAYS)
    return sign_site_token(site.pk, site.subject.subject_code, all_keys[version], version,
                           expires)


def site_id_for(token: str, now: dt.datetime | None = None) -> int:
    """The id of the site a token names; raises TokenError when it is forged or expired."""
    _version, all_keys = keys.qr_keys()
    return verify_site_token(token, all_keys, now or timezone.now()).site_id


def qr_png(url: str, scale: int = 6) -> bytes:
    """A PNG QR code of ``url`` (error correction M, quiet zone of 4 modules)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
