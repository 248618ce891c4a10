"""The query layer under EDR and MUSIC: stations by id and place, values by time and element."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import shapely

from qixiang.dataservice import query
from qixiang.dataservice.query import HOURLY, MINUTE, Selection, SelectionError
from tests.feed import feed, obs, station

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def network():
    """Three Beijing-area stations and one in Guangzhou, with hourly and minute values."""
    station("54511", lat=39.80, lon=116.47, division_code="110105")
    station("54433", lat=39.95, lon=116.60, division_code="110105")
    station("54416", lat=40.38, lon=116.87, division_code="110118")
    station("59287", lat=23.21, lon=113.48, division_code="440111")
    objects = []
    for k in range(6):  # 06:00 .. 11:00, every hour, plus 06:10 minute values
        t = T0 + k * HOUR
        objects += [obs("54511", t, TEM=10.0 + k, RHU=50 + k), obs("54433", t, TEM=20.0 + k),
                    obs("54416", t, TEM=30.0 + k), obs("59287", t, TEM=25.0 + k)]
    objects.append(obs("54511", T0 + timedelta(minutes=10), TEM=10.5))
    objects.append(obs("UNREG", T0, TEM=1.0))
    feed(*objects)


def ids(columns: query.Columns) -> list[str]:
    return sorted(set(columns.stations.ids[columns.station].tolist()))


def test_station_ids_select_a_series_ordered_by_station_element_and_time(network):
    c = query.query(Selection(HOURLY, ("TEM", "RHU"), station_ids=("54511",),
                              start=T0, end=T0 + 2 * HOUR))
    assert ids(c) == ["54511"]
    epoch = int(T0.timestamp())
    assert c.element.tolist() == [0, 0, 0, 1, 1, 1]
    assert c.time[c.element == 0].tolist() == [epoch, epoch + 3600, epoch + 7200]
    assert c.value[c.element == 1].tolist() == [50.0, 51.0, 52.0]


def test_hourly_dataset_keeps_top_of_hour_values_and_minute_dataset_keeps_all(network):
    window = dict(station_ids=("54511",), start=T0, end=T0 + HOUR)
    hourly = query.query(Selection(HOURLY, ("TEM",), **window))
    minute = query.query(Selection(MINUTE, ("TEM",), **window))
    assert hourly.value.tolist() == [10.0, 11.0]
    assert minute.value.tolist() == [10.0, 10.5, 11.0]


def test_bbox_selects_the_stations_inside(network):
    c = query.query(Selection(HOURLY, ("TEM",), bbox=(116.0, 39.5, 116.7, 40.0), latest=True))
    assert ids(c) == ["54433", "54511"]


def test_polygon_selects_the_stations_inside(network):
    poly = shapely.from_wkt("POLYGON((116.5 39.5, 117 39.5, 117 40.5, 116.5 40.5, 116.5 39.5))")
    c = query.query(Selection(HOURLY, ("TEM",), polygon=poly, latest=True))
    assert ids(c) == ["54416", "54433"]


def test_radius_in_km_uses_great_circle_distance(network):
    # 54433 is ~20 km from 54511; 54416 ~ 74 km
    near = query.query(Selection(HOURLY, ("TEM",), near=(116.47, 39.80, 25.0), latest=True))
    far = query.query(Selection(HOURLY, ("TEM",), near=(116.47, 39.80, 80.0), latest=True))
    assert ids(near) == ["54433", "54511"]
    assert ids(far) == ["54416", "54433", "54511"]


def test_distance_km_matches_a_known_distance():
    # Beijing (116.4, 39.9) to Shanghai (121.47, 31.23): about 1,067 km
    d = query.distance_km(116.4, 39.9, np.array([121.47]), np.array([31.23]))[0]
    assert 1060 < d < 1075


def test_latest_gives_the_newest_value_of_each_station_and_element(network):
    c = query.query(Selection(HOURLY, ("TEM", "RHU"), station_ids=("54511", "54433"),
                              latest=True))
    got = {(c.stations.ids[s], c.elements[e]): (t, v) for s, e, t, v in
           zip(c.station, c.element, c.time.tolist(), c.value.tolist(), strict=True)}
    last = int((T0 + 5 * HOUR).timestamp())
    assert got == {("54511", "TEM"): (last, 15.0), ("54511", "RHU"): (last, 55.0),
                   ("54433", "TEM"): (last, 25.0)}


def test_latest_within_an_end_time_gives_the_value_at_or_before_it(network):
    c = query.query(Selection(MINUTE, ("TEM",), station_ids=("54511",),
                              end=T0 + timedelta(minutes=30), latest=True))
    assert c.value.tolist() == [10.5]


def test_open_range_reads_from_the_start_onwards(network):
    c = query.query(Selection(HOURLY, ("TEM",), station_ids=("54416",), start=T0 + 4 * HOUR))
    assert c.value.tolist() == [34.0, 35.0]


def test_time_index_path_over_every_station_skips_unregistered_ones(network):
    c = query.query(Selection(HOURLY, ("TEM",), start=T0, end=T0))
    assert ids(c) == ["54416", "54433", "54511", "59287"]


def test_region_prefixes_limit_the_visible_stations(network):
    beijing = query.query(Selection(HOURLY, ("TEM",), latest=True, region_prefixes=("11",)))
    nothing = query.query(Selection(HOURLY, ("TEM",), latest=True, region_prefixes=()))
    assert ids(beijing) == ["54416", "54433", "54511"]
    assert len(nothing) == 0
    p = query.plan(Selection(HOURLY, ("TEM",), station_ids=("59287", "54511"),
                             latest=True, region_prefixes=("11",)))
    assert p.stations.ids.tolist() == ["54511"] and p.unknown_ids == ("59287",)


def test_nearest_station_within_a_tolerance(network):
    assert query.nearest_station(116.48, 39.81, 5.0) == "54511"
    assert query.nearest_station(100.0, 30.0, 5.0) is None
    assert query.nearest_station(116.48, 39.81, 50.0, region_prefixes=("44",)) is None


def test_cost_is_stations_times_elements_times_time_steps(network):
    s = Selection(HOURLY, ("TEM", "RHU"), bbox=(116.0, 39.5, 117.0, 40.5),
                  start=T0, end=T0 + 23 * HOUR)
    assert query.estimate_cost(s) == 3 * 2 * 24
    minute = Selection(MINUTE, ("TEM",), station_ids=("54511",), start=T0, end=T0 + HOUR)
    assert query.estimate_cost(minute) == 61
    latest = Selection(HOURLY, ("TEM",), latest=True)
    assert query.estimate_cost(latest) == 4
    open_end = Selection(HOURLY, ("TEM",), station_ids=("54511",), start=T0)
    assert query.estimate_cost(open_end) == 6  # up to the newest stored hour


def test_selection_names_the_bad_parameter():
    with pytest.raises(SelectionError) as bad:
        Selection(HOURLY, ("NOPE",))
    assert bad.value.parameter == "elements"
    with pytest.raises(SelectionError) as reversed_:
        Selection(HOURLY, ("TEM",), start=T0, end=T0 - HOUR)
    assert reversed_.value.parameter == "datetime"


def test_new_station_is_seen_at_once(network):
    assert "A0001" not in query.stations().index
    station("A0001", lat=30.0, lon=120.0)
    assert "A0001" in query.stations().index
