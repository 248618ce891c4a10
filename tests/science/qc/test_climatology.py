from datetime import UTC, datetime

import numpy as np
import pytest

from qixiang.science import qc
from qixiang.science.qc.climatology import compute_table
from qixiang.science.qc.tables import LimitTable, TableError, read_csv

PARAMS = {"severity": 2, "utc_offset_hours": 8}


def table() -> LimitTable:
    return LimitTable(station=["S0000", "S0000", "*"], element=["TEM", "TEM", "TEM"],
                      month=[6, 7, 7], low=[10.0, 15.0, -5.0], high=[30.0, 35.0, 45.0])


def test_values_outside_the_station_month_limits_are_wrong(batch_of):
    batch = batch_of([33.0, 50.0, 40.0], time=datetime(2026, 7, 10, tzinfo=UTC))
    result = qc.get_check("climatology").check(batch, PARAMS | {"table": table()})
    assert result.flags.tolist() == [0, 2, 0]  # S0000 own July row; the others the * row
    assert "month-7 climatological limits [-5, 45]" in result.reasons[1]


def test_the_month_is_taken_in_beijing_time(batch_of):
    # 20:00 UTC on 30 June is already 1 July in Beijing: the July limits (15-35) apply
    batch = batch_of([33.0], time=datetime(2026, 6, 30, 20, tzinfo=UTC))
    assert qc.get_check("climatology").check(batch, PARAMS | {"table": table()}).flags[0] == 0
    utc = PARAMS | {"table": table(), "utc_offset_hours": 0}
    assert qc.get_check("climatology").check(batch, utc).flags[0] == 2


def test_without_a_table_or_a_row_the_check_does_not_apply(batch_of):
    batch = batch_of([20.0], element="DPT")
    assert qc.get_check("climatology").check(batch, PARAMS | {"table": ""}).flags[0] == 9
    assert qc.get_check("climatology").check(batch, PARAMS | {"table": table()}).flags[0] == 9


def test_limits_computed_from_an_archive_cover_it_and_need_enough_values():
    rng = np.random.default_rng(0)
    values = np.r_[rng.normal(25.0, 2.0, 300), rng.normal(5.0, 1.0, 10)]
    ids = ["A"] * 300 + ["B"] * 10
    computed = compute_table(ids, np.full(310, 7), values, "TEM", k=6.0, min_count=60)
    assert computed.station.tolist() == ["A"]  # B has too few values
    low, high = computed.lookup("TEM", np.array(["A"]), 7)
    assert low[0] < values[:300].min() and high[0] > values[:300].max()
    assert 10.0 < low[0] < 15.0 and 35.0 < high[0] < 40.0


def test_tables_round_trip_through_csv(tmp_path):
    path = tmp_path / "limits.csv"
    table().write_csv(path)
    again = read_csv(path)
    june_low, _ = again.lookup("TEM", np.array(["S0000", "X"]), 6)
    assert june_low[0] == 10.0 and np.isnan(june_low[1])  # no June row for X, no June *
    low, high = again.lookup("TEM", np.array(["S0000", "X"]), 7)
    assert low.tolist() == [15.0, -5.0] and high.tolist() == [35.0, 45.0]


def test_a_bad_table_row_is_named_by_file_line_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("station,element,month,low,high\nA,TEM,7,10,35\nB,TEM,7,cold,35\n")
    with pytest.raises(TableError, match=r"bad\.csv: line 3: field 'low' is not a number"):
        read_csv(path)
