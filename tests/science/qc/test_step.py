import numpy as np

from qixiang.science import qc

PARAMS = {"severity": 1, "lag_hours": 1.0, "max_step": 6.0}


def test_a_jump_beyond_the_hourly_limit_is_suspect(batch_of):
    batch = batch_of([20.0, 28.5, 12.0], history=[[19.0, 20.0, 19.0], [18.0, 19.0, 18.0]],
                     history_hours=[1.0, 2.0])
    result = qc.get_check("step").check(batch, PARAMS)
    assert result.flags.tolist() == [0, 1, 1]
    assert "changed by +8.5 degC in 1 h (limit 6)" in result.reasons[1]


def test_without_the_value_an_hour_earlier_the_check_does_not_apply(batch_of):
    batch = batch_of([20.0, 30.0], history=[[19.0, np.nan]], history_hours=[1.0])
    assert qc.get_check("step").check(batch, PARAMS).flags.tolist() == [0, 9]
    only_older = batch_of([20.0], history=[[5.0]], history_hours=[3.0])
    assert qc.get_check("step").check(only_older, PARAMS).flags.tolist() == [9]
    assert qc.get_check("step").check(batch_of([20.0]), PARAMS).flags.tolist() == [9]


def test_elements_without_a_step_limit_are_not_step_checked(batch_of):
    batch = batch_of([20.0], element="VIS", history=[[90.0]], history_hours=[1.0])
    assert qc.get_check("step").check(batch, {"severity": 1}).flags.tolist() == [9]
