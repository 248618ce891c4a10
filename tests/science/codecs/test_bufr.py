"""BUFR decoder: pinned on the real files of shared/data/bufr, on the SYNOP bulletin that was
encoded into 15015/15090/15420.bin, and on a 301150 + 307096 message encoded here with ecCodes."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, datetime

import eccodes
import pytest

from qixiang.science import codecs
from qixiang.science.codecs import bufr, synop
from qixiang.science.observation import Status

ROMANIA_TAC = "A_SMRO01YRBK211200_C_EDZW_20220321120500_12524785.txt"
ALGERIA = "A_ISIN21DAMM210900_C_EDZW_20220321091203_12391691.bufr4"
ITALY = "A_ISMD02LIIB201200_C_EDZW_20220320120604_11413047.bin"
ITALY_CCA = "A_ISMD01LIIB210600CCA_C_EDZW_20220321061203_12271638.bin"
SHIPS = "A_ISSA05LFPW111700RRA_C_EDZW_20240211170705_50982396.bin"
BUOYS = "A_IOBH03LFPW161000_C_EDZW_20240216112202_27622614.bin"
PROFILER = "WIGOS_0-20000-0-48698_20240301T140000-578.bin"
BALAKA = "0-454-2-awsbalaka_2021-11-18_0955.bufr"


def _decode(shared_data, name: str, filename: str | None = None):
    data = (shared_data / "bufr" / name).read_bytes()
    return list(bufr.decode(data, name if filename is None else filename))


def _only_report(shared_data, name: str):
    (message,) = _decode(shared_data, name)
    assert message.status == Status.DECODED, message.reason
    (report,) = message.reports
    return report


def _section0_spans(data: bytes) -> list[tuple[int, int]]:
    spans, pos = [], 0
    while (start := data.find(b"BUFR", pos)) >= 0:
        end = start + int.from_bytes(data[start + 4:start + 7], "big")
        spans.append((start, end))
        pos = end
    return spans


# --- the SYNOP bulletin encoded into 15015/15090/15420.bin, read group by group ---------------

_VV_METRES = {90: 0.0, 91: 50.0, 92: 200.0, 93: 500.0, 94: 1000.0, 95: 2000.0, 96: 4000.0,
              97: 10000.0, 98: 20000.0, 99: 50000.0}  # code table 4377, 90-99


def _tac_expected(shared_data, station: str) -> dict:
    """CMA values of one report of the bulletin, read here by hand (iw = 1: m/s)."""
    text = (shared_data / "synop" / ROMANIA_TAC).read_text("latin-1")
    groups = re.search(rf"\b{station} (.*?)=", text, re.S).group(1).split()
    section1, section3 = groups[:groups.index("333")], groups[groups.index("333") + 1:]
    irixhvv, nddff = section1[0], section1[1]
    expected = {"VIS": _VV_METRES[int(irixhvv[3:])], "CLO_Cov": int(nddff[0]) * 12.5,
                "WIN_D_Avg_10mi": int(nddff[1:3]) * 10.0, "WIN_S_Avg_10mi": float(nddff[3:])}
    assert irixhvv[1] == "2"  # ix = 2: no weather group -> BUFR 508 "nothing to report"
    expected["WEP_Now"] = 508.0

    def temperature(g: str) -> float:
        return (-1 if g[1] == "1" else 1) * int(g[2:]) / 10

    for g in section1[2:]:
        if g[0] == "1":
            expected["TEM"] = temperature(g)
        elif g[0] == "2":
            expected["DPT"] = temperature(g)
        elif g[0] == "3":
            expected["PRS"] = int(g[1:]) / 10 + (1000 if g[1] == "0" else 0)
        elif g[0] == "4":  # 4PPPP, or 4a3hhh (a standard level's height): no sea-level pressure
            expected["PRS_Sea"] = (int(g[1:]) / 10 + (1000 if g[1] == "0" else 0)
                                   if g[1] in "09" else None)
        elif g[0] == "6":
            assert g[4] == "1"
            expected["PRE_6h"] = float(int(g[1:4]))
    gusts = {}
    for g in section3:
        if g.startswith("4") and g[2:] != "///":
            expected["Snow_Depth"] = float(int(g[2:]))
        elif g.startswith("6"):
            assert g[4] == "7"
            expected["PRE_3h"] = float(int(g[1:4]))
        elif g.startswith(("910", "911")):
            gusts[g[:3]] = float(g[3:])
    expected["WIN_S_Inst_Max"] = gusts.get("911", gusts.get("910"))  # the longer period first
    return expected


@pytest.mark.parametrize("station", ["15015", "15090", "15420"])
def test_romanian_bufr_equals_the_synop_groups_it_was_encoded_from(shared_data, station):
    report = _only_report(shared_data, f"{station}.bin")
    assert report.station == station
    assert report.time == datetime(2022, 3, 21, 12, tzinfo=UTC)
    expected = _tac_expected(shared_data, station)
    for code, value in expected.items():
        if code == "CLO_Cov":  # BUFR carries whole per cent (5 oktas -> 63 %)
            assert report.values[code] == pytest.approx(value, abs=0.5), code
        else:
            assert report.values[code] == pytest.approx(value), code


def test_15015_values_pinned(shared_data):
    report = _only_report(shared_data, "15015.bin")
    assert report.values["TEM"] == pytest.approx(10.3)  # 10103
    assert report.values["DPT"] == pytest.approx(-9.0)  # 21090
    assert report.values["PRS"] == pytest.approx(976.5)  # 39765
    assert report.values["PRS_Sea"] is None  # 42952 is 925 hPa at 952 gpm, not 4PPPP
    assert report.values["WIN_S_Inst_Max"] == 4.0  # 91104 over 91003
    assert report.values["RHU"] == 25.0
    assert report.values["TEM_Max"] is None  # in the template, reported missing
    assert (report.lat, report.lon, report.elevation) == pytest.approx((47.77694, 23.94028, 503.0))
    assert report.name == "OC.SUGATAG"


@pytest.mark.parametrize("station", ["15015", "15090", "15420"])
def test_bufr_and_synop_decoders_agree_on_the_same_report(shared_data, station):
    text = (shared_data / "synop" / ROMANIA_TAC).read_bytes()
    tac = next(m for m in synop.decode(text, ROMANIA_TAC)
               if m.reports and m.reports[0].station == station).reports[0]
    report = _only_report(shared_data, f"{station}.bin")
    for code, value in tac.values.items():
        if code in report.values and value is not None:
            assert report.values[code] == pytest.approx(value, abs=0.5 if code == "CLO_Cov"
                                                         else 1e-6), code


# --- identifiers, headings, corrections --------------------------------------------------------


def test_wigos_id_is_the_station_when_there_is_no_wmo_index(shared_data):
    report = _only_report(shared_data, BALAKA)
    assert report.station == report.wigos_id == "0-454-2-AWSBALAKA"
    # The csv2bufr source row: AirTempK 309.5, DewPointTempK 288.9, RH 29.48, BP 94399.23 Pa,
    # QNH 101638.1 Pa, max/min 310.1/303.9 K, 10-min wind 2.169 m/s from 352.5 deg.
    assert report.values["TEM"] == pytest.approx(36.35)
    assert report.values["DPT"] == pytest.approx(15.75)
    assert report.values["RHU"] == 29.0
    assert report.values["PRS"] == pytest.approx(944.0)
    assert report.values["PRS_Sea"] == pytest.approx(1016.4)
    assert report.values["TEM_Max"] == pytest.approx(36.95)
    assert report.values["TEM_Min"] == pytest.approx(30.75)
    assert report.values["WIN_S_Avg_10mi"] == pytest.approx(2.2)
    assert report.values["WIN_D_Avg_10mi"] == 353.0
    assert report.time == datetime(2021, 11, 18, 9, 55, tzinfo=UTC)


def test_operator_203_and_wigos_ids_in_a_corrected_bulletin(shared_data):
    (message,) = _decode(shared_data, "ISND02_LLBD.bufr")
    assert message.header == "ISND02 LLBD 222200 CCD" and message.correction
    assert [r.station for r in message.reports] == ["0-376-0-608", "0-376-0-661"]
    assert [r.elevation for r in message.reports] == [10.0, 950.0]
    assert message.reports[0].values["PRS"] == pytest.approx(1015.9)


def test_heading_and_cca_correction_read_from_the_envelope(shared_data):
    (message,) = _decode(shared_data, ITALY_CCA, filename="x.bin")
    assert message.header == "ISMD01 LIIB 210600 CCA"
    assert message.correction is True
    report = message.reports[0]
    assert (report.station, report.values["TEM"], report.values["TEM_Min"]) == ("16252", 0.2, 0.0)
    (late,) = _decode(shared_data, SHIPS)
    assert late.header == "ISSA05 LFPW 111700 RRA" and late.correction is False  # RRx: delayed


def test_heading_taken_from_a_wmo_file_name_when_the_data_has_none(shared_data):
    data = (shared_data / "bufr" / "15015.bin").read_bytes()
    (message,) = bufr.decode(data, "in/A_ISMD01LIIB210600CCA_C_EDZW_20220321061203_1.bin")
    assert message.header == "ISMD01 LIIB 210600 CCA" and message.correction
    (plain,) = bufr.decode(data, "15015.bin")
    assert plain.header == "" and not plain.correction


# --- multi-message, multi-subset, compressed ---------------------------------------------------


def test_every_message_keeps_exactly_its_own_bytes(shared_data):
    for path in sorted((shared_data / "bufr").iterdir()):
        data = path.read_bytes()
        messages = list(bufr.decode(data, path.name))
        spans = _section0_spans(data)
        assert [m.index for m in messages] == list(range(1, len(spans) + 1)), path.name
        for message, (start, end) in zip(messages, spans, strict=True):
            assert message.raw == data[start:end], (path.name, message.index)
            assert message.raw.startswith(b"BUFR") and message.raw.endswith(b"7777")
            assert message.codec == "bufr"


def test_every_shared_file_is_decoded_or_explained_message_by_message(shared_data):
    for path in sorted((shared_data / "bufr").iterdir()):
        for message in bufr.decode(path.read_bytes(), path.name):
            if message.status == Status.DECODED:
                assert message.reports, (path.name, message.index)
            else:
                assert message.reason.startswith(f"{path.name}: message {message.index}: ")


def test_concatenated_messages_each_become_a_message(shared_data):
    messages = _decode(shared_data, "WIGOS_multi-message.bufr4")
    assert len(messages) == 10 and all(m.status == Status.DECODED for m in messages)
    stations = [m.reports[0].station for m in messages]
    assert stations == ["60351"] * 5 + ["60355"] * 4 + ["60360"]
    assert [m.reports[0].time.hour for m in messages[:5]] == [9, 12, 15, 18, 21]
    assert messages[3].reports[0].values["TEM_Max"] == pytest.approx(19.7)
    assert messages[3].reports[0].values["PRE_12h"] == 0.0  # 004024 -12 before 013011


def test_uncompressed_multi_subset_bulletin(shared_data):
    (message,) = _decode(shared_data, ALGERIA)
    assert message.header == "ISIN21 DAMM 210900" and len(message.reports) == 18
    first, last = message.reports[0], message.reports[-1]
    assert (first.station, first.name) == ("60351", "Jijel Achouat")
    assert first.values["TEM"] == pytest.approx(15.1)
    assert first.values["DPT"] == pytest.approx(11.5)
    assert first.values["PRS_Sea"] == pytest.approx(1024.5)
    assert first.values["WEP_Now"] == 61.0
    assert message.reports[3].values["CLO_Cov"] == 100.0
    assert last.station == "60577" and last.lat is None and last.values["PRS"] == 927.0


def test_nil_subsets_are_named_and_the_others_decoded(shared_data):
    (message,) = _decode(shared_data, ITALY)
    assert message.status == Status.DECODED and len(message.reports) == 19
    assert "subset 3: station 16033: field time" in message.reason
    assert message.reason.count("subset ") == 7
    passo_rolle = message.reports[0]
    assert (passo_rolle.station, passo_rolle.elevation) == ("16021", 2004.0)
    assert passo_rolle.values["PRS"] == pytest.approx(808.1)


def test_compressed_subsets_with_a_heading_per_message(shared_data):
    messages = _decode(shared_data, "ISMD01_OKPR.bufr")
    assert [m.header for m in messages] == ["ISMD01 OKPR 211200", "ISMD01 OKPR 210600",
                                            "ISMD01 OKPR 211800", "ISMD01 OKPR 210000"]
    assert all(len(m.reports) == 7 for m in messages)
    primda = messages[1].reports[0]
    assert (primda.station, primda.time) == ("11423", datetime(2007, 11, 21, 6, tzinfo=UTC))
    assert primda.values["Snow_Depth"] == 19.0  # 0.19 m
    assert primda.values["TEM_Min"] == pytest.approx(-3.1)
    assert primda.values["PRE_12h"] == 0.0 and primda.values["PRE_24h"] == 0.0
    kocelovice = messages[0].reports[1]
    assert kocelovice.values["TEM"] == pytest.approx(-1.3)
    assert kocelovice.values["VIS"] == 2700.0


def test_ships_by_call_sign_and_buoys_by_platform_number(shared_data):
    (ships,) = _decode(shared_data, SHIPS)
    assert len(ships.reports) == 40
    first = ships.reports[0]
    assert (first.station, first.lat, first.elevation) == ("CMXXXKP", 34.57, None)
    assert first.values["TEM"] == pytest.approx(18.75)
    assert first.values["PRS_Sea"] == pytest.approx(1016.7)
    (buoys,) = _decode(shared_data, BUOYS)
    assert [(r.station, r.time.strftime("%H:%M")) for r in buoys.reports] == [
        ("1400011", "09:40"), ("1400011", "10:10")]
    assert "VIS" not in buoys.reports[0].values  # not in template 315008: absent
    assert buoys.reports[0].values["TEM"] is None  # in the template, reported missing


def test_307091_gust_period_statistics_and_national_stations(shared_data):
    messages = _decode(shared_data, "bssh_178.bufr")
    campo = messages[0].reports[0]
    assert campo.station == "86662"
    assert campo.values["WIN_S_Inst_Max"] == 3.5  # the 60-min gust; the 10-min one is missing
    assert campo.values["PRE_1h"] == 0.0  # 004025 -60 min before 013011
    assert campo.values["TEM"] == pytest.approx(23.3)
    assert campo.values["TEM_Min"] == pytest.approx(22.6)
    national = messages[10]
    assert national.status == Status.UNDECODED
    assert "national station 302/598017 has no WMO index or WIGOS id" in national.reason


def test_ecmwf_legacy_descriptors(shared_data):
    report = _decode(shared_data, "syno_4.bufr")[0].reports[0]
    assert report.station == "10015" and report.elevation == 8.0  # 007001
    assert report.values["TEM"] == pytest.approx(9.15)  # 012004 at 2 m
    assert report.values["WIN_S_Avg_10mi"] == 6.0  # 011012 at 10 m
    assert report.values["PRE_6h"] == 5.0  # 013021


# --- what is not decoded -----------------------------------------------------------------------


def test_upper_air_and_other_categories_are_archived_undecoded(shared_data):
    temps = _decode(shared_data, "temp_101.bufr")
    assert [m.status for m in temps] == [Status.UNDECODED] * 4
    assert temps[0].reason == ("temp_101.bufr: message 1: upper-air BUFR (category 2, template "
                               "309007 104000 031001 007004 ...) archived, not yet decoded")
    (profiler,) = _decode(shared_data, PROFILER)
    assert profiler.status == Status.UNDECODED and "wind profiler" in profiler.reason
    for name, words in [("IUSK73_AMMC_182300.bufr", "upper-air TEMP"),
                        ("uegabe.bufr", "upper-air TEMP"),
                        ("fy3a_154.bufr", "satellite sounding BUFR (category 3")]:
        (message,) = _decode(shared_data, name)
        assert message.status == Status.UNDECODED and words in message.reason, name
        assert not message.reports


def test_undecodable_messages_are_rejected_and_the_rest_still_read(shared_data):
    messages = _decode(shared_data, "multi_invalid_messages.bufr")
    assert [m.status for m in messages] == [Status.REJECTED, Status.UNDECODED, Status.REJECTED]
    first = messages[0].reason
    assert first.startswith("multi_invalid_messages.bufr: message 1: ecCodes cannot unpack")
    assert "local descriptors (004197" in first
    assert "message 3" in messages[2].reason and "template 307051" in messages[2].reason
    prep = _decode(shared_data, "prepbufr.bufr")
    assert [m.status for m in prep].count(Status.UNDECODED) == 2  # the embedded BUFR tables
    assert "table-update BUFR (category 11" in prep[0].reason
    assert [m.status for m in prep].count(Status.REJECTED) == 11


def test_broken_framing_is_rejected_without_losing_the_next_message(shared_data):
    good = (shared_data / "bufr" / "15015.bin").read_bytes()
    truncated = good[:-20]
    messages = list(bufr.decode(truncated + b"\r\r\n" + good, "cut.bin"))
    assert [m.status for m in messages] == [Status.REJECTED, Status.DECODED]
    assert messages[0].raw == truncated + b"\r\r\n"
    assert "do not end in '7777'" in messages[0].reason
    (short,) = bufr.decode(good[:100], "short.bin")
    assert short.status == Status.REJECTED and "truncated message" in short.reason
    (nothing,) = bufr.decode(b"no bulletin here", "x.txt")
    assert nothing.status == Status.REJECTED and "no BUFR message" in nothing.reason
    damaged = good[:40] + bytes(40) + good[80:]
    (bad,) = bufr.decode(damaged, "damaged.bin")
    assert bad.status == Status.REJECTED and bad.reason.startswith("damaged.bin: message 1: ")


def test_a_wrong_length_loses_neither_the_message_bytes_nor_the_next_heading(shared_data):
    data = bytearray((shared_data / "bufr" / "ISMD01_OKPR.bufr").read_bytes())
    (start, end), *_ = _section0_spans(bytes(data))[1:]
    data[start + 4:start + 7] = (end - start + 7).to_bytes(3, "big")  # declared 7 bytes too long
    messages = list(bufr.decode(bytes(data), "ISMD01_OKPR.bufr"))
    assert [m.status for m in messages] == [Status.DECODED, Status.REJECTED, Status.DECODED,
                                            Status.DECODED]
    assert messages[1].raw == bytes(data[start:end]) and messages[1].header.endswith("210600")
    assert messages[2].header == "ISMD01 OKPR 211800" and len(messages[2].reports) == 7


def test_sniff_and_registry_detection(shared_data):
    with_heading = (shared_data / "bufr" / ITALY_CCA).read_bytes()
    assert bufr.sniff(with_heading, "") and bufr.sniff(b"BUFR\x00\x00\xe0\x04", "")
    assert not bufr.sniff(b"SMRO01 YRBK 211200\r\r\nAAXX 21121\r\r\n15015 02999", "")
    assert not bufr.sniff(b" " * 300 + b"BUFR\x00\x00\xe0\x04", "")
    assert codecs.detect(with_heading, ITALY_CCA) == "bufr"


# --- a 301150 + 307096 message made here: heights, statistics, periods --------------------------


def _encode_307096() -> bytes:
    handle = eccodes.codes_bufr_new_from_samples("BUFR4")
    try:
        for key, value in [("masterTablesVersionNumber", 37), ("bufrHeaderCentre", 38),
                           ("dataCategory", 0), ("internationalDataSubCategory", 3),
                           ("typicalYear", 2026), ("typicalMonth", 7), ("typicalDay", 1),
                           ("typicalHour", 6), ("numberOfSubsets", 1), ("observedData", 1),
                           ("compressedData", 0)]:
            eccodes.codes_set(handle, key, value)
        eccodes.codes_set_array(handle, "inputShortDelayedDescriptorReplicationFactor", [1] * 17)
        eccodes.codes_set_array(handle, "inputDelayedDescriptorReplicationFactor", [0, 0])
        eccodes.codes_set_array(handle, "unexpandedDescriptors", [301150, 307096])
        sensor = "heightOfSensorAboveLocalGroundOrDeckOfMarinePlatform"
        values = {
            "wigosIdentifierSeries": 0, "wigosIssuerOfIdentifier": 156, "wigosIssueNumber": 0,
            "wigosLocalIdentifierCharacter": "54511", "blockNumber": 54, "stationNumber": 511,
            "stationOrSiteName": "BEIJING", "year": 2026, "month": 7, "day": 1, "hour": 6,
            "minute": 0, "latitude": 39.8, "longitude": 116.47,
            "heightOfStationGroundAboveMeanSeaLevel": 31.3,
            "pressureReducedToMeanSeaLevel": 100610,  # station pressure missing
            f"#1#{sensor}": 1.5, "#1#airTemperature": 303.15, "dewpointTemperature": 293.15,
            "horizontalVisibility": 12000, "cloudCoverTotal": 113,  # humidity missing
            "presentWeather": 2, "totalSnowDepth": -0.01,
            f"#4#{sensor}": 10.0, "#3#timeSignificance": 2, "#6#timePeriod": -10,
            "#1#windDirection": 200, "#1#windSpeed": 3.4,
            "#7#timePeriod": -10, "#1#maximumWindGustSpeed": 8.0,
            "#8#timePeriod": -60, "#2#maximumWindGustSpeed": 12.0,
            "#9#timePeriod": -360, "#3#maximumWindGustSpeed": 15.0,
            "#11#timePeriod": -60,  # extremes at an unknown height (sensor height missing)
            "#1#maximumTemperatureAtHeightAndOverPeriodSpecified": 304.15,
            "#1#minimumTemperatureAtHeightAndOverPeriodSpecified": 296.15,
            f"#6#{sensor}": 0.05, "#12#timePeriod": -60,  # grass minimum: not TEM_Min
            "#2#minimumTemperatureAtHeightAndOverPeriodSpecified": 290.15,
            f"#7#{sensor}": 1.5, "#13#timePeriod": -12, "#14#timePeriod": 0,  # screen level
            "#2#maximumTemperatureAtHeightAndOverPeriodSpecified": 305.15,
            "#15#timePeriod": -12, "#16#timePeriod": 0,
            "#3#minimumTemperatureAtHeightAndOverPeriodSpecified": 294.15,
            "#17#timePeriod": -1, "#1#totalPrecipitationOrTotalWaterEquivalent": 0.2,
            "#18#timePeriod": -3, "#2#totalPrecipitationOrTotalWaterEquivalent": 1.0,
            "#19#timePeriod": -6, "#3#totalPrecipitationOrTotalWaterEquivalent": 2.5,
            "#20#timePeriod": -12, "#4#totalPrecipitationOrTotalWaterEquivalent": -0.1,
            "#21#timePeriod": -24, "#5#totalPrecipitationOrTotalWaterEquivalent": 10.0,
            # a 10-minute mean (008023 = 4) of the same elements: never the observation
            "#30#timePeriod": -10, "#1#firstOrderStatistics": 4,
            "#2#nonCoordinatePressure": 99000, "#2#windSpeed": 20.0,
            "#2#airTemperature": 310.15, "#2#relativeHumidity": 10,
        }
        for key, value in values.items():
            if isinstance(value, str):
                eccodes.codes_set_string(handle, key, value)
            else:
                eccodes.codes_set(handle, key, value)
        eccodes.codes_set(handle, "pack", 1)
        return eccodes.codes_get_message(handle)
    finally:
        eccodes.codes_release(handle)


def test_307096_with_wigos_id_picks_each_element_by_its_qualifiers():
    """Screen-level extremes win over ones of unknown height and the grass minimum; a 10-min
    mean (008023) never stands in for a missing observation; gust over the longest period up to
    6 h; precipitation by period with a trace as 0; special values (113 %, -0.01 m) resolved."""
    (message,) = bufr.decode(_encode_307096(), "made.bufr")
    assert message.status == Status.DECODED, message.reason
    (report,) = message.reports
    assert (report.station, report.wigos_id, report.name) == ("54511", "0-156-0-54511", "BEIJING")
    assert report.time == datetime(2026, 7, 1, 6, tzinfo=UTC)
    assert report.values == pytest.approx({
        "PRS": None, "PRS_Sea": 1006.1, "TEM": 30.0, "DPT": 20.0, "RHU": None, "VIS": 12000.0,
        "Snow_Depth": 0.0, "WEP_Now": 2.0, "WIN_D_Avg_10mi": 200.0, "WIN_S_Avg_10mi": 3.4,
        "WIN_S_Inst_Max": 15.0, "TEM_Max": 32.0, "TEM_Min": 21.0, "PRE_1h": 0.2, "PRE_3h": 1.0,
        "PRE_6h": 2.5, "PRE_12h": 0.0, "PRE_24h": 10.0, "CLO_Cov": None})


def test_decoding_is_stable_across_repeats_and_cache_hits(shared_data):
    """The second decode of a shape reads layouts from the cache: same reports."""
    first = [m.reports for m in _decode(shared_data, ALGERIA)]
    again = [m.reports for m in _decode(shared_data, ALGERIA)]
    assert first == again
    made = _encode_307096()
    assert list(bufr.decode(made))[0].reports == list(bufr.decode(made))[0].reports


def test_sections_read_from_the_bytes_equal_what_eccodes_reads(shared_data):
    """Sections 1 and 3 are parsed from the bytes for speed; ecCodes is the reference."""
    compared = 0
    for path in sorted((shared_data / "bufr").iterdir()):
        for frame in bufr.frames(path.read_bytes(), path.name):
            if frame.problem:
                continue
            try:
                handle = eccodes.codes_new_from_message(frame.raw)
            except Exception:
                continue
            try:
                assert bufr._sections_from_bytes(frame.raw) == bufr._sections_from_eccodes(
                    handle), (path.name, frame.index)
                compared += 1
            finally:
                eccodes.codes_release(handle)
    assert compared > 100


def test_frames_decoded_one_by_one_elsewhere_equal_decoding_the_file(shared_data):
    """A file cut into frames, each sent to another process (pickled) and decoded there,
    gives the messages decoding the whole file gives: same index, bytes, heading, reports."""
    for path in sorted((shared_data / "bufr").iterdir()):
        data = path.read_bytes()
        frames = pickle.loads(pickle.dumps(list(bufr.frames(data, path.name))))
        one_by_one = [bufr.decode_frame(frame, path.name) for frame in frames]
        assert one_by_one == list(bufr.decode(data, path.name)), path.name
