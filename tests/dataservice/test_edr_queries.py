"""Each EDR query type selects the right stations and times."""

from __future__ import annotations

import orjson
import pytest

from tests.dataservice.edr_support import HOURLY, MINUTE, network, public, stored_flag  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("network")]


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return orjson.loads(response.content)


def station_ids(doc) -> list[str]:
    return sorted(c["id"] for c in doc["coverages"])


def test_position_answers_the_nearest_station_as_one_point_series(client):
    doc = get(client, f"{HOURLY}/position", coords="POINT(116.48 39.81)",
              datetime="2026-11-21T06:00:00Z/2026-11-21T08:00:00Z", **{"parameter-name": "TEM"})
    assert doc["type"] == "Coverage" and doc["id"] == "54511"
    assert doc["domain"]["domainType"] == "PointSeries"
    assert doc["domain"]["axes"]["t"]["values"] == [
        "2026-11-21T06:00:00Z", "2026-11-21T07:00:00Z", "2026-11-21T08:00:00Z"]
    assert doc["ranges"]["TEM"]["values"] == [10.0, 11.0, 12.0]


def test_radius_selects_stations_within_the_distance_in_the_given_units(client):
    km = get(client, f"{HOURLY}/radius", coords="POINT(116.47 39.80)", within="25",
             **{"within-units": "km", "parameter-name": "TEM"})
    metres = get(client, f"{HOURLY}/radius", coords="POINT(116.47 39.80)", within="80000",
                 **{"within-units": "m", "parameter-name": "TEM"})
    assert station_ids(km) == ["54433", "54511"]
    assert station_ids(metres) == ["54416", "54433", "54511"]


def test_area_selects_stations_inside_the_polygon(client):
    doc = get(client, f"{HOURLY}/area",
              coords="POLYGON((116.5 39.5,117 39.5,117 40.5,116.5 40.5,116.5 39.5))",
              **{"parameter-name": "TEM"})
    assert station_ids(doc) == ["54416", "54433"]


def test_cube_selects_stations_inside_the_box_and_no_datetime_means_newest(client):
    doc = get(client, f"{HOURLY}/cube", bbox="116,39,117,41", **{"parameter-name": "TEM"})
    assert station_ids(doc) == ["54416", "54433", "54511"]
    newest = {c["id"]: (c["domain"]["axes"]["t"]["values"], c["ranges"]["TEM"]["values"])
              for c in doc["coverages"]}
    assert newest["54511"] == (["2026-11-21T11:00:00Z"], [15.0])


def test_datetime_instant_and_open_ranges(client):
    url = f"{HOURLY}/locations/54511"
    instant = get(client, url, datetime="2026-11-21T07:00:00Z", **{"parameter-name": "TEM"})
    tail = get(client, url, datetime="2026-11-21T10:00:00Z/..", **{"parameter-name": "TEM"})
    head = get(client, url, datetime="../2026-11-21T06:30:00Z", **{"parameter-name": "TEM"})
    assert instant["ranges"]["TEM"]["values"] == [11.0]
    assert tail["ranges"]["TEM"]["values"] == [14.0, 15.0]
    assert head["ranges"]["TEM"]["values"] == [10.0]


def test_minute_collection_keeps_values_between_the_hours(client):
    url = "/locations/54511"
    window = {"datetime": "2026-11-21T06:00:00Z/2026-11-21T07:00:00Z", "parameter-name": "TEM"}
    assert get(client, HOURLY + url, **window)["ranges"]["TEM"]["values"] == [10.0, 11.0]
    assert get(client, MINUTE + url, **window)["ranges"]["TEM"]["values"] == [10.0, 10.5, 11.0]


def test_parameter_name_limits_the_ranges_and_absent_gives_every_parameter(client):
    one = get(client, f"{HOURLY}/locations/54511", **{"parameter-name": "TEM,RHU"})
    every = get(client, f"{HOURLY}/locations/54511")
    assert sorted(one["ranges"]) == ["RHU", "TEM"]
    assert "PRS" in every["ranges"] and every["ranges"]["PRS"]["values"] == [None]


def test_locations_lists_the_stations_as_geojson(client):
    doc = get(client, f"{HOURLY}/locations", bbox="116,39,117,41")
    assert doc["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in doc["features"]) == ["54416", "54433", "54511"]
    first = next(f for f in doc["features"] if f["id"] == "54511")
    assert first["geometry"] == {"type": "Point", "coordinates": [116.47, 39.8]}
    assert first["properties"]["name"] == "北京" and first["properties"]["elevation"] == 31.3


def test_items_give_each_station_with_its_newest_values(client):
    doc = get(client, f"{HOURLY}/items", **{"parameter-name": "TEM,RHU"})
    by_id = {f["id"]: f["properties"] for f in doc["features"]}
    assert sorted(by_id) == ["54416", "54433", "54511", "59287"]
    assert by_id["54511"]["TEM"] == 15.0 and by_id["54511"]["RHU"] == 55.0
    assert by_id["54511"]["datetime"] == "2026-11-21T11:00:00Z"
    assert by_id["54433"]["RHU"] is None
    assert doc["numberReturned"] == 4
    page = get(client, f"{HOURLY}/items", limit="2", offset="1", **{"parameter-name": "TEM"})
    assert [f["id"] for f in page["features"]] == ["54433", "54511"]
    assert page["numberMatched"] == 4


def test_item_by_id_is_one_feature(client):
    doc = get(client, f"{HOURLY}/items/54416", **{"parameter-name": "TEM"})
    assert doc["type"] == "Feature" and doc["id"] == "54416"
    assert doc["properties"]["TEM"] == 35.0
    assert doc["properties"]["TEM_qc"] == stored_flag("54416", "TEM", "2026-11-21T11:00:00Z")


def test_region_scope_of_the_access_module_limits_the_stations(client, monkeypatch):
    from qixiang.dataservice import access

    monkeypatch.setattr(access, "regions_for", lambda principal, dataset: ("44",))
    doc = get(client, f"{HOURLY}/cube", bbox="100,20,120,45", **{"parameter-name": "TEM"})
    assert station_ids(doc) == ["59287"]
    missing = client.get(f"{HOURLY}/locations/54511")
    assert missing.status_code == 404
