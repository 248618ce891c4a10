import numpy as np
import pytest

from qixiang.science import qc


def test_registry_returns_each_check_module_by_name():
    assert qc.names() == ["range", "climatology", "extremes", "consistency", "step",
                          "persistence", "buddy", "sct", "position"]
    for name in qc.names():
        module = qc.get_check(name)
        assert name == module.NAME
        assert module.KIND in {"limit", "consistency", "temporal", "spatial", "identity"}


def test_unknown_check_names_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown QC check 'nope'.*buddy"):
        qc.get_check("nope")


def test_each_check_keeps_its_own_bit():
    assert qc.bit("range") == 1
    assert qc.bit("buddy") == 1 << 6
    assert qc.bit("position") == 1 << 8


def test_run_batch_combines_flags_and_keeps_which_checks_fired_and_why(batch_of):
    values = np.full(12, 20.0) + np.linspace(-0.3, 0.3, 12)
    values[3] = 75.0  # impossible
    values[7] = 27.0  # spatially inconsistent
    values[9] = np.nan
    result = qc.run_batch(batch_of(values), checks=["range", "buddy", "step"])
    assert result.flags[3] == 2
    assert result.flags[7] == 1
    assert result.flags[9] == 8
    assert result.flags[0] == 0
    assert result.fired[3] == qc.bit("range")
    assert result.fired[7] == qc.bit("buddy")
    assert result.fired_checks(7) == ["buddy"]
    assert result.reasons[3][0][0] == "range"
    assert "buddy mean" in result.reasons[7][0][1]
    assert result.reasons[0] == ()
    assert result.verdicts["step"].tolist() == [9] * 12  # no history: could not apply


def test_spatial_checks_do_not_see_values_already_wrong(batch_of):
    values = np.full(12, 20.0) + np.linspace(-0.3, 0.3, 12)
    values[3] = 75.0
    result = qc.run_batch(batch_of(values), checks=["range", "buddy"])
    assert result.verdicts["buddy"][3] == 9  # treated as missing, so neither tested ...
    assert result.flags[[2, 4]].tolist() == [0, 0]  # ... nor a buddy of its neighbours
    assert result.fired_checks(3) == ["range"]


def test_values_no_check_applies_to_are_not_checked(batch_of):
    result = qc.run_batch(batch_of([5.0], element="XYZ"))
    assert result.flags.tolist() == [9]


def test_default_configuration_runs_spatial_checks_for_temperature():
    assert {"buddy", "sct"} <= set(qc.config.default().checks("TEM"))
    assert "buddy" not in qc.config.default().checks("PRE_1h")


def test_parameters_can_be_overridden_per_call(batch_of):
    values = np.full(12, 20.0)
    values[7] = 21.5
    quiet = qc.run_batch(batch_of(values), checks=["buddy"])
    strict = qc.run_batch(batch_of(values), checks=["buddy"],
                          params={"buddy": {"min_std": 0.1, "threshold": 2.0}})
    assert quiet.flags[7] == 0
    assert strict.flags[7] == 1


def test_batch_fields_of_the_wrong_shape_are_named(batch_of):
    with pytest.raises(ValueError, match="'elevation'"):
        qc.Batch("TEM", [1.0, 2.0], ["a", "b"], [30.0, 30.1], [110.0, 110.0], [0.0])
    with pytest.raises(ValueError, match="'history'"):
        batch_of([1.0, 2.0], history=np.zeros((3, 1)), history_hours=[1.0, 2.0, 3.0])


def test_empty_and_all_missing_batches_run_through_every_check(batch_of):
    assert qc.run_batch(batch_of([])).flags.tolist() == []
    result = qc.run_batch(batch_of([np.nan] * 5))
    assert result.flags.tolist() == [8] * 5
    assert result.verdicts["sct"].tolist() == [9] * 5
