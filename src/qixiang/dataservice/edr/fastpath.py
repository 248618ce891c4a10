"""Cached EDR answers served in front of Django's request cycle (a WSGI wrapper).

Measured (bench/dataservice.py): a cached answer costs ~0.07 ms in :func:`respond.serve` but
~0.3 ms more in Django's middleware, URL resolver and ninja. :class:`FastPath` wraps the WSGI
application: a GET of an EDR data route whose answer is cached (or whose ``If-None-Match``
matches) is answered here, through the same :func:`respond.serve` — so the same access check,
quota charge, ETag, headers and provenance record — without the rest of Django's cycle.
Anything else (a cache miss, a browser session, metadata pages, errors) goes to Django unchanged.
The answer is a :class:`respond.Answer` (status, header dict, body) sent as it is: building a
Django response and its validated headers cost as much again as the rest. What Django's
middleware would add (security headers, ``Content-Language``) is added here; the host check
and the language, the same for the same headers, are remembered.

Only requests without a session cookie take this path: a session user is identified by
Django's session and auth middleware, which this path skips.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from http import HTTPStatus

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIRequest
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


_SEEN: dict[tuple, object] = {}  # host and language answers by the headers they come from
_MAX_SEEN = 10_000


def _remembered(key: tuple, compute: Callable[[], object]) -> object:
    found = _SEEN.get(key, _SEEN)
    if found is _SEEN:
        found = compute()
        if len(_SEEN) >= _MAX_SEEN:
            _SEEN.clear()
        _SEEN[key] = found
    return found


def _allowed_host(request: WSGIRequest) -> bool:
    """``ALLOWED_HOSTS`` holds the request's host, as CommonMiddleware checks it (the answer
    for given headers is remembered: it is the same for every request that sends them)."""
    meta = request.META

    def check() -> bool:
        try:
            request.get_host()
        except Exception:  # DisallowedHost
            return False
        return True

    return _remembered(("host", meta.get("HTTP_HOST"), meta.get("HTTP_X_FORWARDED_HOST"),
                        meta.get("SERVER_NAME"), meta.get("SERVER_PORT"),
                        id(settings.ALLOWED_HOSTS)), check)


def _language(request: WSGIRequest) -> str:
    """The language LocaleMiddleware would choose (remembered per cookie and Accept-Language
    header, and the settings they are read with)."""
    meta = request.META
    return _remembered(("language", meta.get("HTTP_COOKIE"), meta.get("HTTP_ACCEPT_LANGUAGE"),
                        settings.LANGUAGE_CODE, id(settings.LANGUAGES)),
                       lambda: translation.get_language_from_request(request))


def cached_answer(environ: dict) -> respond.Answer | None:
    """The answer to a GET of an EDR data route when it is cached or not modified (or refused),
    else None."""
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
    if not _allowed_host(request):
        return None  # DisallowedHost: let Django answer it
    language = _language(request)
    switch = language != translation.get_language()
    if switch:
        translation.activate(language)
    try:
        answer = respond.serve(request, dataset, None, allowed=allowed, default=default,
                               max_age=max_age, cached_only=True)
    finally:
        if switch:
            translation.deactivate()
    if answer is None:
        return None
    if isinstance(answer, HttpResponse):  # a refusal (401, 403, 429)
        answer = respond.Answer(answer.status_code, dict(answer.items()), answer.content)
    headers = answer.headers
    for name, value in _security_headers().items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Language", language)
    return answer


class FastPath:
    """WSGI application: cached EDR answers here, everything else to ``app`` (Django)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith("/edr/collections/"):
            return self.app(environ, start_response)
        # As Django's handler does at request start: stale connections closed (and at its end).
        signals.request_started.send(sender=self.__class__, environ=environ)
        answer = cached_answer(environ)
        if answer is None:
            return self.app(environ, start_response)
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}",
                       list(answer.headers.items()))
        return [answer.body]
