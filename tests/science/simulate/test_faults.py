"""Planted faults: about 1 % of station-minutes, each kind visible in the messages as described."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from qixiang.science.simulate import network
from qixiang.science.simulate.faults import KINDS, FaultPlan
from qixiang.science.simulate.messages import Simulator

DAY_START = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def simulator() -> Simulator:
    return Simulator()


@pytest.fixture(scope="module")
def manifest(simulator):
    return simulator.faults.manifest(DAY_START, DAY_START + timedelta(days=2))


def test_about_one_percent_of_station_minutes_are_faulty(simulator, manifest):
    end = DAY_START + timedelta(days=2)
    faulty = sum(((min(f.end, end) - max(f.start, DAY_START)) for f in manifest), timedelta())
    share = faulty / (timedelta(days=2) * simulator.network.size)
    assert 0.007 < share < 0.013


def test_manifest_has_every_kind_on_elements_the_station_measures(simulator, manifest):
    assert set(Counter(f.kind for f in manifest)) == set(KINDS)
    index = {s: i for i, s in enumerate(simulator.network.cma_id)}
    for fault in manifest:
        measured = simulator.network.elements(index[fault.station])
        assert fault.element is None or fault.element in measured
        assert fault.start < fault.end
        assert all(fault.start <= t < fault.end for t in fault.spike_times)


def test_manifest_is_the_same_when_asked_again_and_serialisable(simulator, manifest):
    again = FaultPlan(network.generate()).manifest(DAY_START, DAY_START + timedelta(days=2))
    assert [f.to_dict() for f in again] == [f.to_dict() for f in manifest]
    record = manifest[0].to_dict()
    assert record["start"].endswith("Z") and record["kind"] in KINDS


def _by_station(messages):
    return {m["station"]: m for m in messages}


def test_each_fault_kind_shows_in_the_messages(simulator, manifest):
    truth = Simulator(fault_rate=0.0)
    seen = set()
    for fault in manifest:
        if fault.kind in seen:
            continue
        when = fault.spike_times[0] if fault.kind == "spike" else fault.start + timedelta(minutes=5)
        sent = _by_station(simulator.messages(when))[fault.station]
        true = _by_station(truth.messages(when))[fault.station]
        if fault.kind == "swapped_coordinates":
            assert (sent["lat"], sent["lon"]) == (true["lon"], true["lat"])
        elif fault.kind == "units" and fault.element == "TEM":
            assert sent["values"]["TEM"] == pytest.approx(true["values"]["TEM"] + 273.15)
        elif fault.kind == "units":
            assert sent["values"]["PRS"] == pytest.approx(true["values"]["PRS"] * 100.0)
        elif fault.kind == "stuck":
            later = _by_station(simulator.messages(fault.end - timedelta(minutes=1)))[fault.station]
            first = _by_station(truth.messages(fault.start))[fault.station]
            assert sent["values"][fault.element] == later["values"][fault.element]
            assert sent["values"][fault.element] == first["values"][fault.element]
        elif fault.kind == "spike":
            difference = sent["values"][fault.element] - true["values"][fault.element]
            assert abs(difference) >= 8.0
        assert "units" not in sent  # a faulty logger does not say so
        seen.add(fault.kind)
    assert seen == set(KINDS)


def test_messages_outside_faults_carry_the_true_values(simulator):
    when = DAY_START + timedelta(hours=3, minutes=17)
    faulty = {f.station for f in simulator.faults.active(when) if f.affects(when)}
    truth = _by_station(Simulator(fault_rate=0.0).messages(when))
    for station, message in _by_station(simulator.messages(when)).items():
        if station not in faulty:
            assert message == truth[station]
