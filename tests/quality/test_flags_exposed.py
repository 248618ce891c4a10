"""A value's flag, checks and reasons are queryable with it: series API (Q_<element>) and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from tests.feed import feed, obs, station

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 21, 6, tzinfo=UTC)


@pytest.fixture(autouse=True)
def spike():
    station("54511", lat=39.8, lon=116.47)
    feed(obs("54511", T0, TEM=75.0, RHU=50.0), obs("54511", T0.replace(hour=7), TEM=10.0))


def test_series_gives_each_element_beside_its_q_code_and_the_reasons(client):
    data = client.get("/api/observations/series", {
        "station": "54511", "elements": "TEM,RHU", "start": "2026-11-21T05:00:00Z",
        "end": "2026-11-21T08:00:00Z"}).json()
    assert data["fields"] == ["time", "TEM", "Q_TEM", "RHU", "Q_RHU"]
    assert data["rows"] == [["2026-11-21T06:00:00Z", 75.0, 2, 50.0, 0],
                            ["2026-11-21T07:00:00Z", 10.0, 0, None, None]]
    [flagged] = data["elements"]["TEM"]["flagged"]
    assert flagged["time"] == "2026-11-21T06:00:00Z" and flagged["checks"] == ["range"]
    assert flagged["reason"].startswith("range: 75 degC outside the range [-80, 60]")
    assert data["elements"]["RHU"]["flagged"] == []


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_adds_the_checks_and_reasons_after_the_six_documented_columns():
    text = export("--station", "54511", "--element", "TEM", "--start", "2026-11-21T06:00:00Z",
                  "--end", "2026-11-21T07:00:00Z")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["station_id", "time", "element", "value", "unit", "qc_flag", "qc_checks",
                       "qc_reason"]
    assert rows[1][:7] == ["54511", "2026-11-21T06:00:00Z", "TEM", "75.0", "degC", "2", "range"]
    assert rows[1][7].startswith("range: 75 degC outside")
    assert rows[2][5:] == ["0", "", ""]


def test_json_export_lists_the_checks():
    text = export("--station", "54511", "--element", "TEM", "--start", "2026-11-21T06:00:00Z",
                  "--end", "2026-11-21T06:00:00Z", "--format", "json")
    [row] = json.loads(text)
    assert row["qc_flag"] == 2 and row["qc_checks"] == ["range"]
