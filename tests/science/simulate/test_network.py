"""The demo network: size, identifiers, places and heights."""

from __future__ import annotations

import re

import numpy as np
import pytest

from qixiang.science.simulate import network, provinces, terrain


@pytest.fixture(scope="module")
def net() -> network.Network:
    return network.generate()


def test_network_has_about_two_thousand_unique_stations(net):
    assert net.size == network.DEFAULT_SIZE
    assert len(set(net.cma_id)) == net.size


def test_same_seed_gives_same_network_and_another_seed_another(net):
    again = network.generate()
    assert list(again.cma_id) == list(net.cma_id)
    assert np.array_equal(again.elevation, net.elevation)
    other = network.generate(seed=1)
    assert not np.array_equal(other.lat, net.lat)


def test_national_ids_are_five_digits_in_the_chinese_wmo_blocks(net):
    national = net.cma_id[net.national]
    assert 0.25 < net.national.mean() < 0.45
    assert all(re.fullmatch(r"5\d{4}", s) for s in national)
    assert list(net.wmo_index[net.national]) == list(national)
    assert all(w == f"0-20000-0-{s}" for w, s in zip(net.wigos_id[net.national], national, strict=True))


def test_regional_ids_are_a_letter_and_four_digits(net):
    regional = net.cma_id[~net.national]
    assert all(re.fullmatch(r"[A-Z]\d{4}", s) for s in regional)
    assert not any(net.wmo_index[~net.national])


def test_wmo_blocks_follow_the_real_pattern():
    places = {  # (lon, lat) -> block of the real station there
        (116.47, 39.81): 54,  # Beijing 54511
        (113.28, 23.16): 59,  # Guangzhou 59287
        (91.13, 29.67): 55,  # Lhasa 55591
        (87.65, 43.78): 51,  # Urumqi 51463
        (104.02, 30.67): 56,  # Chengdu 56294
        (121.45, 31.40): 58,  # Shanghai 58362
        (114.13, 30.62): 57,  # Wuhan 57494
        (126.77, 45.93): 54,  # Harbin (50953 in reality) is just south of the 46 N line used here
    }
    lon = np.array([p[0] for p in places])
    lat = np.array([p[1] for p in places])
    assert list(network.wmo_block(lon, lat)) == list(places.values())


def test_every_station_is_on_land_in_the_province_it_is_labelled_with(net):
    located = provinces.locate(net.lon, net.lat)
    assert (located >= 0).all()
    assert np.array_equal(located, net.province)
    codes = {p.code for p in provinces.PROVINCES}
    assert set(net.division_code) <= codes
    assert len(set(net.division_code)) == 31


def test_province_boxes_put_known_cities_in_their_province():
    cities = {
        (116.40, 39.90): "110000", (117.20, 39.13): "120000", (121.47, 31.23): "310000",
        (106.55, 29.56): "500000", (113.26, 23.13): "440000", (91.13, 29.65): "540000",
        (87.62, 43.82): "650000", (126.63, 45.75): "230000", (120.15, 30.27): "330000",
        (118.80, 32.06): "320000", (117.23, 31.82): "340000", (104.07, 30.67): "510000",
    }
    lon = np.array([c[0] for c in cities])
    lat = np.array([c[1] for c in cities])
    found = [provinces.PROVINCES[i].code for i in provinces.locate(lon, lat)]
    assert found == list(cities.values())


def test_the_sea_and_foreign_capitals_are_not_land():
    lon = np.array([124.0, 126.0, 106.9, 85.3])  # Yellow Sea, East China Sea, Ulaanbaatar, Kathmandu
    lat = np.array([35.0, 29.0, 47.9, 27.7])
    assert (provinces.locate(lon, lat) == -1).all()


def test_elevations_rise_to_the_plateau_in_the_west_and_stay_low_in_the_east(net):
    assert net.elevation.min() >= terrain.LOWEST
    assert net.elevation.max() <= terrain.HIGHEST
    assert net.elevation.max() > 4000.0
    tibet = net.division_code == "540000"
    east_coast = np.isin(net.division_code, ["310000", "320000", "330000", "370000", "440000"])
    assert np.median(net.elevation[tibet]) > 3500.0
    assert np.median(net.elevation[east_coast]) < 300.0


def test_terrain_has_the_turpan_depression_below_sea_level():
    assert terrain.elevation(np.array([89.3]), np.array([42.8]))[0] < 0.0


def test_records_carry_the_registry_fields(net):
    record = net.records()[0]
    assert set(record) >= {"cma_id", "wmo_index", "wigos_id", "name", "province",
                           "division_code", "latitude", "longitude", "elevation"}
    assert record["province"] in {p.name for p in provinces.PROVINCES}
    assert record["cma_id"] in record["name"]
