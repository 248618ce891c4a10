"""ETag/304, Cache-Control and the in-process cache that new data empty."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from qixiang.dataservice import cache, journal
from tests.dataservice.edr_support import HOUR, HOURLY, T0, network, public  # noqa: F401
from tests.feed import feed, obs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("network")]

URL = f"{HOURLY}/locations/54511"
PARAMS = {"parameter-name": "TEM"}


def test_data_answer_carries_a_strong_etag_and_cache_control(client):
    response = client.get(URL, PARAMS)
    tag = response["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")
    assert response["Cache-Control"] == "private, max-age=30"  # it names its requester
    assert client.get("/edr/collections")["Cache-Control"] == "public, max-age=300"
    assert "Accept" in response["Vary"]
    assert client.get(URL, PARAMS)["ETag"] == tag
    assert client.get(URL, {"parameter-name": "RHU"})["ETag"] != tag
    assert client.get(URL, {**PARAMS, "f": "csv"})["ETag"] != tag


def test_if_none_match_gives_304_without_a_body(client):
    tag = client.get(URL, PARAMS)["ETag"]
    response = client.get(URL, PARAMS, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == tag
    assert client.get(URL, PARAMS, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_same_query_in_another_parameter_order_hits_the_cache(client):
    first = client.get(f"{HOURLY}/cube?bbox=116,39,117,41&parameter-name=TEM")
    hits = cache.responses.hits
    second = client.get(f"{HOURLY}/cube?parameter-name=TEM&bbox=116,39,117,41")
    assert cache.responses.hits == hits + 1
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_new_data_empty_the_cache_and_change_the_etag(client,
                                                       django_capture_on_commit_callbacks):
    before = client.get(URL, PARAMS)
    assert len(cache.responses) >= 1
    newest = T0 + 6 * HOUR
    with django_capture_on_commit_callbacks(execute=True):
        feed(obs("54511", newest, TEM=99.0))
    assert len(cache.responses) == 0
    after = client.get(URL, PARAMS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    doc = orjson.loads(after.content)
    assert doc["ranges"]["TEM"]["values"] == [99.0]
    assert doc["domain"]["axes"]["t"]["values"] == ["2026-11-21T12:00:00Z"]


def test_data_stored_by_another_process_is_seen_within_a_second(client, monkeypatch):
    before = client.get(URL, PARAMS)["ETag"]
    monkeypatch.setattr(cache, "CHECK_INTERVAL", 0.0)
    feed(obs("54511", T0 + timedelta(hours=7), TEM=50.0))  # no signal: as if elsewhere
    response = client.get(URL, PARAMS)
    assert response["ETag"] != before
    assert orjson.loads(response.content)["ranges"]["TEM"]["values"] == [50.0]


def test_cache_is_bounded_in_bytes(settings):
    settings.QIXIANG_EDR_CACHE_MB = 1 / 1024 * 16  # 16 KiB, entries up to 1 KiB
    store = cache.ResponseCache()
    for k in range(40):
        store.put(f"k{k}", cache.Entry("v", '"t"', b"x" * 1000, "text/plain", 1.0))
    assert len(store) == 16
    assert store.get("k0", "v") is None and store.get("k39", "v") is not None
    store.put("big", cache.Entry("v", '"t"', b"x" * 2000, "text/plain", 1.0))
    assert store.get("big", "v") is None


def test_entry_of_an_older_data_version_is_not_served():
    store = cache.ResponseCache()
    store.put("k", cache.Entry("1.5", '"t"', b"old", "text/plain", 1.0))
    assert store.get("k", "1.6") is None


def test_every_data_answer_is_stamped_with_provenance_even_from_the_cache(client):
    from qixiang.dataservice.models import AccessLog

    first = client.get(URL, PARAMS)
    second = client.get(URL, PARAMS)
    assert first.content == second.content
    ids = {first["X-Qixiang-Data-Id"], second["X-Qixiang-Data-Id"]}
    assert len(ids) == 2  # each download its own record
    assert first["X-Qixiang-SHA256"] == second["X-Qixiang-SHA256"]
    assert first["X-Qixiang-Provenance"].count(".") == 2  # compact JWS
    journal.load()
    rows = AccessLog.objects.filter(data_id__in=ids)
    assert rows.count() == 2
    assert {r.query for r in rows} == {f"{URL}?parameter-name=TEM"}
    assert client.get(URL, PARAMS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    journal.load()
    assert AccessLog.objects.count() == 2  # a 304 carries no data: nothing logged
