import numpy as np

from qixiang.science import qc

PARAMS = {"severity": 1, "max_distance": 10000.0, "max_elev_diff": 150.0, "flag_unknown": True}
REG_LAT = np.array([39.8, 39.8, 39.8, 31.2, 31.2, np.nan])
REG_LON = np.array([116.47, 116.47, 116.47, 121.43, 121.43, np.nan])


def test_a_report_far_from_its_registered_position_is_suspect_with_the_likely_slip(batch_of):
    lat = np.array([39.81, 39.8, 116.47, 31.2, 31.2, 30.0])
    lon = np.array([116.46, -116.47, 39.8, 121.43, 121.43, 110.0])
    elev = np.array([31.0, 31.0, 31.0, 4.0, 900.0, 10.0])
    batch = batch_of(np.full(6, 20.0), lat=lat, lon=lon, elevation=elev, registered_lat=REG_LAT,
                     registered_lon=REG_LON, registered_elevation=[31.0, 31.0, 31.0, 4.0, 4.0,
                                                                   np.nan])
    result = qc.get_check("position").check(batch, PARAMS)
    assert result.flags.tolist() == [0, 1, 1, 0, 1, 1]
    assert result.reasons[1].endswith("longitude sign flipped")
    assert result.reasons[2].endswith("latitude and longitude swapped")
    assert "reported elevation 900 m, registered 4 m" in result.reasons[4]
    assert result.reasons[5] == "station S0005 is not in the registry"


def test_without_a_registry_only_impossible_coordinates_are_flagged(batch_of):
    batch = batch_of([20.0, 20.0], lat=np.array([39.8, 139.8]), lon=np.array([116.4, 116.4]))
    result = qc.get_check("position").check(batch, PARAMS)
    assert result.flags.tolist() == [9, 1]
    assert "not on the earth" in result.reasons[1]


def test_spatial_checks_place_values_at_the_registered_position(batch_of):
    batch = batch_of([20.0, 20.0], lat=np.array([39.8, 30.0]), lon=np.array([-116.47, 110.0]),
                     registered_lat=[39.8, np.nan], registered_lon=[116.47, np.nan])
    lat, lon, _ = batch.position
    assert lat.tolist() == [39.8, 30.0]
    assert lon.tolist() == [116.47, 110.0]
