"""The MUSIC interfaces answer what 天擎 would: the right records, every value a string, the
documented envelope, missing-value codes, Q_ flags, orderby, limitCnt, eleValueRanges, formats,
and errors that name the parameter."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from qixiang.dataservice import query
from qixiang.dataservice.models import Tier
from tests.dataservice.music_support import HOUR, T0, make_network, stamp

pytestmark = pytest.mark.django_db
ENVELOPE = ["returnCode", "returnMessage", "rowCount", "colCount", "requestParams",
            "requestTime", "responseTime", "takeTime", "fieldNames", "fieldUnits", "DS"]


@pytest.fixture(autouse=True)
def network(settings):
    settings.QIXIANG_PUBLIC_DATASETS = ["surface-obs-hourly", "surface-obs-minute"]
    Tier.objects.filter(code="public").update(rate_per_minute=None, daily_quota=None)
    query._stations.invalidate()
    make_network()


def music(client, **params):
    params.setdefault("dataCode", "SURF_CHN_MUL_HOR")
    params.setdefault("elements", "Station_Id_C,Datetime,TEM")
    return client.get("/music-ws/api", params, HTTP_HOST="localhost")


def ds(client, **params) -> list[dict]:
    answer = music(client, **params)
    assert answer.status_code == 200, answer.content
    document = answer.json()
    assert document["returnCode"] == "0"
    return document["DS"]


def keys(rows, *names):
    return [tuple(r[n] for n in names) for r in rows]


def test_by_time_answers_the_documented_envelope_with_string_values(client):
    answer = music(client, interfaceId="getSurfEleByTime", times=stamp(T0),
                   elements="Station_Id_C,Lat,Lon,Alti,Datetime,Year,Mon,Day,Hour,TEM,Q_TEM")
    document = answer.json()
    assert list(document) == ENVELOPE
    assert document["returnCode"] == "0" and document["returnMessage"] == "Query Succeed"
    assert document["rowCount"] == "4" and document["colCount"] == "11"
    assert document["fieldNames"].split(" ")[:3] == ["区站号(字符)", "纬度", "经度"]
    assert document["fieldUnits"].split(" ")[-2:] == ["摄氏度(℃)", "-"]
    assert "times=20261121000000" in document["requestParams"]
    assert "userid" not in document["requestParams"]
    assert all(isinstance(v, str) for row in document["DS"] for v in row.values())
    first = document["DS"][0]
    assert first == {"Station_Id_C": "54416", "Lat": "40.38", "Lon": "116.87", "Alti": "999999",
                     "Datetime": "2026-11-21 00:00:00", "Year": "2026", "Mon": "11",
                     "Day": "21", "Hour": "0", "TEM": "-6.0", "Q_TEM": "0"}


def test_several_times_and_time_range_brackets(client):
    rows = ds(client, interfaceId="getSurfEleByTimeAndStaID", staIds="54511",
              times=f"{stamp(T0 + 4 * HOUR)},{stamp(T0)}")
    assert keys(rows, "Datetime") == [("2026-11-21 00:00:00",), ("2026-11-21 04:00:00",)]
    closed = f"[{stamp(T0 + HOUR)},{stamp(T0 + 3 * HOUR)}]"
    half_open = f"({stamp(T0 + HOUR)},{stamp(T0 + 3 * HOUR)})"
    hours = [r[0][11:13] for r in keys(
        ds(client, interfaceId="getSurfEleByTimeRangeAndStaID", staIds="54511",
           timeRange=closed), "Datetime")]
    assert hours == ["01", "02", "03"]
    hours = [r[0][11:13] for r in keys(
        ds(client, interfaceId="getSurfEleByTimeRangeAndStaID", staIds="54511",
           timeRange=half_open), "Datetime")]
    assert hours == ["02"]
    everyone = ds(client, interfaceId="getSurfEleByTimeRange", timeRange=closed)
    assert len(everyone) == 12


def test_rect_and_region_choose_stations(client):
    rect = ds(client, interfaceId="getSurfEleInRectByTime", times=stamp(T0), minLat="39.9",
              maxLat="41", minLon="116", maxLon="117")
    assert keys(rect, "Station_Id_C") == [("54416",), ("54433",)]
    region = ds(client, interfaceId="getSurfEleInRegionByTime", times=stamp(T0),
                adminCodes="440000")
    assert keys(region, "Station_Id_C") == [("59287",)]
    county = ds(client, interfaceId="getSurfEleInRegionByTime", times=stamp(T0),
                adminCodes="110105,110118")
    assert len(county) == 3


def test_missing_values_carry_codes_and_q_flags(client):
    rows = ds(client, interfaceId="getSurfEleByTimeAndStaID", staIds="59287,54416,54433",
              times=f"{stamp(T0 + HOUR)},{stamp(T0 + 2 * HOUR)}",
              elements="Station_Id_C,Datetime,TEM,Q_TEM,PRS,Q_PRS")
    by_key = {(r["Station_Id_C"], r["Datetime"][11:13]): r for r in rows}
    assert by_key[("59287", "01")]["PRS"] == "999999" and by_key[("59287", "01")]["Q_PRS"] == "8"
    assert by_key[("54433", "01")]["PRS"] == "999999"  # never reported: missing
    assert by_key[("54416", "02")]["Q_TEM"] == "1"  # suspect, still served
    assert by_key[("59287", "02")]["PRS"] == "1011.0"


def test_orderby_limit_and_value_ranges(client):
    rows = ds(client, interfaceId="getSurfEleByTime", times=stamp(T0),
              orderby="TEM:DESC", limitCnt="2")
    assert keys(rows, "Station_Id_C", "TEM") == [("59287", "18.0"), ("54433", "2.0")]
    rows = ds(client, interfaceId="getSurfEleByTime", times=stamp(T0),
              orderby="Station_ID_C:DESC")
    assert [r["Station_Id_C"] for r in rows] == ["59287", "54511", "54433", "54416"]
    rows = ds(client, interfaceId="getSurfEleByTime", times=stamp(T0),
              eleValueRanges="TEM:(-2,10]")
    assert keys(rows, "Station_Id_C") == [("54433",), ("54511",)]
    rows = ds(client, interfaceId="getSurfEleByTime", times=stamp(T0),
              eleValueRanges="RHU:50,80", elements="Station_Id_C,RHU")
    assert keys(rows, "Station_Id_C", "RHU") == [("54511", "50"), ("59287", "80")]


def test_minute_data_and_parameter_names_in_any_case(client):
    rows = ds(client, INTERFACEID="getSurfEleByTimeRangeAndStaID", dataCode="SURF_CHN_MUL_MIN",
              STAIDS="54511", timerange=f"[{stamp(T0)},{stamp(T0.replace(minute=3))})",
              elements="station_id_c,DATETIME,Min,tem")
    assert keys(rows, "Min", "TEM") == [("0", "-1.5"), ("1", "-1.5"), ("2", "-1.5")]
    assert set(rows[0]) == {"Station_Id_C", "Datetime", "Min", "TEM"}


def test_xml_csv_and_tab_text(client):
    common = {"interfaceId": "getSurfEleByTimeAndStaID", "staIds": "54511,59287",
              "times": stamp(T0)}
    xml = music(client, dataFormat="xml", **common)
    root = ET.fromstring(xml.content)
    assert root.tag == "DS" and root.get("returnCode") == "0" and root.get("rowCount") == "2"
    assert [r.get("TEM") for r in root.findall("R")] == ["-1.5", "18.0"]
    csv = music(client, dataFormat="csv", **common)
    assert csv["Content-Type"].startswith("text/csv") and csv["X-Music-Return-Code"] == "0"
    assert csv.content.decode().splitlines() == [
        "Station_Id_C,Datetime,TEM", "54511,2026-11-21 00:00:00,-1.5",
        "59287,2026-11-21 00:00:00,18.0"]
    tab = music(client, dataFormat="TABTEXT", **common)
    assert tab.content.decode().splitlines()[1] == "54511\t2026-11-21 00:00:00\t-1.5"


@pytest.mark.parametrize(("params", "parameter"), [
    ({"interfaceId": "getUparEleByTime", "times": "20261121000000"}, "interfaceId"),
    ({"interfaceId": "getSurfEleByTime", "times": "20261121000000", "dataCode": "SURF_X"},
     "dataCode"),
    ({"interfaceId": "getSurfEleByTime", "times": "2026-11-21"}, "times"),
    ({"interfaceId": "getSurfEleByTime"}, "times"),
    ({"interfaceId": "getSurfEleByTimeRange", "timeRange": "[20261121010000,20261121000000]"},
     "timeRange"),
    ({"interfaceId": "getSurfEleByTime", "times": "20261121000000", "elements": "TEM,FOO"},
     "elements"),
    ({"interfaceId": "getSurfEleInRectByTime", "times": "20261121000000", "minLat": "x"},
     "minLat"),
    ({"interfaceId": "getSurfEleInRegionByTime", "times": "20261121000000",
      "adminCodes": "44"}, "adminCodes"),
    ({"interfaceId": "getSurfEleByTime", "times": "20261121000000", "limitCnt": "0"},
     "limitCnt"),
    ({"interfaceId": "getSurfEleByTime", "times": "20261121000000", "orderby": "TEM:UP"},
     "orderby"),
    ({"interfaceId": "getSurfEleByTime", "times": "20261121000000",
      "eleValueRanges": "Lat:(1,2)"}, "eleValueRanges"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, params, parameter):
    answer = music(client, **params)
    document = answer.json()
    assert answer.status_code == 400 and document["returnCode"] == "-1"
    assert document["returnMessage"].startswith(f"{parameter}:")
    assert document["DS"] == [] and document["rowCount"] == "0"


def test_too_many_values_is_413_with_a_hint_to_split(client, monkeypatch):
    from qixiang.dataservice.music import views

    monkeypatch.setattr(views, "MAX_VALUES", 10)
    answer = music(client, interfaceId="getSurfEleByTimeRange",
                   timeRange=f"[{stamp(T0)},{stamp(T0 + 5 * HOUR)}]")
    assert answer.status_code == 413 and answer.json()["returnCode"] == "-2"
    assert "拆分" in answer.json()["returnMessage"]  # Chinese by default: "split it"


def test_every_answer_is_stamped_with_provenance(client):
    answer = music(client, interfaceId="getSurfEleByTime", times=stamp(T0))
    record = client.get(f"/provenance/{answer['X-Qixiang-Data-Id']}",
                        HTTP_HOST="localhost").json()["record"]
    assert record["dataset"] == "surface-obs-hourly"
    assert record["query"]["interfaceId"] == "getSurfEleByTime"
    assert record["sha256"] == answer["X-Qixiang-SHA256"]
    assert json.loads(answer.content)["rowCount"] == "4"
