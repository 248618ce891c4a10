"""The IoT JSON message decoder (contract point 2, docs/ingest.md "JSON sensor message")."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import get_decoder, jsonmsg
from qixiang.science.observation import Status

EXAMPLE = {"station": "54511", "time": "2026-11-21T06:00:00Z", "lat": 39.8, "lon": 116.47,
           "elevation": 31.3, "values": {"TEM": 12.3, "RHU": 45, "PRS": 1012.3},
           "units": {"TEM": "K"}}


def decode(payload, filename: str = "sensors.json"):
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return list(jsonmsg.decode(data, filename))


def test_contract_example_decodes_to_canonical_units():
    (message,) = decode(EXAMPLE)
    assert message.status == Status.DECODED and message.codec == "json" and message.index == 1
    (report,) = message.reports
    assert report.station == "54511"
    assert report.time == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    assert (report.lat, report.lon, report.elevation) == (39.8, 116.47, 31.3)
    # the contract example says its TEM is in K: 12.3 K, absurd but converted (QC judges it)
    assert report.values == {"TEM": -260.85, "RHU": 45.0, "PRS": 1012.3}


def test_units_convert_and_null_means_missing():
    obj = {"station": "A1234", "time": "2026-11-21T14:00:00+08:00",
           "values": {"TEM": 54.5, "PRS": 101230, "WIN_S_Avg_2mi": 10, "PRE_1h": None},
           "units": {"TEM": "degF", "PRS": "Pa", "WIN_S_Avg_2mi": "kt"}}
    (report,) = decode(obj)[0].reports
    assert report.time == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
    assert report.values == {"TEM": 12.5, "PRS": 1012.3, "WIN_S_Avg_2mi": pytest.approx(5.1444, abs=1e-4),
                             "PRE_1h": None}
    assert decode(obj)[0].value_count == 3


def test_raw_is_the_canonical_object_so_a_resend_hashes_the_same():
    pretty = json.dumps(EXAMPLE, indent=2).encode()
    shuffled = json.dumps(dict(reversed(list(EXAMPLE.items())))).encode()
    a, b = decode(pretty)[0], decode(shuffled)[0]
    assert a.raw == b.raw == json.dumps(EXAMPLE, sort_keys=True, separators=(",", ":"),
                                        ensure_ascii=False).encode("utf-8")
    named = decode({**EXAMPLE, "name": "北京"})[0]
    assert "北京".encode() in named.raw and named.reports[0].name == "北京"


@pytest.mark.parametrize("wrap", [
    lambda objs: objs,
    lambda objs: {"observations": objs},
])
def test_a_payload_is_an_array_or_an_envelope_of_objects(wrap):
    second = {**EXAMPLE, "time": "2026-11-21T07:00:00Z"}
    messages = decode(wrap([EXAMPLE, second]))
    assert [m.index for m in messages] == [1, 2]
    assert [m.reports[0].time.hour for m in messages] == [6, 7]


@pytest.mark.parametrize("change, field, why", [
    ({"station": None}, "station", "missing"),
    ({"station": 54511}, "station", "must be a non-empty string"),
    ({"time": None}, "time", "missing"),
    ({"time": "2026-11-21"}, "time", "is not an RFC 3339 date-time"),
    ({"time": "2026-11-21T25:00:00Z"}, "time", "is not an RFC 3339 date-time"),
    ({"time": "2026-11-21T06:00:00"}, "time", "has no UTC offset"),
    ({"values": {"TEMP": 1}}, "values.TEMP", "unknown element code"),
    ({"values": {"TEM": "12.3"}}, "values.TEM", "'12.3' is not a number"),
    ({"values": {"TEM": True}}, "values.TEM", "True is not a number"),
    ({"values": {}}, "values", "must be a non-empty object"),
    ({"values": None}, "values", "missing"),
    ({"units": {"PRS": "K"}}, "units.PRS", "cannot convert 'K' to 'hPa'"),
    ({"units": {"TEMP": "K"}}, "units.TEMP", "unknown element code"),
    ({"lat": 91}, "lat", "outside -90..90"),
    ({"lon": "116.47"}, "lon", "is not a number"),
    ({"value": {"TEM": 1}}, "value", "unknown field"),
])
def test_a_bad_object_is_rejected_naming_payload_index_and_field_and_the_rest_decode(
        change, field, why):
    bad = {k: v for k, v in {**EXAMPLE, **change}.items() if v is not None}
    messages = decode([EXAMPLE, bad, EXAMPLE], "upload-7.json")
    assert [m.status for m in messages] == [Status.DECODED, Status.REJECTED, Status.DECODED]
    reason = messages[1].reason
    assert reason.startswith(f"upload-7.json: object 2, field '{field}': "), reason
    assert why in reason
    assert messages[1].raw == jsonmsg.canonical(bad)  # the dead letter keeps the object


def test_non_finite_numbers_reject_only_their_object():
    data = b'[{"station":"1","time":"2026-11-21T06:00:00Z","values":{"TEM":NaN}},' + \
        json.dumps(EXAMPLE).encode() + b"]"
    bad, good = decode(data)
    assert bad.status == Status.REJECTED and "field 'values.TEM'" in bad.reason
    assert good.status == Status.DECODED


@pytest.mark.parametrize("data, why", [
    (b'{"station": "54511",', "not valid JSON: Expecting property name enclosed in double quotes "
                              "at line 1 column 21"),
    (b"42", "expected an object, an array of objects"),
    (b"[]", "no observations in the payload"),
    (b'{"observations": {}}', 'an envelope must be exactly {"observations": [...]}'),
    (b"\xff\xfe{}", "not UTF-8 text"),
])
def test_an_unreadable_payload_is_one_rejected_message(data, why):
    (message,) = decode(data, "mqtt:qixiang/obs/x")
    assert message.status == Status.REJECTED and message.raw == data
    assert message.reason.startswith("mqtt:qixiang/obs/x: ") and why in message.reason


def test_sniff_looks_for_a_json_object_or_array():
    assert jsonmsg.sniff(b'\xef\xbb\xbf  {"station": "1"}', "")
    assert jsonmsg.sniff(b"\n[{}]", "")
    assert not jsonmsg.sniff(b"station_id,time,TEM\n", "")
    assert not jsonmsg.sniff(b"METAR ZBAA 210600Z", "")


def test_registered_as_json():
    assert get_decoder("json") is jsonmsg and jsonmsg.NAME == "json"
