"""The API contract: every django-ninja API publishes an OpenAPI document with docs served from
our own static files (no CDN), and schemathesis, generating requests from each document, finds
no server error (5xx) — with a key, over a small network with public datasets."""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from qixiang.accounts.apikeys import create_api_key
from qixiang.accounts.models import Role, User
from qixiang.dataservice import query
from qixiang.dataservice.models import Tier
from tests.dataservice.music_support import make_network

pytestmark = pytest.mark.django_db
DOCUMENTS = {"api": "/api/openapi.json", "edr": "/edr/openapi.json",
             "music": "/music-ws/openapi.json", "provenance": "/provenance/openapi.json"}
DOCS = ["/api/docs", "/edr/docs", "/music-ws/docs", "/provenance/docs"]


@pytest.mark.parametrize("page", DOCS)
def test_docs_pages_load_only_local_assets(page):
    client = Client(HTTP_HOST="localhost")
    answer = client.get(page)
    assert answer.status_code == 200
    html = answer.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, f"{page} loads no script or style"
    for url in assets:
        assert not re.match(r"^(https?:)?//", url), f"{page} loads {url} from another host"
        assert client.get(url).status_code == 200, url
    assert re.search(r'"url":\s*"([^"]+openapi.json)"', html) or "openapi.json" in html


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_each_api_publishes_an_openapi_3_document(name):
    document = Client(HTTP_HOST="localhost").get(DOCUMENTS[name]).json()
    assert document["openapi"].startswith("3.") and document["paths"]


@pytest.fixture
def world(settings):
    settings.QIXIANG_PUBLIC_DATASETS = ["surface-obs-hourly", "surface-obs-minute"]
    Tier.objects.filter(code__in=["public", "internal"]).update(daily_quota=None,
                                                                rate_per_minute=None)
    query._stations.invalidate()
    make_network()
    operator = User.objects.create_user("fuzz", password="x", role=Role.OPERATOR)
    _row, key = create_api_key(operator, "schemathesis")
    return key


# Examples per operation; QIXIANG_FUZZ_EXAMPLES=500 for a deeper run by hand.
EXAMPLES = int(os.environ.get("QIXIANG_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def fuzz(path: str, key: str) -> int:
    """Run schemathesis over every operation of the document at ``path``; the number of
    operations. Each generated request carries the key; a 5xx fails the test."""
    schema = schemathesis.openapi.from_wsgi(path, get_wsgi_application())
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers={"X-API-Key": key}, checks=[not_a_server_error])

        run()
    return operations


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_schemathesis_finds_no_server_error(name, world):
    assert fuzz(DOCUMENTS[name], world) >= 1
