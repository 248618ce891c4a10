import numpy as np

from qixiang.science import qc

PARAMS = {"severity": 1, "window_hours": 6.0, "min_values": 6, "tolerance": 0.0}
HOURS = np.arange(1.0, 9.0)


def history(*columns):
    return np.array(columns, dtype=float).T  # (hours, stations)


def test_a_value_stuck_for_the_whole_window_is_suspect(batch_of):
    stuck = [17.3] * 8
    varying = [17.3, 17.9, 18.6, 19.0, 19.5, 19.1, 18.2, 17.0]
    batch = batch_of([17.3, 17.3], history=history(stuck, varying), history_hours=HOURS)
    result = qc.get_check("persistence").check(batch, PARAMS)
    assert result.flags.tolist() == [1, 0]
    assert "unchanged at 17.3 over 7 values in 6 h" in result.reasons[0]


def test_values_that_may_persist_are_exempt(batch_of):
    batch = batch_of([0.0], element="WIN_S_Avg_2mi", history=history([0.0] * 8),
                     history_hours=HOURS)
    params = PARAMS | {"exempt": [0.0]}
    assert qc.get_check("persistence").check(batch, params).flags.tolist() == [0]


def test_too_few_values_in_the_window_means_the_check_does_not_apply(batch_of):
    gappy = [17.3, np.nan, np.nan, 17.3, 17.3, np.nan, 17.3, 17.3]
    batch = batch_of([17.3], history=history(gappy), history_hours=HOURS)
    assert qc.get_check("persistence").check(batch, PARAMS).flags.tolist() == [9]
    assert qc.get_check("persistence").check(batch_of([17.3]), PARAMS).flags.tolist() == [9]
