"""The WSGI fast path answers cached EDR requests exactly as Django would, and leaves the rest
to Django."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from qixiang.dataservice.edr.fastpath import FastPath
from tests.dataservice.edr_support import HOURLY, network, public  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("network")]

URL = f"{HOURLY}/locations/54511"
PARAMS = {"parameter-name": "TEM", "datetime": "2026-11-21T06:00:00Z/.."}


class Django:
    """Stands in for the Django application behind the fast path and counts what reaches it."""

    def __init__(self):
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response("599 From Django", [])
        return [b"django"]


def call(app, **extra):
    environ = RequestFactory().get(URL, PARAMS, **extra).environ
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    answer["body"] = b"".join(app(environ, start_response))
    return answer


def test_a_miss_goes_to_django_and_a_hit_is_answered_as_django_answered_it(client):
    django_app = Django()
    app = FastPath(django_app)
    assert call(app)["status"].startswith("599") and django_app.calls == 1

    warm = client.get(URL, PARAMS)  # Django fills the cache
    hit = call(app)
    assert django_app.calls == 1
    assert hit["status"] == "200 OK"
    assert hit["body"] == warm.content
    for name in ("ETag", "Cache-Control", "Vary", "Content-Type", "X-Content-Type-Options",
                 "X-Frame-Options", "Content-Language"):
        assert hit["headers"][name] == warm[name], name
    assert hit["headers"]["X-Qixiang-Data-Id"] != warm["X-Qixiang-Data-Id"]
    assert hit["headers"]["X-Qixiang-SHA256"] == warm["X-Qixiang-SHA256"]


def test_if_none_match_is_answered_304_on_the_fast_path(client):
    tag = client.get(URL, PARAMS)["ETag"]
    django_app = Django()
    answer = call(FastPath(django_app), HTTP_IF_NONE_MATCH=tag)
    assert answer["status"] == "304 Not Modified" and answer["body"] == b""
    assert django_app.calls == 0


def test_sessions_other_languages_and_other_routes_go_to_django(client):
    client.get(URL, PARAMS)
    django_app = Django()
    app = FastPath(django_app)
    call(app, HTTP_COOKIE="sessionid=abc")
    call(app, HTTP_ACCEPT_LANGUAGE="en")  # cached in Chinese only
    environ = RequestFactory().get("/edr/collections").environ
    app(environ, lambda status, headers: None)
    assert django_app.calls == 3


def test_access_is_still_checked_on_the_fast_path(client, settings):
    client.get(URL, PARAMS)
    settings.QIXIANG_PUBLIC_DATASETS = []
    answer = call(FastPath(Django()))
    assert answer["status"].startswith("401")
