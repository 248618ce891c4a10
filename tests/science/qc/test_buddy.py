import numpy as np
import pytest

from qixiang.science import qc
from qixiang.science.qc.buddy import buddy_check
from qixiang.science.qc.neighbours import Geometry

LAT3, LON3, Z3 = np.array([60.0, 60.1, 60.2]), np.full(3, 10.0), np.zeros(3)


def flags(lat, lon, z, values, **kw):
    args = {"radius": 50000.0, "num_min": 2, "threshold": 2.0, "max_elev_diff": 200.0,
            "elev_gradient": 0.0, "min_std": 1.0, "num_iterations": 2} | kw
    return buddy_check(lat, lon, z, np.asarray(values, dtype=float), **args)


def test_a_value_far_from_its_buddies_is_flagged():
    # titanlib's README example
    assert flags(LAT3, LON3, Z3, [0.0, 1.0, -111.0]).flags.tolist() == [0, 0, 1]


def test_buddies_are_adjusted_to_the_station_elevation_by_the_gradient():
    lat = 30.0 + 0.01 * np.arange(7)
    z = np.r_[np.zeros(6), 1000.0]
    values = np.r_[np.full(6, 20.0), 13.5]  # 6.5 K colder 1000 m up: as expected
    adjusted = flags(lat, np.full(7, 110.0), z, values, max_elev_diff=1500.0,
                     elev_gradient=-0.0065)
    assert adjusted.flags[6] == 0
    assert adjusted.mean[6] == pytest.approx(13.5)
    unadjusted = flags(lat, np.full(7, 110.0), z, values, max_elev_diff=1500.0)
    assert unadjusted.flags[6] == 1


def test_buddies_beyond_the_elevation_difference_do_not_count():
    lat = 30.0 + 0.01 * np.arange(7)
    z = np.r_[np.zeros(6), 1000.0]
    values = np.r_[np.full(6, 20.0), 13.5]
    outcome = flags(lat, np.full(7, 110.0), z, values, max_elev_diff=500.0)
    assert not outcome.tested[6]
    assert outcome.flags[6] == 0


def test_flagged_stations_stop_being_buddies_in_the_next_iteration():
    lat = 30.0 + 0.01 * np.arange(8)
    values = np.r_[np.full(6, 20.0), 30.0, 24.0]  # 24 hides behind 30 in the first pass
    one = flags(lat, np.full(8, 110.0), np.zeros(8), values, num_iterations=1)
    two = flags(lat, np.full(8, 110.0), np.zeros(8), values, num_iterations=2)
    assert one.flags.tolist() == [0] * 6 + [1, 0]
    assert two.flags.tolist() == [0] * 6 + [1, 1]


def test_stations_at_the_same_coordinates_are_not_buddies():
    lat, lon = np.array([30.0, 30.0, 30.5]), np.array([110.0, 110.0, 110.0])
    a, b, _ = Geometry(lat, lon).pairs(np.ones(3, dtype=bool), 100000.0)
    assert {tuple(sorted(pair)) for pair in zip(a.tolist(), b.tolist(), strict=True)} == {
        (0, 2), (1, 2)}
    outcome = flags(lat, lon, np.zeros(3), [20.0, 40.0, 20.0], num_min=1, radius=10000.0)
    assert not outcome.tested.any()


def test_missing_values_are_neither_tested_nor_buddies():
    lat = 30.0 + 0.01 * np.arange(6)
    values = [20.0, np.nan, 20.2, 19.9, 20.1, 27.0]
    outcome = flags(lat, np.full(6, 110.0), np.zeros(6), values)
    assert outcome.flags.tolist() == [0, 0, 0, 0, 0, 1]
    assert not outcome.tested[1]
    assert outcome.buddies[5] == 4


def test_only_the_observations_to_check_are_tested():
    outcome = flags(LAT3, LON3, Z3, [0.0, 1.0, -111.0], obs_to_check=np.array([1, 1, 0]))
    assert outcome.flags.tolist() == [0, 0, 0]


def test_num_min_must_be_positive():
    with pytest.raises(ValueError, match="num_min"):
        flags(LAT3, LON3, Z3, [0.0, 1.0, 2.0], num_min=0)


def test_the_check_reports_untested_values_as_not_checked(batch_of):
    batch = batch_of([20.0, 20.0, 35.0], lat=np.array([30.0, 30.01, 35.0]))
    params = qc.config.default().params("TEM", "buddy")
    result = qc.get_check("buddy").check(batch, params)
    assert result.flags.tolist() == [9, 9, 9]  # too few buddies for anyone


def random_network(seed: int, n: int = 3000):
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(30.0, 34.0, n), rng.uniform(105.0, 109.0, n)
    z = rng.uniform(0.0, 1900.0, n)
    values = 20 - 0.5 * (lat - 30) + 3 * np.sin(lon / 2) - 0.0065 * z + rng.normal(0, 0.5, n)
    bad = rng.random(n) < 0.1
    values[bad] += rng.choice([-1.0, 1.0], bad.sum()) * rng.uniform(2.0, 10.0, bad.sum())
    lat[:4], lon[:4] = lat[4], lon[4]  # a few co-located stations
    return rng, lat, lon, z, values


@pytest.mark.parametrize("params", [
    (30000.0, 5, 2.0, 300.0, -0.0065, 0.5, 3),
    (30000.0, 3, 2.0, -1.0, -0.0065, 0.5, 2),
    (20000.0, 8, 1.5, 0.0, 0.0, 0.2, 5),
    (25000.0, 1, 2.5, 500.0, -0.0065, 1.0, 10),
])
def test_flags_are_identical_to_titanlib_buddy_check(params):
    titanlib = pytest.importorskip("titanlib")
    for seed in (0, 1):
        _, lat, lon, z, values = random_network(seed)
        radius, num_min, *rest = params
        expected = np.array(titanlib.buddy_check(titanlib.Points(lat, lon, z), values, [radius],
                                                 [num_min], *rest))
        ours = buddy_check(lat, lon, z, values, radius, num_min, *rest).flags
        assert expected.sum() > 50
        np.testing.assert_array_equal(ours, expected)


def test_flags_are_identical_to_titanlib_with_per_station_parameters():
    titanlib = pytest.importorskip("titanlib")
    rng, lat, lon, z, values = random_network(2)
    radius = rng.uniform(10000.0, 40000.0, len(values))
    num_min = rng.integers(1, 6, len(values))
    to_check = (rng.random(len(values)) < 0.7).astype(int)
    expected = np.array(titanlib.buddy_check(titanlib.Points(lat, lon, z), values, radius,
                                             num_min, 2.0, 300.0, -0.0065, 0.5, 3, to_check))
    ours = buddy_check(lat, lon, z, values, radius, num_min, 2.0, 300.0, -0.0065, 0.5, 3,
                       to_check).flags
    np.testing.assert_array_equal(ours, expected)


def test_unknown_elevations_matter_only_when_elevation_is_used():
    lat = 30.0 + 0.01 * np.arange(6)
    z = np.r_[np.zeros(5), np.nan]
    values = [20.0, 20.2, 19.9, 20.1, 20.0, 27.0]
    anywhere = flags(lat, np.full(6, 110.0), z, values, max_elev_diff=-1.0)
    assert anywhere.flags.tolist() == [0, 0, 0, 0, 0, 1]
    level_only = flags(lat, np.full(6, 110.0), z, values)
    assert not level_only.tested[5]  # no buddy is provably within max_elev_diff of it
