"""The CSV decoder: mappings, the Campbell logger files, row-level rejection."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import csv as csvcodec
from qixiang.science.codecs import csvmapping, get_decoder
from qixiang.science.observation import Status

BALAKA = "csv/WIGOS_0-454-2-AWSBALAKA_2021-11-18T0955.csv"
BALAKA_BUFR = "bufr/0-454-2-awsbalaka_2021-11-18_0955.bufr"
CAMPBELL_FILES = {  # file -> data rows
    BALAKA: 1,
    "csv/Balaka_Agri_SYNOP.csv": 1,
    "csv/Namitambo_SYNOP.csv": 16,
    "csv/WIGOS_0-454-2-AWSNAMITAMBO_2021-07-07.csv": 16,
}


def decode(data: bytes | str, filename: str = "test.csv", **options):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return list(csvcodec.decode(data, filename, **options))


def bufr_values(path) -> dict:
    eccodes = pytest.importorskip("eccodes")
    keys = ["airTemperature", "dewpointTemperature", "relativeHumidity", "nonCoordinatePressure",
            "pressureReducedToMeanSeaLevel", "windDirection", "windSpeed", "latitude", "longitude",
            "heightOfStationGroundAboveMeanSeaLevel", "year", "month", "day", "hour", "minute",
            "#1#totalPrecipitationOrTotalWaterEquivalent", "#4#timePeriod", "#10#timePeriod",
            "wigosIssuerOfIdentifier", "wigosIssueNumber", "wigosLocalIdentifierCharacter"]
    with open(path, "rb") as f:
        handle = eccodes.codes_bufr_new_from_file(f)
        try:
            eccodes.codes_set(handle, "unpack", 1)
            return {k: eccodes.codes_get(handle, k) for k in keys}
        finally:
            eccodes.codes_release(handle)


def test_campbell_row_agrees_with_the_bufr_encoded_from_it(shared_data):
    (message,) = decode((shared_data / BALAKA).read_bytes(), BALAKA)
    report = message.reports[0]
    b = bufr_values(shared_data / BALAKA_BUFR)

    assert report.station == (f"0-{b['wigosIssuerOfIdentifier']}-{b['wigosIssueNumber']}-"
                              f"{b['wigosLocalIdentifierCharacter'].strip()}")
    assert report.time == datetime(b["year"], b["month"], b["day"], b["hour"], b["minute"],
                                   tzinfo=UTC)
    assert (report.lat, report.lon) == pytest.approx((b["latitude"], b["longitude"]), abs=1e-5)
    assert report.elevation == b["heightOfStationGroundAboveMeanSeaLevel"]
    v = report.values
    # BUFR keeps K to 0.1, Pa to 10 Pa, % and degrees to 1, m/s to 0.1: agree within that.
    assert v["TEM"] == pytest.approx(b["airTemperature"] - 273.15, abs=0.05)
    assert v["DPT"] == pytest.approx(b["dewpointTemperature"] - 273.15, abs=0.05)
    assert v["PRS"] == pytest.approx(b["nonCoordinatePressure"] / 100, abs=0.05)
    assert v["PRS_Sea"] == pytest.approx(b["pressureReducedToMeanSeaLevel"] / 100, abs=0.05)
    assert v["RHU"] == pytest.approx(b["relativeHumidity"], abs=0.5)
    assert v["WIN_D_Avg_10mi"] == pytest.approx(b["windDirection"], abs=0.5)
    assert v["WIN_S_Avg_10mi"] == pytest.approx(b["windSpeed"], abs=0.05)
    assert b["#10#timePeriod"] == -10  # the BUFR's wind is the 10-minute mean, as mapped
    assert b["#4#timePeriod"] == -1  # ... and its precipitation the past hour
    assert v["PRE_1h"] == b["#1#totalPrecipitationOrTotalWaterEquivalent"]
    # exact values in canonical units, from the CSV cells
    assert v["TEM"] == 36.35 and v["PRS"] == 943.9923 and v["RHU"] == 29.48


@pytest.mark.parametrize("name, rows", CAMPBELL_FILES.items())
def test_campbell_layout_decodes_every_row_with_or_without_toa5_preamble(shared_data, name, rows):
    data = (shared_data / name).read_bytes()
    assert csvcodec.sniff(data, name)
    messages = decode(data, name)
    assert [m.status for m in messages] == [Status.DECODED] * rows
    assert [m.index for m in messages] == list(range(1, rows + 1))
    first = messages[0].reports[0]
    assert first.values.keys() >= {"TEM", "DPT", "RHU", "PRS", "PRS_Sea", "PRE_1h",
                                   "WIN_D_Avg_10mi", "WIN_S_Avg_10mi", "WIN_S_Inst_Max"}
    assert first.wigos_id == first.station


def test_time_comes_from_the_utc_columns_not_the_logger_clock(shared_data):
    name = "csv/WIGOS_0-454-2-AWSNAMITAMBO_2021-07-07.csv"
    messages = decode((shared_data / name).read_bytes(), name)
    # TIMESTAMP says 16:55 .. 07:55 next day (UTC+2); M_* columns 14:55 .. 05:55 UTC
    assert messages[0].reports[0].time == datetime(2021, 7, 7, 14, 55, tzinfo=UTC)
    assert messages[-1].reports[0].time == datetime(2021, 7, 8, 5, 55, tzinfo=UTC)
    assert messages[-1].reports[0].values["TEM"] == 16.35  # 289.5 K


def test_raw_is_the_header_line_and_the_row_so_the_same_row_hashes_the_same(shared_data):
    toa5 = (shared_data / BALAKA).read_bytes()
    plain = (shared_data / "csv/Balaka_Agri_SYNOP.csv").read_bytes()
    (a,), (b,) = decode(toa5, BALAKA), decode(plain, "Balaka_Agri_SYNOP.csv")
    lines = toa5.decode().splitlines()
    assert a.raw == f"{lines[1]}\n{lines[4]}".encode()
    assert hashlib.sha256(a.raw).digest() == hashlib.sha256(b.raw).digest()


def test_logger_missing_markers_are_missing_values_not_errors(shared_data):
    name = "csv/Namitambo_SYNOP.csv"
    text = (shared_data / name).read_text()
    text = text.replace(",288.7,286.8,88,", ",NAN,,88,", 1)
    first = decode(text, name)[0]
    assert first.status == Status.DECODED
    assert first.reports[0].values["TEM"] is None and first.reports[0].values["DPT"] is None
    assert first.value_count == len(first.reports[0].values) - 2


def test_bad_cells_reject_only_their_row_naming_file_line_and_column(shared_data):
    name = "csv/Namitambo_SYNOP.csv"
    lines = (shared_data / name).read_text().splitlines()
    # data rows are lines 4.. of the file
    lines[3] = lines[3].replace(",288.7,", ",28x.7,", 1)  # AirTempK not a number
    lines[4] = lines[4].replace("2021,7,7,15,55", "2021,13,7,15,55", 1)  # month 13
    lines[5] = lines[5].replace('"0-454-2-awsnamitambo"', '""', 1)  # no station
    lines[6] = lines[6].rsplit(",", 3)[0]  # short row
    messages = decode("\n".join(lines), "Namitambo_SYNOP.csv")

    assert len(messages) == 16
    bad = {m.index: m for m in messages if m.status == Status.REJECTED}
    assert sorted(bad) == [1, 2, 3, 4]
    assert bad[1].reason == ("Namitambo_SYNOP.csv: line 4 (data row 1), column 'AirTempK': "
                             "'28x.7' is not a number")
    assert bad[2].reason.startswith("Namitambo_SYNOP.csv: line 5 (data row 2), column "
                                    "'M_Year, M_Month, M_DayOfMonth, M_HourOfDay, M_Minutes': "
                                    "bad time: month must be in 1..12")
    assert "line 6" in bad[3].reason and "'Station_ID': no station identifier" in bad[3].reason
    assert "line 7" in bad[4].reason and "the row has 44 cells, the header 47" in bad[4].reason
    assert bad[1].raw == f"{lines[0]}\n{lines[3]}".encode()  # the dead letter explains itself
    assert all(m.status == Status.DECODED for m in messages[4:])


def test_unknown_station_is_rejected_when_known_stations_are_given(shared_data):
    data = (shared_data / "csv/Namitambo_SYNOP.csv").read_bytes()
    messages = decode(data, "n.csv", stations={"0-454-2-AWSBALAKA"})
    assert {m.status for m in messages} == {Status.REJECTED}
    assert "unknown station '0-454-2-awsnamitambo'" in messages[0].reason
    assert all(m.status == Status.DECODED
               for m in decode(data, "n.csv", stations={"0-454-2-awsnamitambo"}))


def test_qixiang_layout_reads_element_code_columns_in_canonical_units():
    text = ("station_id,time,lat,lon,elevation,TEM,RHU,PRS,PRE_1h,remark\n"
            "54511,2026-11-21T06:00:00Z,39.80,116.47,31.3,12.3,45,1012.3,,ok\n"
            "54511,2026-11-21T15:00:00+08:00,39.80,116.47,31.3,-0.5,43,1012.0,0.2,\n"
            "54511,2026-11-21 16:00,39.80,116.47,31.3,1,1,1,1,\n")
    assert csvcodec.sniff(text.encode(), "x.csv")
    a, b, c = decode(text, "obs.csv")
    assert a.reports[0].values == {"TEM": 12.3, "RHU": 45.0, "PRS": 1012.3, "PRE_1h": None}
    assert (a.reports[0].lat, a.reports[0].lon, a.reports[0].elevation) == (39.8, 116.47, 31.3)
    assert b.reports[0].time == datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    assert c.status == Status.REJECTED
    assert c.reason.startswith("obs.csv: line 4 (data row 3), column 'time': bad time: "
                               "'2026-11-21 16:00' has no UTC offset")


def test_gbk_file_is_read_and_raw_keeps_its_bytes():
    text = "station_id,name,time,TEM\n54511,北京,2026-11-21T06:00:00Z,1.5\n"
    (message,) = decode(text.encode("gbk"), "gbk.csv")
    assert message.reports[0].name == "北京"
    assert message.raw == text.rstrip("\n").encode("gbk")


def test_mapping_option_takes_a_name_a_path_or_a_dict(shared_data, tmp_path):
    data = (shared_data / BALAKA).read_bytes()
    by_name = decode(data, mapping="wis2box-campbell")[0].reports[0]
    source = csvmapping.builtins()["wis2box-campbell"].source
    assert source.endswith("wis2box-campbell.toml")
    mapping = tmp_path / "logger.toml"
    mapping.write_text("""
name = "local-clock"
[header]
preamble = ["TOA5"]
skip = ["TS", ""]
[station]
id = "A1234"
[time]
column = "TIMESTAMP"
format = "%Y-%m-%d %H:%M:%S"
timezone = "Africa/Blantyre"
[elements]
AirTempK = { code = "TEM", unit = "K" }
BP = { code = "PRS", unit = "kPa" }
""")
    by_path = decode(data, mapping=str(mapping))[0].reports[0]
    assert by_path.station == "A1234"
    assert by_path.time == by_name.time  # 11:55 Malawi time is 09:55 UTC
    assert by_path.values == {"TEM": 36.35, "PRS": 943992.3}
    by_dict = decode(data, mapping={"header": {"row": 1, "skip": ["TS", ""]},
                                    "station": {"column": "Station_Name"},
                                    "time": {"year": "M_Year", "month": "M_Month",
                                             "day": "M_DayOfMonth", "hour": "M_HourOfDay",
                                             "timezone": "+00:00"},
                                    "elements": {"RH": {"code": "RHU"}}})[0].reports[0]
    assert (by_dict.station, by_dict.values) == ("Balaka", {"RHU": 29.48})
    assert by_dict.time == datetime(2021, 11, 18, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("mapping, reason", [
    ({"station": {"column": "s"}, "time": {"column": "t"}, "elements": {"x": {"code": "TEMP"}}},
     "elements.x.code: unknown element code 'TEMP'"),
    ({"station": {"column": "s"}, "time": {"column": "t"},
      "elements": {"x": {"code": "PRS", "unit": "K"}}},
     "elements.x.unit: cannot convert 'K' to 'hPa'"),
    ({"station": {"column": "s"}, "time": {"column": "t"},
      "elements": {"x": {"code": "TEM", "period": "p"}}}, "elements.x.period: TEM has no period"),
    ({"time": {"column": "t"}, "elements": {"x": {"code": "TEM"}}},
     "[station] needs exactly one of column or id"),
    ("no-such-mapping", "no CSV mapping 'no-such-mapping'"),
])
def test_an_unusable_mapping_rejects_the_file_with_the_reason(mapping, reason):
    (message,) = decode("s,t,x\n1,2026-01-01T00:00Z,1\n", "f.csv", mapping=mapping)
    assert message.status == Status.REJECTED
    assert message.reason.startswith("f.csv: ") and reason in message.reason


def test_header_lacking_a_mapped_column_rejects_each_row_naming_it():
    text = "station_id,time,TEM\n54511,2026-11-21T06:00:00Z,1\n54511,2026-11-21T07:00:00Z,2\n"
    mapping = {"station": {"column": "station_id"}, "time": {"column": "time"},
               "elements": {"TEM": {"code": "TEM"}, "RH": {"code": "RHU"}}}
    messages = decode(text, "f.csv", mapping=mapping)
    assert [m.status for m in messages] == [Status.REJECTED] * 2
    assert messages[1].reason == ("f.csv: line 3 (data row 2): column 'RH' missing from the "
                                  "header on line 1 (mapping '<dict>')")


def test_period_column_stores_the_value_under_the_element_of_that_period(shared_data):
    name = "csv/Balaka_Agri_SYNOP.csv"
    lines = (shared_data / name).read_text().splitlines()
    # Rain_H, Rain_hr, Rain_mm_Tot = 1.5, -1, 0  -> -3 h and -2 h
    three = lines[1].replace(",1.5,-1,0,", ",1.5,-3,4.2,", 1)
    two = lines[1].replace(",1.5,-1,0,", ",1.5,-2,4.2,", 1)
    ok, bad = decode("\n".join([lines[0], three, two]), name)
    assert ok.reports[0].values["PRE_3h"] == 4.2 and "PRE_1h" not in ok.reports[0].values
    assert bad.status == Status.REJECTED
    assert "column 'Rain_hr': period -2 gives 120 min" in bad.reason


def test_unrecognised_or_empty_text_is_one_rejected_message():
    (unknown,) = decode("a,b,c\n1,2,3\n", "odd.csv")
    assert unknown.status == Status.REJECTED and "no CSV mapping matches the header" in unknown.reason
    (empty,) = decode("\n\n", "empty.csv")
    assert empty.status == Status.REJECTED and "empty file" in empty.reason
    assert not csvcodec.sniff(b"a,b,c\n1,2,3\n", "odd.csv")


def test_sniff_refuses_other_formats(shared_data):
    assert not csvcodec.sniff((shared_data / BALAKA_BUFR).read_bytes(), "x.bufr")
    synop = next((shared_data / "synop").glob("*.txt")).read_bytes()
    assert not csvcodec.sniff(synop, "x.txt")
    assert not csvcodec.sniff(b'{"station": "54511"}', "x.json")


def test_registered_as_csv():
    assert get_decoder("csv") is csvcodec and csvcodec.NAME == "csv"
