"""`qixiang export`: stored values as CSV or JSON with unit, flag and RFC 3339 UTC time."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from qixiang.ingest.pipeline import ingest_messages
from qixiang.science.observation import Message, Report
from qixiang.stations.models import Station
from qixiang.stations.resolver import resolver

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 21, 6, tzinfo=UTC)


@pytest.fixture(autouse=True)
def stored():
    resolver.invalidate()
    Station.objects.create(cma_id="54511", wmo_index="54511", wigos_id="0-20000-0-54511",
                           latitude=39.8, longitude=116.47)
    messages = [
        Message(index=h + 1, raw=f"54511 {h}".encode(), codec="json",
                reports=[Report("54511", T0 + timedelta(hours=h),
                                {"TEM": 10.0 + h, "RHU": None if h == 1 else 50.0})])
        for h in range(4)
    ]
    messages.append(Message(index=9, raw=b"other", codec="json",
                            reports=[Report("58367", T0, {"TEM": 99.0})]))
    ingest_messages(messages, origin="t", channel="file")
    yield
    resolver.invalidate()


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_csv_has_the_columns_units_flags_and_utc_times():
    text = export("--station", "54511", "--element", "TEM,RHU", "--start",
                  "2026-11-21T06:00:00Z", "--end", "2026-11-21T07:00:00Z")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["station_id", "time", "element", "value", "unit", "qc_flag", "qc_checks", "qc_reason"],
        ["54511", "2026-11-21T06:00:00Z", "RHU", "50.0", "%", "0", "", ""],
        ["54511", "2026-11-21T07:00:00Z", "RHU", "", "%", "8", "", ""],
        ["54511", "2026-11-21T06:00:00Z", "TEM", "10.0", "degC", "0", "", ""],
        ["54511", "2026-11-21T07:00:00Z", "TEM", "11.0", "degC", "0", "", ""],
    ]


def test_start_and_end_are_inclusive_and_may_carry_any_offset():
    text = export("--station", "54511", "--element", "TEM", "--start",
                  "2026-11-21T15:00:00+08:00", "--end", "2026-11-21T08:00:00Z")
    times = [row["time"] for row in csv.DictReader(io.StringIO(text))]
    assert times == ["2026-11-21T07:00:00Z", "2026-11-21T08:00:00Z"]


def test_json_format_writes_null_for_a_missing_value(tmp_path):
    target = tmp_path / "out.json"
    export("--station", "0-20000-0-54511", "--element", "RHU", "--start", "2026-11-21T07:00Z",
           "--end", "2026-11-21T07:00Z", "--format", "json", "--output", str(target))
    assert json.loads(target.read_text()) == [
        {"station_id": "54511", "time": "2026-11-21T07:00:00Z", "element": "RHU",
         "value": None, "unit": "%", "qc_flag": 8, "qc_checks": [], "qc_reason": ""}]


def test_only_the_stations_asked_for_are_exported():
    text = export("--station", "58367", "--element", "TEM", "--start", "2026-11-21T00:00Z",
                  "--end", "2026-11-22T00:00Z")
    assert [r["value"] for r in csv.DictReader(io.StringIO(text))] == ["99.0"]


@pytest.mark.parametrize(("args", "message"), [
    (["--element", "XYZ", "--start", "2026-11-21T00:00Z", "--end", "2026-11-22T00:00Z"],
     "unknown element code"),
    (["--element", "TEM", "--start", "2026-11-21T00:00", "--end", "2026-11-22T00:00Z"],
     "no UTC offset"),
    (["--element", "TEM", "--start", "yesterday", "--end", "2026-11-22T00:00Z"],
     "not an RFC 3339 time"),
    (["--element", "TEM", "--start", "2026-11-22T00:00Z", "--end", "2026-11-21T00:00Z"],
     "before --start"),
])
def test_bad_arguments_are_refused_with_the_reason(args, message):
    with pytest.raises(CommandError, match=message):
        export("--station", "54511", *args)
