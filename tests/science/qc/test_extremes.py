import numpy as np

from qixiang.science import qc
from qixiang.science.qc.extremes import compute_records


def test_beyond_the_station_record_is_suspect_not_wrong(batch_of):
    records = compute_records(["S0000", "S0000", "S0001"], [-12.0, 38.5, 30.0], "TEM")
    batch = batch_of([39.0, 30.5, 20.0])
    result = qc.get_check("extremes").check(batch, {"severity": 1, "table": records})
    assert result.flags.tolist() == [1, 1, 9]  # S0002 has no record
    assert "above the station record high 38.5" in result.reasons[0]


def test_a_margin_tolerates_values_just_past_the_record(batch_of):
    records = compute_records(["S0000"], [38.5], "TEM")
    params = {"severity": 1, "table": records, "margin": 1.0}
    assert qc.get_check("extremes").check(batch_of([39.0]), params).flags.tolist() == [0]


def test_records_ignore_missing_archive_values():
    records = compute_records(["A", "A", "A"], [1.0, np.nan, -3.0], "TEM")
    assert records.lookup("TEM", np.array(["A"]))[0].tolist() == [-3.0]
