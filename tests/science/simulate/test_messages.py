"""A simulated minute as JSON messages in the docs/ingest.md format."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from qixiang.science.codecs import jsonmsg
from qixiang.science.observation import Status
from qixiang.science.simulate.messages import Simulator, encode

WHEN = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def simulator() -> Simulator:
    return Simulator()


def test_one_message_per_station_in_the_json_format(simulator):
    messages = simulator.messages(WHEN)
    assert len(messages) == simulator.network.size
    assert {m["station"] for m in messages} == set(simulator.network.cma_id)
    for message in messages:
        assert set(message) == {"station", "time", "lat", "lon", "elevation", "values"}
        assert message["time"] == "2026-11-21T06:00:00Z"
    national = next(m for m in messages if m["station"].isdigit())
    regional = next(m for m in messages if not m["station"].isdigit())
    assert {"TEM", "DPT", "RHU", "PRS", "PRS_Sea", "PRE_1h", "VIS"} <= set(national["values"])
    assert "PRS" not in regional["values"] and "TEM" in regional["values"]


def test_seconds_are_dropped_and_a_minute_is_always_the_same_bytes(simulator):
    first = [encode(m) for m in simulator.messages(WHEN.replace(second=42))]
    again = [encode(m) for m in Simulator().messages(WHEN)]
    assert first == again


def test_encoding_is_what_the_json_decoder_archives(simulator):
    messages = simulator.messages(WHEN)[:50]
    payload = json.dumps(messages, indent=2).encode()
    decoded = list(jsonmsg.decode(payload, "demo.json"))
    assert [d.raw for d in decoded] == [encode(m) for m in messages]
    good = [d for d in decoded if d.status == Status.DECODED]
    assert len(good) >= 45
    report = good[0].reports[0]
    assert report.values == {k: float(v) for k, v in messages[decoded.index(good[0])]["values"].items()}


def test_no_negative_zero_in_messages(simulator):
    for message in simulator.messages(WHEN):
        assert not re.search(r":-0\.0[,}]", encode(message).decode())
