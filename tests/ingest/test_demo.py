"""The demo channel: simulated minutes go through the bus and the pipeline like real messages."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from qixiang.bus.inprocess import InProcessBus
from qixiang.ingest.channels.bus import subscribe_ingest
from qixiang.ingest.channels.demo import (
    PUNCTUAL_DELAY,
    SOURCE,
    DemoPublisher,
    demo_enabled,
    register_stations,
)
from qixiang.ingest.models import RawMessage
from qixiang.observations.models import Observation
from qixiang.science.simulate import network
from qixiang.science.simulate.messages import Simulator
from qixiang.stations.models import Station

T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_network() -> network.Network:
    return network.generate(size=40)


@pytest.fixture
def simulator(small_network) -> Simulator:
    return Simulator(small_network, fault_rate=0.0)


@pytest.fixture
def bus():
    """An in-process bus with the ingest subscribed, not yet delivering: the tests start it
    after the publisher's own writes, as the in-memory test database cannot wait for a lock
    (so the publishers do not wait for it to drain either: ``drain_first=False``)."""
    bus = InProcessBus()
    subscribe_ingest(bus, "qixiang/obs/#")
    yield bus
    bus.stop()


def deliver(bus: InProcessBus) -> None:
    """Deliver everything published so far, then stop."""
    bus.start()
    bus.stop()


def expected_values(simulator: Simulator, when: datetime) -> int:
    return sum(len(m["values"]) for m in simulator.messages(when))


def test_a_published_minute_lands_in_observations_through_the_bus(transactional_db, simulator, bus):
    register_stations(simulator.network)
    publisher = DemoPublisher(bus, simulator)
    assert publisher.publish_minute(T0 + timedelta(seconds=30)) == 40
    deliver(bus)
    assert Observation.objects.filter(time=T0).count() == expected_values(simulator, T0)
    assert set(Observation.objects.values_list("station_id", flat=True)) == set(
        simulator.network.cma_id)
    origins = set(RawMessage.objects.values_list("channel", "origin"))
    assert origins == {("bus", f"qixiang/obs/demo/{s}") for s in simulator.network.cma_id}
    tem = Observation.objects.get(station_id=simulator.network.cma_id[0], element="TEM").value
    assert tem == simulator.messages(T0)[0]["values"]["TEM"]


def test_a_minute_published_again_is_all_duplicates(transactional_db, simulator, bus):
    publisher = DemoPublisher(bus, simulator)
    publisher.publish_minute(T0)
    publisher.publish_minute(T0)
    deliver(bus)
    assert RawMessage.objects.count() == 40
    assert Observation.objects.count() == expected_values(simulator, T0)


def test_first_step_publishes_now_and_seeds_the_history_as_punctual(transactional_db, simulator,
                                                                    bus, tmp_path):
    now = T0 + timedelta(seconds=12)
    publisher = DemoPublisher(bus, simulator, history_minutes=5, state_dir=tmp_path,
                              clock=lambda: now, drain_first=False)
    wait = publisher.step()
    deliver(bus)
    assert wait == pytest.approx(48.0)
    times = sorted(set(Observation.objects.values_list("time", flat=True)))
    assert times == [T0 - timedelta(minutes=k) for k in range(5, -1, -1)]
    seeded = RawMessage.objects.filter(channel="demo")
    assert seeded.count() == 5 * 40
    oldest = RawMessage.objects.filter(channel="demo").order_by("received_at").first()
    assert oldest.received_at == T0 - timedelta(minutes=5) + PUNCTUAL_DELAY
    assert json.loads((tmp_path / "state.json").read_text())["last_minute"] == T0.isoformat()
    faults = (tmp_path / "faults.jsonl").read_text()
    assert faults == ""  # fault_rate 0: the period is recorded, with no faults in it


def test_restart_catches_up_from_the_last_published_minute(transactional_db, simulator, bus,
                                                           tmp_path):
    first = DemoPublisher(bus, simulator, history_minutes=0, state_dir=tmp_path,
                          clock=lambda: T0)
    first.step()
    later = T0 + timedelta(minutes=4)
    second = DemoPublisher(bus, simulator, history_minutes=60, state_dir=tmp_path,
                           clock=lambda: later, drain_first=False)
    assert second.last_minute == T0
    second.step()
    deliver(bus)
    times = sorted(set(Observation.objects.values_list("time", flat=True)))
    assert times == [T0 + timedelta(minutes=k) for k in range(5)]
    caught_up = RawMessage.objects.filter(channel="demo")
    assert caught_up.count() == 3 * 40  # minutes 1-3; minute 4 came live through the bus
    assert all(r.received_at > later - timedelta(minutes=1) for r in caught_up)  # late, honestly


def test_a_new_minute_is_published_live_before_the_rest_of_the_backlog(transactional_db,
                                                                      simulator, bus, tmp_path):
    now = [T0]
    publisher = DemoPublisher(bus, simulator, history_minutes=3, state_dir=tmp_path,
                              clock=lambda: now[0], drain_first=False)
    ingest_backlog_minute = publisher._ingest_backlog_minute

    def slow_backlog_minute(minute):  # the clock passes a minute while the first one is stored
        ingest_backlog_minute(minute)
        now[0] = T0 + timedelta(minutes=1)

    publisher._ingest_backlog_minute = slow_backlog_minute
    assert publisher.step() == 0.0  # gave way after one backlog minute
    assert publisher.backlog_pending and publisher.published == 40
    assert publisher.last_minute == T0 - timedelta(minutes=3)
    publisher.step()
    assert publisher.published == 80 and not publisher.backlog_pending
    assert publisher.last_minute == T0 + timedelta(minutes=1)
    deliver(bus)
    times = sorted(set(Observation.objects.values_list("time", flat=True)))
    assert times == [T0 + timedelta(minutes=k) for k in range(-3, 2)]
    live = RawMessage.objects.filter(channel="bus").values_list("origin", flat=True)
    assert len(live) == 80


def test_backlog_waits_while_live_messages_are_queued(transactional_db, simulator, bus):
    publisher = DemoPublisher(bus, simulator, history_minutes=2, clock=lambda: T0)
    waits = []
    publisher._stop.wait = lambda seconds: waits.append(bus.pending()) or deliver(bus)
    publisher.step()
    assert waits == [40]  # held back once, until the live minute was delivered
    assert not publisher.backlog_pending and publisher.last_minute == T0


def test_faults_manifest_is_written_once_per_period(transactional_db, small_network, bus,
                                                    tmp_path):
    simulator = Simulator(small_network, fault_rate=0.05)
    publisher = DemoPublisher(bus, simulator, state_dir=tmp_path)
    publisher.publish_minute(T0)
    publisher.publish_minute(T0 + timedelta(minutes=1))
    DemoPublisher(bus, simulator, state_dir=tmp_path).publish_minute(T0 + timedelta(minutes=2))
    lines = (tmp_path / "faults.jsonl").read_text().splitlines()
    planned = simulator.faults.faults_in_epoch(int(T0.timestamp()) // 60 // 360)
    assert [json.loads(line) for line in lines] == [f.to_dict() for f in planned]
    assert planned


def test_thread_publishes_then_waits_for_the_next_minute_until_stopped(transactional_db,
                                                                       simulator, bus):
    publisher = DemoPublisher(bus, simulator, history_minutes=0, clock=lambda: T0)
    publisher.start()
    thread = publisher._thread
    deadline = time.monotonic() + 15.0  # bound: a broken publisher fails, not hangs
    while publisher.published == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    publisher.stop(timeout=None)  # wakes it from its 60-second wait
    assert not thread.is_alive()
    assert publisher.published == 40 and publisher.last_minute == T0


def test_stations_are_registered_once_with_the_demo_source(db, small_network):
    assert register_stations(small_network) == 40
    assert register_stations(small_network) == 0
    station = Station.objects.get(cma_id=small_network.cma_id[0])
    assert station.source == SOURCE
    assert station.division_code == small_network.division_code[0]
    assert station.province.endswith(("省", "市", "自治区"))


@pytest.mark.parametrize(("mode", "watch", "bus_url", "expected"), [
    ("auto", "", "inprocess", True),
    ("auto", "/srv/incoming", "inprocess", False),
    ("auto", "", "mqtt://localhost:1883", False),
    ("on", "/srv/incoming", "mqtt://localhost:1883", True),
    ("OFF", "", "inprocess", False),
])
def test_demo_runs_by_default_only_when_nothing_else_feeds_the_platform(mode, watch, bus_url,
                                                                        expected):
    assert demo_enabled(mode, watch, bus_url) is expected


def test_unknown_demo_mode_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="QIXIANG_DEMO"):
        demo_enabled("sometimes", "", "inprocess")
