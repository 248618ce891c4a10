"""Errors as OGC API – EDR says: 400 naming the parameter, 404, 413 with a hint how to split."""

from __future__ import annotations

import orjson
import pytest

from tests.dataservice.edr_support import HOURLY, network, public  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("network")]


def error(client, url, status, language="en", **params):
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/position", {"coords": "POINT(116.47)"}, "coords"),
    ("/position", {"coords": "LINESTRING(1 2, 3 4)"}, "coords"),
    ("/position", {}, "coords"),
    ("/position", {"coords": "POINT(200 39)"}, "coords"),
    ("/position", {"coords": "POINT(116 39)", "datetime": "yesterday"}, "datetime"),
    ("/position", {"coords": "POINT(116 39)", "datetime": "2026-11-21T06:00:00"}, "datetime"),
    ("/position", {"coords": "POINT(116 39)", "datetime": "2026-11-22T00:00:00Z/"
                                                           "2026-11-21T00:00:00Z"}, "datetime"),
    ("/position", {"coords": "POINT(116 39)", "datetime": "../.."}, "datetime"),
    ("/position", {"coords": "POINT(116 39)", "parameter-name": "TEM,NOPE"}, "parameter-name"),
    ("/position", {"coords": "POINT(116 39)", "f": "xlsx"}, "f"),
    ("/position", {"coords": "POINT(116 39)", "crs": "EPSG:3857"}, "crs"),
    ("/radius", {"coords": "POINT(116 39)"}, "within"),
    ("/radius", {"coords": "POINT(116 39)", "within": "-3"}, "within"),
    ("/radius", {"coords": "POINT(116 39)", "within": "3", "within-units": "parsec"},
     "within-units"),
    ("/area", {"coords": "POINT(116 39)"}, "coords"),
    ("/area", {"coords": "POLYGON((1 2, 3"}, "coords"),
    ("/cube", {"bbox": "116,39,117"}, "bbox"),
    ("/cube", {"bbox": "116,41,117,39"}, "bbox"),
    ("/cube", {}, "bbox"),
    ("/items", {"limit": "many"}, "limit"),
])
def test_bad_parameter_gives_400_naming_it(client, path, params, parameter):
    doc = error(client, HOURLY + path, 400, **params)
    assert doc["parameter"] == parameter
    assert doc["description"].startswith(f"{parameter}:")
    assert doc["code"] == "InvalidParameterValue"


def test_unknown_collection_location_and_item_give_404(client):
    assert error(client, "/edr/collections/nope", 404)["parameter"] == "collectionId"
    assert error(client, "/edr/collections/nope/cube", 404, bbox="1,2,3,4")["code"] == "NotFound"
    assert error(client, f"{HOURLY}/locations/00000", 404)["parameter"] == "locationId"
    assert error(client, f"{HOURLY}/items/00000", 404)["parameter"] == "locationId"


def test_position_far_from_every_station_gives_404(client):
    doc = error(client, f"{HOURLY}/position", 404, coords="POINT(90 30)")
    assert doc["parameter"] == "coords" and "no station within" in doc["description"]


def test_oversized_request_gives_413_with_a_hint_how_to_split(client, settings):
    settings.QIXIANG_EDR_MAX_VALUES = 50
    doc = error(client, f"{HOURLY}/cube", 413, bbox="100,20,120,45",
                datetime="2026-11-01T00:00:00Z/2026-11-21T00:00:00Z",
                **{"parameter-name": "TEM,RHU"})
    assert doc["code"] == "PayloadTooLarge"
    text = doc["description"]
    assert "4 stations x 2 parameters x 481 times" in text
    assert "at most 6 hours at a time" in text
    few = client.get(f"{HOURLY}/cube", {"bbox": "100,20,120,45", "parameter-name": "TEM,RHU",
                                        "datetime": "2026-11-21T06:00:00Z/2026-11-21T11:00:00Z"})
    assert few.status_code == 200


def test_errors_are_in_chinese_by_default(client):
    doc = error(client, f"{HOURLY}/cube", 400, language="zh-hans", bbox="116,41,117,39")
    assert doc["description"] == "bbox: 南边界大于北边界"
    doc = error(client, f"{HOURLY}/position", 404, language="zh-hans", coords="POINT(90 30)")
    assert doc["description"].startswith("coords: ")


def test_dataset_not_public_needs_a_key(client, settings):
    settings.QIXIANG_PUBLIC_DATASETS = []
    response = client.get(f"{HOURLY}/cube", {"bbox": "116,39,117,41"})
    assert response.status_code == 401
