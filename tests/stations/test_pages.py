"""The station map, its data API, the boundary file and the station page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from qixiang.accounts.models import User
from tests.feed import feed, obs, station

pytestmark = pytest.mark.django_db


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def map_rows(client, element: str = "TEM") -> dict[str, dict]:
    data = client.get("/api/stations/map", {"element": element}).json()
    return {row[0]: dict(zip(data["fields"], row, strict=True)) for row in data["rows"]}


def json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html,
                      re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


@pytest.fixture
def network():
    """Beijing (reporting now), Tianjin (reported two hours ago), Guangzhou (never)."""
    station("54511", "北京", "110108", lat=39.8, lon=116.47, province="北京")
    station("54527", "天津", "120104", lat=39.08, lon=117.07, province="天津")
    station("59287", "广州", "440111", lat=23.21, lon=113.48, province="广东")
    t = now()
    feed(obs("54511", t - timedelta(hours=3), TEM=8.0), origin="old.json",
         received_at=t - timedelta(hours=3))
    feed(obs("54511", t, TEM=12.5, RHU=40.0))
    feed(obs("54527", t - timedelta(hours=2), TEM=9.0), origin="late.json",
         received_at=t - timedelta(hours=2))


def regional_user(client, region: str) -> User:
    user = User.objects.create_user("ops", password="x", region_code=region)
    client.force_login(user)
    return user


def test_map_api_gives_each_station_its_newest_value_and_whether_it_reported(client, network):
    rows = map_rows(client)

    assert set(rows) == {"54511", "54527", "59287"}
    beijing = rows["54511"]
    assert (beijing["value"], beijing["reporting"], beijing["lon"], beijing["lat"]) == \
        (12.5, True, 116.47, 39.8)
    assert beijing["time"].endswith("Z") and beijing["name"] == "北京"
    assert (rows["54527"]["value"], rows["54527"]["reporting"]) == (9.0, False)
    assert (rows["59287"]["value"], rows["59287"]["time"], rows["59287"]["reporting"]) == \
        (None, None, False)


def test_map_api_colours_by_the_chosen_element(client, network):
    data = client.get("/api/stations/map", {"element": "RHU"}).json()
    rows = map_rows(client, "RHU")

    assert (data["unit"], data["labels"]["zh-hans"]) == ("%", "相对湿度")
    assert rows["54511"]["value"] == 40.0 and rows["54527"]["value"] is None


def test_map_api_rejects_an_unknown_element(client):
    response = client.get("/api/stations/map", {"element": "NOPE"})
    assert response.status_code == 400
    assert "'NOPE'" in response.json()["detail"]


def test_a_regional_user_sees_only_the_stations_of_the_region(client, network):
    anonymous = set(map_rows(client))
    regional_user(client, "440000")

    assert anonymous == {"54511", "54527", "59287"}
    assert set(map_rows(client)) == {"59287"}
    html = client.get("/stations/").content.decode()
    assert "44…" in html


def test_a_regional_user_cannot_open_a_station_outside_the_region(client, network):
    regional_user(client, "110100")

    assert client.get("/stations/54511/").status_code == 200
    assert client.get("/stations/59287/").status_code == 404


def test_map_page_offers_numeric_elements_and_points_at_its_data(client, network):
    html = client.get("/stations/").content.decode()

    assert 'data-api="/api/stations/map?element=TEM"' in html
    assert 'data-detail="/stations/__ID__/"' in html
    assert '<option value="RHU"' in html and '<option value="WEP_Now"' not in html
    assert "/static/vendor/echarts.min.js" in html and "/static/stations/map.js" in html
    assert 'data-boundary=""' in html
    assert "站点分布图" in html


def test_map_page_go_box_opens_the_station_page(client):
    response = client.get("/stations/", {"go": "54511"})
    assert response.status_code == 302 and response["Location"] == "/stations/54511/"


def test_boundary_is_not_served_when_none_is_configured(client, settings):
    settings.QIXIANG_BOUNDARY_GEOJSON = ""
    assert client.get("/stations/boundary.geojson").status_code == 404


def test_the_deployers_boundary_is_served_and_drawn(client, settings, tmp_path):
    boundary = tmp_path / "region.geojson"
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    settings.QIXIANG_BOUNDARY_GEOJSON = str(boundary)

    response = client.get("/stations/boundary.geojson")
    html = client.get("/stations/").content.decode()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(b"".join(response.streaming_content)) == {"type": "FeatureCollection",
                                                                 "features": []}
    assert 'data-boundary="/stations/boundary.geojson"' in html


def test_station_page_shows_the_registry_entry_and_asks_for_the_last_24_hours(client, network):
    html = client.get("/stations/54511/").content.decode()
    config = json_script(html, "station-config")

    assert "北京" in html and "110108" in html and "39.8000" in html and "116.4700" in html
    assert config["station"] == "54511"
    assert config["seriesUrl"] == "/api/observations/series"
    start = datetime.fromisoformat(config["start"])
    end = datetime.fromisoformat(config["end"])
    assert end - start == timedelta(hours=24)
    assert [c["key"] for c in config["charts"]] == ["temperature", "pressure", "humidity", "wind",
                                                     "precipitation"]
    assert config["charts"][0]["elements"][:2] == ["TEM", "DPT"]
    assert config["elements"]["TEM"] == {"label": "气温", "unit": "degC"}
    for chart in ("temperature", "pressure", "humidity", "wind", "precipitation"):
        assert f'id="chart-{chart}"' in html
    assert json_script(html, "station-i18n")["qc"]["1"] == "可疑"


def test_station_page_period_typed_in_beijing_time_is_asked_in_utc(client, network):
    html = client.get("/stations/54511/", {"start": "2026-11-21T08:00",
                                           "end": "2026-11-21T20:00"}).content.decode()
    config = json_script(html, "station-config")

    assert (config["start"], config["end"]) == ("2026-11-21T00:00:00Z", "2026-11-21T12:00:00Z")


def test_station_page_offers_three_and_seven_days(client, network):
    config = json_script(client.get("/stations/54511/", {"hours": "168"}).content.decode(),
                         "station-config")
    span = datetime.fromisoformat(config["end"]) - datetime.fromisoformat(config["start"])
    assert span == timedelta(days=7)


def test_station_page_explains_a_bad_period_and_shows_the_last_24_hours(client, network):
    response = client.get("/stations/54511/", {"start": "2026-11-21T20:00",
                                               "end": "2026-11-21T08:00"})
    html = response.content.decode()
    config = json_script(html, "station-config")

    assert response.status_code == 200
    assert "开始时间须早于结束时间" in html
    span = datetime.fromisoformat(config["end"]) - datetime.fromisoformat(config["start"])
    assert span == timedelta(hours=24)


def test_station_page_of_an_unregistered_identifier_with_values_still_shows_them(client):
    feed(obs("X9999", now(), TEM=1.0))

    response = client.get("/stations/X9999/")

    assert response.status_code == 200
    assert json_script(response.content.decode(), "station-config")["station"] == "X9999"


def test_station_page_of_an_unknown_station_is_not_found(client):
    assert client.get("/stations/00000/").status_code == 404


def test_station_page_is_in_english_on_request(client, network):
    client.cookies["qixiang_language"] = "en"
    html = client.get("/stations/54511/").content.decode()
    assert "Temperature and dew point" in html and "CMA station id" in html
    assert json_script(html, "station-config")["elements"]["TEM"]["label"] == "Air temperature"
