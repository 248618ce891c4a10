"""SYNOP decoder: bulletins, envelopes, code tables, corrections and rejections, pinned on real
bulletins and on the BUFR that synop2bufr made from the same bulletin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import synop
from qixiang.science.observation import Status

ROMANIA = "A_SMRO01YRBK211200_C_EDZW_20220321120500_12524785.txt"
ROMANIA_17 = "A_SMRO01YRBK171200_C_EDZW_20230117120502_51362175.txt"
ROMANIA_17_CCA = "A_SMRO01YRBK171200CCA_C_EDZW_20230117174401_51649529.txt"


def _decode(text: str, filename: str = "test.txt", **options):
    return list(synop.decode(text.encode("latin-1"), filename, **options))


def _values(text: str, **options) -> dict:
    (message,) = _decode(text, reference_time="2024-03-21T12:00:00Z", **options)
    assert message.status == Status.DECODED, message.reason
    return message.reports[0].values


def _bufr_values(path) -> dict:
    """The synop2bufr encoding of one station, read with ecCodes, in canonical units."""
    eccodes = pytest.importorskip("eccodes")
    with open(path, "rb") as f:
        handle = eccodes.codes_bufr_new_from_file(f)
    try:
        eccodes.codes_set(handle, "unpack", 1)

        def get(key):
            value = eccodes.codes_get(handle, key)
            return None if value in (eccodes.CODES_MISSING_DOUBLE, eccodes.CODES_MISSING_LONG) \
                else value

        station = f"{get('#1#blockNumber'):02d}{get('#1#stationNumber'):03d}"
        values = {
            "TEM": get("airTemperature") - 273.15,
            "DPT": get("dewpointTemperature") - 273.15,
            "PRS": get("nonCoordinatePressure") / 100,
            "WIN_D_Avg_10mi": get("windDirection"),
            "WIN_S_Avg_10mi": get("windSpeed"),
            "CLO_Cov": get("cloudCoverTotal"),
            "VIS": get("horizontalVisibility"),
            "WIN_S_Inst_Max": get("#2#maximumWindGustSpeed"),  # over the past 6 h (911ff)
            "WEP_Now": get("presentWeather"),
        }
        if (msl := get("pressureReducedToMeanSeaLevel")) is not None:
            values["PRS_Sea"] = msl / 100
        if (snow := get("totalSnowDepth")) is not None:
            values["Snow_Depth"] = snow * 100
        for n, period_key in ((1, "#4#timePeriod"), (2, "#5#timePeriod")):
            amount = get(f"#{n}#totalPrecipitationOrTotalWaterEquivalent")
            if amount is not None:
                values[f"PRE_{-get(period_key)}h"] = amount
        return {"station": station, "time": datetime(
            get("year"), get("month"), get("day"), get("hour"), get("minute"), tzinfo=UTC),
            "values": values}
    finally:
        eccodes.codes_release(handle)


def test_sniff_recognises_synop_bulletins_and_nothing_else(shared_data):
    for path in (shared_data / "synop").iterdir():
        assert synop.sniff(path.read_bytes(), path.name), path.name
    for path in (shared_data / "metar").iterdir():
        assert not synop.sniff(path.read_bytes(), path.name), path.name
    for path in (shared_data / "csv").iterdir():
        assert not synop.sniff(path.read_bytes(), path.name), path.name


def test_bulletin_gives_one_message_per_station_report(shared_data):
    messages = list(synop.decode((shared_data / "synop" / ROMANIA).read_bytes(), ROMANIA))

    assert len(messages) == 23
    assert [m.index for m in messages] == list(range(1, 24))
    assert all(m.status == Status.DECODED and len(m.reports) == 1 for m in messages)
    assert {m.header for m in messages} == {"SMRO01 YRBK 211200"}
    assert not any(m.correction for m in messages)
    assert [m.reports[0].station for m in messages[:3]] == ["15015", "15020", "15090"]
    # day/hour from AAXX 21121, year/month from the file name's creation stamp
    assert {m.reports[0].time for m in messages} == {datetime(2022, 3, 21, 12, tzinfo=UTC)}


def _report_text(message) -> bytes:
    """The report as it stands in the file, without the heading and section 0 lines."""
    return message.raw.split(b"\n", 2)[2]


def test_raw_is_heading_section0_and_the_report_as_it_stands_in_the_file(shared_data):
    data = (shared_data / "synop" / ROMANIA).read_bytes()
    first = next(synop.decode(data, ROMANIA))

    assert first.raw.startswith(b"SMRO01 YRBK 211200\nAAXX 21121\n15015 02999 02501")
    assert first.raw.endswith(b"91003 91104=")
    assert b"\n\n0////\n\n" in first.raw  # the report spans lines as sent
    assert _report_text(first) in data


def test_archived_report_decodes_on_its_own_to_the_same_values(shared_data):
    data = (shared_data / "synop" / ROMANIA).read_bytes()
    first = next(synop.decode(data, ROMANIA))
    (again,) = synop.decode(first.raw, ROMANIA)

    assert again.reports == first.reports
    assert again.header == first.header


@pytest.mark.parametrize("station", ["15015", "15090", "15420"])
def test_values_match_the_bufr_synop2bufr_made_from_the_same_bulletin(shared_data, station):
    expected = _bufr_values(shared_data / "bufr" / f"{station}.bin")
    messages = synop.decode((shared_data / "synop" / ROMANIA).read_bytes(), ROMANIA)
    report = next(m.reports[0] for m in messages if m.reports[0].station == station)

    assert expected["station"] == station
    assert report.time == expected["time"]
    for code, value in expected["values"].items():
        tolerance = 0.5 if code == "CLO_Cov" else 1e-6  # BUFR rounds oktas to whole percent
        assert report.values[code] == pytest.approx(value, abs=tolerance), code
    if "PRS_Sea" not in expected["values"]:  # 15015 reports 4a3hhh (925 hPa height) instead
        assert "PRS_Sea" not in report.values


def test_known_values_of_a_romanian_report(shared_data):
    messages = synop.decode((shared_data / "synop" / ROMANIA).read_bytes(), ROMANIA)
    values = next(m.reports[0].values for m in messages if m.reports[0].station == "15090")

    assert values == {
        "VIS": 10000.0, "CLO_Cov": 62.5, "WIN_D_Avg_10mi": 310.0, "WIN_S_Avg_10mi": 2.0,
        "TEM": 13.9, "DPT": -7.5, "PRS": 1027.1, "PRS_Sea": 1036.4, "PRE_6h": 0.0,
        "WEP_Now": 508.0, "Snow_Depth": 0.0, "PRE_3h": 0.0, "WIN_S_Inst_Max": 7.0,
    }


def test_cca_bulletin_is_a_correction_of_the_earlier_report(shared_data):
    (corrected,) = synop.decode((shared_data / "synop" / ROMANIA_17_CCA).read_bytes(),
                                ROMANIA_17_CCA)
    originals = synop.decode((shared_data / "synop" / ROMANIA_17).read_bytes(), ROMANIA_17)
    original = next(m for m in originals if m.reports[0].station == "15108")

    assert corrected.correction is True and original.correction is False
    assert corrected.header == "SMRO01 YRBK 171200 CCA"
    assert corrected.reports[0].station == "15108"
    assert corrected.reports[0].time == original.reports[0].time == datetime(
        2023, 1, 17, 12, tzinfo=UTC)
    assert corrected.raw != original.raw
    assert (original.reports[0].values["Snow_Depth"], corrected.reports[0].values["Snow_Depth"]) \
        == (13.0, 14.0)


@pytest.mark.parametrize(("bbb", "correction"), [("CCA", True), ("CCB", True), ("RRA", False),
                                                 ("AAA", False), ("", False)])
def test_only_cc_headings_mark_a_correction(bbb, correction):
    text = f"SMRO01 YRBK 211200 {bbb}\nAAXX 21121\n15015 02999 02501 10103=\n"
    (message,) = _decode(text)

    assert message.correction is correction
    assert message.header == f"SMRO01 YRBK 211200 {bbb}".strip()


def test_gts_file_with_several_bulletins(shared_data):
    messages = list(synop.decode((shared_data / "synop" / "WX.00").read_bytes(), "WX.00",
                                 reference_time="2023-02-02T00:00:00Z"))
    by_status = {s: [m for m in messages if m.status == s] for s in Status}

    assert len(messages) == 68
    assert [m.header for m in messages].count("SMCU20 MUHV 310000") == 20
    assert [m.header for m in messages].count("SMCU40 MUHV 310000") == 48
    assert len(by_status[Status.DECODED]) == 65
    assert [_report_text(m) for m in by_status[Status.REJECTED]] == [
        b"78328 nil=", b"78332 nil=", _report_text(by_status[Status.REJECTED][2])]
    first = messages[0].reports[0]
    # day 31 read on 2 February: February has no 31st, so 31 January
    assert first.station == "78310" and first.time == datetime(2023, 1, 31, 0, tzinfo=UTC)
    assert first.values == {
        "VIS": 20000.0, "CLO_Cov": 87.5, "WIN_D_Avg_10mi": 30.0, "WIN_S_Avg_10mi": 3.0,
        "TEM": 25.0, "DPT": 21.4, "PRS": 1009.4, "PRS_Sea": 1010.4, "PRE_6h": 11.0,
        "WEP_Now": 3.0, "TEM_Max": 32.0, "TEM_Min": 24.0, "PRE_3h": 11.0, "PRE_24h": 11.4,
        "WIN_S_Inst_Max": 18.0,
    }
    calm = next(m.reports[0] for m in messages if m.reports and m.reports[0].station == "78318")
    assert (calm.values["WIN_D_Avg_10mi"], calm.values["WIN_S_Avg_10mi"]) == (0.0, 0.0)


def test_nil_report_is_rejected_as_no_observation(shared_data):
    messages = synop.decode((shared_data / "synop" / "WX.00").read_bytes(), "WX.00")
    nil = next(m for m in messages if _report_text(m) == b"78328 nil=")

    assert nil.status == Status.REJECTED and not nil.reports
    assert nil.reason == "WX.00: report 7 (station 78328): NIL report: the station sent no " \
                         "observation"


def test_broken_report_is_rejected_naming_file_report_station_and_group(shared_data):
    messages = list(synop.decode((shared_data / "synop" / "WX.00").read_bytes(), "WX.00"))
    broken = messages[59]  # "78370 78370 11540 ...": the station number sent twice

    assert broken.status == Status.REJECTED
    assert _report_text(broken).startswith(b"78370 78370 11540")
    assert broken.reason.startswith("WX.00: report 60 (station 78370): group '78370' (iRixhVV)")
    assert messages[58].status == messages[60].status == Status.DECODED  # neighbours unharmed


def test_garbage_inside_a_bulletin_spares_the_other_reports():
    text = ("SMRO01 YRBK 211200\nAAXX 21121\n15015 02999 02501 10103=\n"
            "15020 02997 23104 1X130 21075=\n15090 02997 53102 10139=\n")
    messages = _decode(text, "bad.txt")

    assert [m.status for m in messages] == [Status.DECODED, Status.REJECTED, Status.DECODED]
    assert messages[1].reason == ("bad.txt: report 2 (station 15020): group '1X130' "
                                  "(section 1 group): 5 digits or slashes expected")


@pytest.mark.parametrize(("groups", "problem"), [
    ("02999 02501 30103 10103", "group '10103' (section 1 group): out of order"),
    ("02999 04501", "group '04501' (Nddff): wind direction 45"),
    ("02952 02501", "visibility code 52 is not used"),
    ("02999 02501 16103", "group '16103' (temperature): sign 6"),
    ("", "report ends after the station identifier"),
])
def test_group_errors_are_named(groups, problem):
    (message,) = _decode(f"AAXX 21121\n15015 {groups}=")

    assert message.status == Status.REJECTED
    assert problem in message.reason


def test_report_without_aaxx_line_is_rejected():
    (message,) = _decode("15015 02999 02501 10103=")

    assert message.status == Status.REJECTED
    assert "no AAXX or BBXX line" in message.reason


def test_soh_etx_envelope_with_sequence_numbers_and_several_bulletins():
    text = ("\x01\r\r\n776 \r\r\nSMRO01 YRBK 211200\r\r\nAAXX 21121\r\r\n"
            "15015 02999 02501 10103=\r\r\n15020 02997 23104\r\r\n 10130=\r\r\n\x03"
            "\x01\r\r\n777 \r\r\nSMRO01 YRBK 211200 CCA\r\r\nAAXX 21121\r\r\n"
            "15090 02997 53102 10139=\r\r\n\x03")
    messages = _decode(text)

    assert [m.reports[0].station for m in messages] == ["15015", "15020", "15090"]
    assert [m.correction for m in messages] == [False, False, True]
    assert _report_text(messages[1]) == b"15020 02997 23104\r\r\n 10130="
    assert messages[1].reports[0].values["TEM"] == 13.0


def test_wind_in_knots_is_converted_and_00fff_extends_the_speed():
    knots = _values("AAXX 21124\n15015 02999 02520 10103=")
    extended = _values("AAXX 21124\n15015 02999 02599 00120 10103=")
    metres = _values("AAXX 21121\n15015 02999 02520 10103=")
    unknown = _values("AAXX 2112/\n15015 02999 02520 10103=")

    assert knots["WIN_S_Avg_10mi"] == pytest.approx(20 * 0.514444, rel=1e-5)
    assert extended["WIN_S_Avg_10mi"] == pytest.approx(120 * 0.514444, rel=1e-5)
    assert extended["TEM"] == 10.3
    assert metres["WIN_S_Avg_10mi"] == 20.0
    assert unknown["WIN_S_Avg_10mi"] is None


@pytest.mark.parametrize(("vv", "metres"), [
    ("00", 100.0), ("01", 100.0), ("50", 5000.0), ("56", 6000.0), ("80", 30000.0),
    ("81", 35000.0), ("89", 70000.0), ("90", 50.0), ("94", 1000.0), ("97", 10000.0),
    ("99", 50000.0), ("//", None),
])
def test_visibility_code_table_4377(vv, metres):
    assert _values(f"AAXX 21121\n15015 021{vv} 02501=")["VIS"] == metres


@pytest.mark.parametrize(("group", "element", "value"), [
    ("60001", "PRE_6h", 0.0), ("61234", "PRE_24h", 123.0), ("60102", "PRE_12h", 10.0),
    ("69955", "PRE_1h", 0.5), ("69917", "PRE_3h", 0.1), ("69907", "PRE_3h", 0.0),  # 990 trace
    ("69891", "PRE_6h", 989.0), ("6///1", "PRE_6h", None),
])
def test_precipitation_code_tables_3590_and_4019(group, element, value):
    assert _values(f"AAXX 21121\n15015 02999 02501 {group}=")[element] == value


def test_precipitation_24h_in_tenths_and_periods_without_an_element():
    tenths = _values("AAXX 21121\n15015 02999 02501 333 70123=")
    trace = _values("AAXX 21121\n15015 02999 02501 333 79999=")
    two_hours = _values("AAXX 21121\n15015 02999 02501 60106=")

    assert tenths["PRE_24h"] == 12.3 and trace["PRE_24h"] == 0.0
    assert not any(code.startswith("PRE") for code in two_hours)


def test_cloud_humidity_pressure_and_missing_groups():
    obscured = _values("AAXX 21121\n15015 02999 92501 10/// 29085 3//// 49998=")
    geopotential = _values("AAXX 21121\n15015 02999 /2501 21015 35432 48512=")

    assert obscured["CLO_Cov"] is None and obscured["TEM"] is None
    assert obscured["RHU"] == 85.0 and "DPT" not in obscured
    assert obscured["PRS"] is None and obscured["PRS_Sea"] == 999.8
    assert geopotential["CLO_Cov"] is None and geopotential["DPT"] == -1.5
    assert geopotential["PRS"] == 543.2 and "PRS_Sea" not in geopotential


@pytest.mark.parametrize(("group", "depth"), [
    ("4/000", 0.0), ("41012", 12.0), ("4/997", 0.0), ("4/998", None), ("4/999", None),
    ("4////", None),
])
def test_snow_depth_code_table_3889(group, depth):
    assert _values(f"AAXX 21121\n15015 02999 02501 333 {group}=")["Snow_Depth"] == depth


def test_section3_extremes_gusts_and_radiation_groups():
    values = _values("AAXX 21121\n15015 02999 02501 333 10234 21015 55310 0//// 22591 3//// "
                     "60007 91003 91104=")
    only_10min = _values("AAXX 21121\n15015 02999 02501 333 91007=")

    assert values["TEM_Max"] == 23.4 and values["TEM_Min"] == -1.5  # 22591 is radiation
    assert values["PRE_3h"] == 0.0 and values["WIN_S_Inst_Max"] == 4.0
    assert only_10min["WIN_S_Inst_Max"] == 7.0


def test_present_weather_as_bufr_020003():
    assert _values("AAXX 21121\n15015 01999 02501 76162=")["WEP_Now"] == 61.0
    assert _values("AAXX 21121\n15015 07999 02501 76162=")["WEP_Now"] == 161.0  # wawa
    assert _values("AAXX 21121\n15015 02999 02501=")["WEP_Now"] == 508.0  # nothing to report
    assert "WEP_Now" not in _values("AAXX 21121\n15015 03999 02501=")


def test_ship_report_is_decoded_with_its_position():
    text = ("SMVD01 KWBC 211200\nBBXX\nWDC6925 21124 99361 70741 46/// /1008 10150 20120 "
            "40152 52010 22200 00180=\nSHIP 21124 99361 70741 46/// /1008 10150=\n")
    ship, anonymous = _decode(text, reference_time="2024-03-21T12:30:00Z")

    report = ship.reports[0]
    assert (report.station, report.lat, report.lon) == ("WDC6925", 36.1, -74.1)
    assert report.time == datetime(2024, 3, 21, 12, tzinfo=UTC)
    assert report.values["WIN_S_Avg_10mi"] == pytest.approx(8 * 0.514444, rel=1e-5)
    assert report.values["PRS_Sea"] == 1015.2 and report.values["TEM"] == 15.0
    assert anonymous.status == Status.UNDECODED and "anonymous ship" in anonymous.reason


def test_reference_month_defaults_to_now():
    now = datetime.now(UTC)
    (message,) = _decode(f"AAXX {now.day:02d}001\n15015 02999 02501=")

    assert message.reports[0].time == datetime(now.year, now.month, now.day, tzinfo=UTC)


def test_file_name_stamp_outranks_the_reference_time_option(shared_data):
    (message,) = synop.decode((shared_data / "synop" / ROMANIA_17_CCA).read_bytes(),
                              ROMANIA_17_CCA, reference_time="2030-06-30T00:00:00Z")

    assert message.reports[0].time == datetime(2023, 1, 17, 12, tzinfo=UTC)
