import numpy as np
import pytest

from qixiang.science import qc
from qixiang.science.qc.sct import sct

PARAMS = {k: v for k, v in qc.config.default().params("TEM", "sct").items() if k != "severity"}


def valley(seed: int = 0):
    """12 x 12 stations about 5 km apart across a 1500 m ridge, a lapse-rate temperature field."""
    rng = np.random.default_rng(seed)
    lat, lon = np.meshgrid(30.0 + 0.045 * np.arange(12), 110.0 + 0.052 * np.arange(12))
    lat, lon = lat.ravel(), lon.ravel()
    z = 1500.0 * np.exp(-(((lon - 110.29) / 0.12) ** 2))
    values = 15.0 + 0.3 * (lat - 30.0) - 0.0065 * z + rng.normal(0.0, 0.3, lat.size)
    return lat, lon, z, values


def run(values, lat, lon, z, **kw):
    return sct(lat, lon, z, values, **(PARAMS | kw))


def test_a_clean_field_over_a_ridge_passes_because_the_background_follows_elevation():
    lat, lon, z, values = valley()
    outcome = run(values, lat, lon, z)
    assert outcome.tested.all()
    assert not outcome.flags.any()


def test_a_gross_error_is_flagged_and_nothing_else():
    lat, lon, z, values = valley()
    values[77] += 3.0
    outcome = run(values, lat, lon, z)
    assert np.flatnonzero(outcome.flags).tolist() == [77]
    assert outcome.estimate[77] == pytest.approx(values[77] - 3.0, abs=0.6)


def peak(seed: int = 0):
    """The same grid on a plain with one station on a narrow 1500 m peak (index 77)."""
    lat, lon, _, _ = valley(seed)
    rng = np.random.default_rng(seed)
    km2 = ((lat - lat[77]) * 111.2) ** 2 + ((lon - lon[77]) * 96.3) ** 2
    z = 1500.0 * np.exp(-km2 / (2 * 2.5**2))
    return lat, lon, z, 15.0 - 0.0065 * z + rng.normal(0.0, 0.3, lat.size)


def test_a_peak_station_is_judged_by_the_lapse_rate_not_by_its_lower_neighbours():
    lat, lon, z, values = peak()  # the peak is 9 K colder than its neighbours, as it should be
    assert not run(values, lat, lon, z).flags.any()


def test_a_mountain_station_as_warm_as_the_plain_is_flagged():
    lat, lon, z, values = peak()
    values[77] += 0.0065 * z[77]  # sea-level temperature 1500 m up
    assert np.flatnonzero(run(values, lat, lon, z).flags).tolist() == [77]


def test_each_pass_flags_only_the_worst_of_a_neighbourhood_so_neighbours_are_spared():
    lat, lon, z, values = valley()
    values[77] += 15.0
    values[65] += 4.0  # a smaller error next to the big one
    outcome = run(values, lat, lon, z)
    assert np.flatnonzero(outcome.flags).tolist() == [65, 77]
    hasty = run(values, lat, lon, z, num_iterations=1)  # flags everything above the threshold
    assert hasty.flags.sum() > 2


def test_isolated_stations_are_not_tested(batch_of):
    lat, lon, z, values = valley()
    lat, lon, z, values = np.r_[lat, 40.0], np.r_[lon, 120.0], np.r_[z, 0.0], np.r_[values, 60.0]
    outcome = run(values, lat, lon, z)
    assert not outcome.tested[-1] and not outcome.flags[-1]
    batch = batch_of(values, lat=lat, lon=lon, elevation=z)
    result = qc.get_check("sct").check(batch, qc.config.default().params("TEM", "sct"))
    assert result.flags[-1] == 9


def test_only_the_observations_to_check_are_tested():
    lat, lon, z, values = valley()
    values[77] += 5.0
    to_check = np.ones(values.size, dtype=int)
    to_check[77] = 0
    outcome = run(values, lat, lon, z, obs_to_check=to_check)
    assert not outcome.flags.any()


def test_the_check_explains_a_flag_with_the_estimate(batch_of):
    lat, lon, z, values = valley()
    values[77] -= 4.0
    batch = batch_of(values, lat=lat, lon=lon, elevation=z)
    result = qc.get_check("sct").check(batch, qc.config.default().params("TEM", "sct"))
    assert result.flags[77] == 1
    assert "vs cross-validation estimate" in result.reasons[77]
    assert "departure -4" in result.reasons[77] or "departure -3" in result.reasons[77]
