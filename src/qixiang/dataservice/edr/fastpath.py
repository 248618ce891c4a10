"""Cached EDR answers served in front of Django's request cycle (a WSGI wrapper).

Measured (bench/dataservice.py): a cached answer costs ~0.07 ms in :func:`respond.serve` but
~0.3 ms more in Django's middleware, URL resolver and ninja. :class:`FastPath` wraps the WSGI
application: a GET of an EDR data route whose answer is cached (or whose ``If-None-Match``
matches) is answered here, through the same :func:`respond.serve` — so the same access check,
quota charge, ETag, headers and provenance record — without the rest of Django's cycle.
Anything else (a cache miss, a browser session, metadata pages, errors) goes to Django unchanged.

Only requests without a session cookie take this path: a session user is identified by
Django's session and auth middleware, which this path skips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpResponse
from django.utils import translation

from qixiang.dataservice import query
from qixiang.dataservice.edr import formats, respond

_ROUTE = re.compile(r"^/edr/collections/(?P<id>[^/]+)/"
                    r"(?P<kind>position|radius|area|cube|locations|items)(?:/[^/]+)?$")
_ITEMS = (formats.GEOJSON, formats.HTML)


def _security_headers() -> dict[str, str]:
    """What Django's security, clickjacking and locale middleware add to every answer."""
    headers = {"X-Frame-Options": getattr(settings, "X_FRAME_OPTIONS", "DENY")}
    if getattr(settings, "SECURE_CONTENT_TYPE_NOSNIFF", True):
        headers["X-Content-Type-Options"] = "nosniff"
    if policy := getattr(settings, "SECURE_REFERRER_POLICY", "same-origin"):
        headers["Referrer-Policy"] = policy
    if coop := getattr(settings, "SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-origin"):
        headers["Cross-Origin-Opener-Policy"] = coop
    return headers


def cached_answer(environ: dict) -> HttpResponse | None:
    """The answer to a GET of an EDR data route when it is cached or not modified, else None."""
    if environ.get("REQUEST_METHOD") != "GET":
        return None
    match = _ROUTE.match(environ.get("PATH_INFO", ""))
    if match is None or settings.SESSION_COOKIE_NAME in environ.get("HTTP_COOKIE", ""):
        return None
    dataset = query.DATASETS.get(match["id"])
    if dataset is None:
        return None
    kind = match["kind"]
    is_list = kind == "locations" and environ["PATH_INFO"].endswith("/locations")
    if kind == "items" or is_list:
        allowed, default = _ITEMS, formats.GEOJSON
    else:
        allowed, default = formats.DATA_FORMATS, formats.COVERAGEJSON
    max_age = respond.META_MAX_AGE if is_list else respond.DATA_MAX_AGE
    request = WSGIRequest(environ)
    try:
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware checks it
    except Exception:  # DisallowedHost: let Django answer it
        return None
    language = translation.get_language_from_request(request)
    translation.activate(language)
    try:
        response = respond.serve(request, dataset, None, allowed=allowed, default=default,
                                 max_age=max_age, cached_only=True)
    finally:
        translation.deactivate()
    if response is not None:
        for name, value in _security_headers().items():
            response.setdefault(name, value)
        response.setdefault("Content-Language", language)
    return response


class FastPath:
    """WSGI application: cached EDR answers here, everything else to ``app`` (Django)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith("/edr/collections/"):
            return self.app(environ, start_response)
        close_old_connections()  # as Django does at request start (and Django at its end)
        response = cached_answer(environ)
        if response is None:
            return self.app(environ, start_response)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, [(k, str(v)) for k, v in response.items()])
        return [response.content]
