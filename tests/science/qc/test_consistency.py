import numpy as np
import pytest

from qixiang.science import qc
from qixiang.science.qc.consistency import magnus_rh

PARAMS = {"severity": 1, "temperature_tolerance": 0.1, "rhu_tolerance": 10.0,
          "precipitation_tolerance": 0.1, "calm_speed": 0.2}


def run(batch):
    return qc.get_check("consistency").check(batch, PARAMS)


def test_temperature_outside_the_minimum_and_maximum_is_suspect(batch_of):
    batch = batch_of([20.0, 26.0, 14.0], others={"TEM_Max": [25.0, 25.0, 25.0],
                                                "TEM_Min": [15.0, 15.0, 15.0]})
    result = run(batch)
    assert result.flags.tolist() == [0, 1, 1]
    assert "TEM 26 > TEM_Max 25" in result.reasons[1]
    assert "TEM_Min 15 > TEM 14" in result.reasons[2]


def test_the_maximum_is_flagged_too_since_either_may_be_wrong(batch_of):
    batch = batch_of([25.0, 24.0], element="TEM_Max", others={"TEM": [20.0, 24.5]})
    assert run(batch).flags.tolist() == [0, 1]


def test_dew_point_above_temperature_is_suspect(batch_of):
    batch = batch_of([12.0, 18.3], element="DPT", others={"TEM": [18.0, 18.0]})
    result = run(batch)
    assert result.flags.tolist() == [0, 1]
    assert "DPT 18.3 > TEM 18" in result.reasons[1]


def test_magnus_humidity_matches_known_values():
    assert magnus_rh(np.array([20.0]), np.array([20.0]))[0] == pytest.approx(100.0)
    assert magnus_rh(np.array([20.0]), np.array([10.0]))[0] == pytest.approx(52.5, abs=0.3)


def test_humidity_inconsistent_with_temperature_and_dew_point_is_suspect(batch_of):
    batch = batch_of([52.0, 90.0], element="RHU", others={"TEM": [20.0, 20.0], "DPT": [10.0, 10.0]})
    result = run(batch)
    assert result.flags.tolist() == [0, 1]
    assert "give 52" in result.reasons[1]


def test_a_shorter_accumulation_may_not_exceed_a_longer_one(batch_of):
    batch = batch_of([3.0, 5.0, np.nan], element="PRE_1h",
                     others={"PRE_3h": [4.0, 4.0, 4.0], "PRE_24h": [10.0, 4.5, 1.0]})
    result = run(batch)
    assert result.flags.tolist() == [0, 1, 9]
    assert "PRE_1h 5 > PRE_3h 4" in result.reasons[1]


def test_calm_wind_goes_with_direction_zero_and_only_with_it(batch_of):
    batch = batch_of([0.0, 180.0, 0.0, 225.0], element="WIN_D_Avg_2mi",
                     others={"WIN_S_Avg_2mi": [0.0, 0.0, 3.4, 3.4]})
    result = run(batch)
    assert result.flags.tolist() == [0, 1, 1, 0]
    speed = batch_of([0.0, 0.1], element="WIN_S_Avg_2mi", others={"WIN_D_Avg_2mi": [90.0, 0.0]})
    assert run(speed).flags.tolist() == [1, 0]


def test_without_the_other_elements_the_check_does_not_apply(batch_of):
    assert run(batch_of([20.0])).flags.tolist() == [9]
    assert run(batch_of([20.0], others={"TEM_Max": [np.nan]})).flags.tolist() == [9]
