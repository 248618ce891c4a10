"""METAR/SPECI decoder: collectives, envelopes, unit conversion, remarks and rejections, pinned on
real NWS, French, Kenyan and Canadian bulletins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import metar
from qixiang.science.observation import Status

KT = 1852 / 3600
INCH = 25.4


def _decode(shared_data, name: str, reference: str = "2024-01-31T23:59:00Z"):
    path = shared_data / "metar" / name
    return list(metar.decode(path.read_bytes(), name, reference_time=reference))


def _text(text: str, **options):
    return list(metar.decode(text.encode(), "test.txt",
                             reference_time=options.pop("reference_time", "2024-03-21T06:00Z"),
                             **options))


def _values(text: str) -> dict:
    (message,) = _text(text)
    assert message.status == Status.DECODED, message.reason
    return message.reports[0].values


def test_sniff_recognises_metar_collectives_and_nothing_else(shared_data):
    for path in (shared_data / "metar").iterdir():
        assert metar.sniff(path.read_bytes(), path.name), path.name
    for folder in ("synop", "csv"):
        for path in (shared_data / folder).iterdir():
            assert not metar.sniff(path.read_bytes(), path.name), path.name
    assert metar.sniff(b"ZBAA 210000Z 36004MPS 9999 M05/M16 Q1030\n", "")
    assert not metar.sniff(b"METARS,TIME\n1,2\n", "")


def test_registry_routes_shared_text_files_to_their_decoder(shared_data):
    from qixiang.science import codecs

    for name in codecs.names():
        try:
            codecs.get_decoder(name)
        except ModuleNotFoundError:
            pytest.skip(f"decoder {name} is not in the tree yet")
    for folder, expected in (("metar", "metar"), ("synop", "synop")):
        for path in (shared_data / folder).iterdir():
            assert codecs.detect(path.read_bytes(), path.name) == expected, path.name


def test_collective_gives_one_message_per_report(shared_data):
    messages = _decode(shared_data, "collective.txt")

    assert len(messages) == 14
    assert [m.index for m in messages] == list(range(1, 15))
    assert {m.header for m in messages} == {"SAUS70 KWBC 081400"}
    assert [m.reports[0].station for m in messages if m.reports] == [
        "KSPS", "KMIA", "KMIA", "KALO", "PAJN", "KEST", "KAMW", "KAMW", "KALO", "KALO"]
    assert messages[0].raw.startswith(b"KSPS 081352Z") and messages[0].raw.endswith(b"T02500161=")
    assert b"\r\r\n     TSB38RAB25GRB49" in messages[0].raw  # continuation lines kept as sent
    assert messages[1].raw == messages[2].raw  # KMIA sent twice: same bytes, the hash dedupes


def test_values_in_canonical_units_with_remark_precision(shared_data):
    ksps, kmia, _, kalo = (m.reports[0] for m in _decode(shared_data, "collective.txt")[:4])

    assert ksps.time == datetime(2024, 1, 8, 13, 52, tzinfo=UTC)
    assert ksps.values == pytest.approx({
        "WIN_D_Avg_10mi": 100.0, "WIN_S_Avg_10mi": 15 * KT, "VIS": 16093.4,
        "TEM": 25.0, "DPT": 16.1,  # T02500161 refines 25/16
        "PRS_Sea": 1003.6,  # SLP036; A2967 (QNH) is not stored
        "PRE_1h": 0.0,  # P0000
    })
    assert kmia.values["WIN_S_Inst_Max"] == pytest.approx(45 * KT)
    assert kmia.values["VIS"] == 804.7  # 1/2SM
    assert kmia.values["PRE_1h"] == pytest.approx(0.46 * INCH, abs=0.01)
    assert "PRS_Sea" not in kmia.values
    assert (kalo.values["TEM"], kalo.values["DPT"]) == (-4.4, -7.2)  # M04/M07 T10441072
    assert kalo.values["WIN_S_Inst_Max"] == pytest.approx(53 * KT)


def test_peak_wind_remark_outranks_the_ten_minute_gust(shared_data):
    kalo = _decode(shared_data, "collective.txt")[10].reports[0]  # 17027G37KT ... PK WND 18051

    assert kalo.values["WIN_S_Inst_Max"] == pytest.approx(51 * KT)
    assert kalo.values["PRE_6h"] == pytest.approx(0.14 * INCH, abs=0.01)  # 60014 at 14 UTC


def test_bad_reports_are_rejected_naming_file_report_and_token(shared_data):
    messages = _decode(shared_data, "collective.txt")
    reasons = [m.reason for m in messages if m.status == Status.REJECTED]

    assert reasons == [
        "collective.txt: report 6 (station RJSK): RMK token 'T00500022' contradicts body "
        "token '15/12'",
        "collective.txt: report 12 (station QQQQ): no groups after the observation time",
        "collective.txt: report 13 (station QQQQ): token 'O81354Z' is not an observation time "
        "DDHHMMZ",
        "collective.txt: report 14: token '1QQQ' is not an ICAO location indicator (4 letters)",
    ]
    assert all(not m.reports for m in messages if m.status == Status.REJECTED)


def test_retarded_collective_with_soh_and_month_from_reference(shared_data):
    messages = _decode(shared_data, "collective2.txt", reference="2024-02-01T00:10:00Z")

    assert len(messages) == 35 and all(m.status == Status.DECODED for m in messages)
    assert {m.header for m in messages} == {"SAUS80 KWBC 010000 RRI"}
    assert not any(m.correction for m in messages)  # RRI is a late bulletin, not a correction
    by_station = {m.reports[0].station: m.reports[0] for m in messages}
    assert by_station["KDMH"].time == datetime(2024, 1, 31, 23, 54, tzinfo=UTC)
    assert by_station["KDMH"].values == {"TEM": 0.0, "DPT": -6.1, "PRS_Sea": 1019.8}
    assert by_station["KAVP"].values["WIN_D_Avg_10mi"] is None  # VRB06KT
    assert by_station["KAVP"].values["WIN_S_Avg_10mi"] == pytest.approx(6 * KT)
    assert by_station["KSYR"].values["PRE_6h"] == 1.52


def test_type_prefixed_reports_with_trends(shared_data):
    messages = _decode(shared_data, "kawn.txt", reference="2024-06-02T01:05:00Z")

    assert [m.reports[0].station for m in messages] == ["LFBA", "LFBD", "LFLL"]
    assert messages[0].raw == b"METAR LFBA 020100Z AUTO 26009KT 220V280 9999 ///TCU 17/14 Q1013="
    lfbd = messages[1].reports[0]
    assert lfbd.time == datetime(2024, 6, 2, 1, tzinfo=UTC)
    assert lfbd.values == pytest.approx({"WIN_D_Avg_10mi": 260.0, "WIN_S_Avg_10mi": 6 * KT,
                                         "VIS": 10000.0, "TEM": 15.0, "DPT": 14.0})


def test_control_characters_and_no_break_spaces_do_not_break_reports(shared_data):
    messages = _decode(shared_data, "badchars.txt")

    assert [m.status for m in messages] == [Status.DECODED] * 3
    assert {m.header for m in messages} == {"SAEA20 HKNC 032100"}
    hryr = messages[1]
    assert b"SCT100\xc2\xa0 21/16" in hryr.raw and hryr.raw.endswith(b"NOSIG=")
    assert (hryr.reports[0].station, hryr.reports[0].values["TEM"]) == ("HRYR", 21.0)


def test_canadian_sa_format_is_rejected_per_report(shared_data):
    messages = _decode(shared_data, "sa.txt")

    assert [m.status for m in messages] == [Status.REJECTED] * 4
    assert messages[0].reason == ("sa.txt: report 1: token 'WXL' is not an ICAO location "
                                  "indicator (4 letters)")
    assert messages[0].raw.startswith(b"WXL SA 1400")


def test_metres_per_second_kilometres_per_hour_and_cavok():
    mps = _values("METAR ZBAA 210000Z 36004G09MPS CAVOK M05/M16 Q1030=")
    kmh = _values("METAR ZBAA 210000Z 27018KMH 0800 FG 12/12 Q1012=")

    assert mps == {"WIN_D_Avg_10mi": 360.0, "WIN_S_Avg_10mi": 4.0, "WIN_S_Inst_Max": 9.0,
                   "VIS": 10000.0, "TEM": -5.0, "DPT": -16.0}
    assert kmh["WIN_S_Avg_10mi"] == pytest.approx(5.0) and kmh["VIS"] == 800.0


def test_slashed_groups_are_reported_missing():
    values = _values("METAR ZBAA 210000Z /////KT 9999 /////// ///// Q1030=")
    no_dew = _values("METAR ZBAA 210000Z 36004MPS 9999 12/// Q1030=")

    assert values["WIN_S_Avg_10mi"] is None and values["WIN_D_Avg_10mi"] is None
    assert no_dew["TEM"] == 12.0


def test_plain_list_without_terminators_gives_one_report_per_line():
    messages = _text("KXYZ 210000Z 36004KT P6SM M05/M16 A3030\n"
                     "KXYZ 210100Z 36004KT 1 1/2SM M05/M16 A3030\n")

    assert [m.raw for m in messages] == [b"KXYZ 210000Z 36004KT P6SM M05/M16 A3030",
                                         b"KXYZ 210100Z 36004KT 1 1/2SM M05/M16 A3030"]
    assert [m.reports[0].values["VIS"] for m in messages] == [9656.1, 2414.0]


def test_speci_cor_and_cc_headings():
    speci, cor = _text("SPCI31 ZBBB 211230 CCA\nZSSS 211230Z 12008MPS 0800 FG VV002 12/12 Q1012=\n"
                       "METAR COR ZBAA 211200Z 36004MPS 9999 M05/M16 Q1030=")
    (plain,) = _text("SACI31 ZBBB 211200\nMETAR COR ZBAA 211200Z 36004MPS 9999 M05/M16 Q1030=")
    (uncorrected,) = _text("METAR ZBAA 211200Z 36004MPS 9999 M05/M16 Q1030=")

    assert speci.header == "SPCI31 ZBBB 211230 CCA" and speci.correction
    assert speci.reports[0].time == datetime(2024, 3, 21, 12, 30, tzinfo=UTC)
    assert cor.correction and plain.correction and not uncorrected.correction


def test_nil_and_garbage_reports_are_rejected_and_the_rest_decoded():
    messages = _text("METAR ZBAA 210000Z NIL=\n"
                     "METAR ZBAA 210000Z 36004MPS 9999 XYZ12 M05/M16 Q1030=\n"
                     "METAR ZBAA 320000Z 36004MPS 9999 M05/M16 Q1030=\n"
                     "METAR ZSSS 210000Z 36004MPS 9999 M05/M16 Q1030=\n")

    assert [m.status for m in messages] == [Status.REJECTED] * 3 + [Status.DECODED]
    assert messages[0].reason == "test.txt: report 1 (station ZBAA): NIL report: the station " \
                                 "sent no observation"
    assert messages[1].reason == "test.txt: report 2 (station ZBAA): token 'XYZ12' is not a " \
                                 "METAR group"
    assert "token '320000Z'" in messages[2].reason


def test_day_after_today_belongs_to_the_previous_month():
    (message,) = _text("METAR ZBAA 302300Z 36004MPS 9999 M05/M16 Q1030=",
                       reference_time="2024-03-02T00:00:00Z")

    assert message.reports[0].time == datetime(2024, 1, 30, 23, tzinfo=UTC)  # no 30 February
