import numpy as np

from qixiang.science import qc


def test_values_outside_the_sensor_range_are_wrong_with_the_range_named(batch_of):
    result = qc.get_check("range").check(batch_of([25.0, 61.0, -81.0, np.nan]), {"severity": 2})
    assert result.flags.tolist() == [0, 2, 2, 9]
    assert "61 degC outside the range [-80, 60]" in result.reasons[1]
    assert set(result.reasons) == {1, 2}


def test_parameters_narrow_the_vocabulary_range(batch_of):
    result = qc.get_check("range").check(batch_of([45.0, 50.0]),
                                         {"severity": 2, "high": 48.0})
    assert result.flags.tolist() == [0, 2]


def test_unknown_elements_cannot_be_range_checked(batch_of):
    result = qc.get_check("range").check(batch_of([1.0], element="XYZ"), {"severity": 2})
    assert result.flags.tolist() == [9]
