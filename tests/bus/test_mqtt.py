"""The MQTT bus against a real Mosquitto: round trip, wildcards, persistent session, redelivery."""

from __future__ import annotations

import threading
import uuid

import pytest

from qixiang.bus import make_bus
from qixiang.bus.mqtt import MQTTBus

pytestmark = pytest.mark.mqtt
WAIT = 10.0  # generous bound for "eventually": a stuck test fails instead of hanging


class Inbox:
    """Collects deliveries; ``wait(n)`` returns once ``n`` arrived."""

    def __init__(self) -> None:
        self.got: list[tuple[str, bytes]] = []
        self._cond = threading.Condition()

    def __call__(self, topic: str, payload: bytes) -> None:
        with self._cond:
            self.got.append((topic, payload))
            self._cond.notify_all()

    def wait(self, n: int) -> list[tuple[str, bytes]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.got) >= n, WAIT)
            return list(self.got)


def client(port: int, name: str = "") -> MQTTBus:
    bus = make_bus(f"mqtt://127.0.0.1:{port}?client_id=test-{name}-{uuid.uuid4().hex[:8]}")
    assert isinstance(bus, MQTTBus)
    return bus


def started(bus: MQTTBus) -> MQTTBus:
    bus.start()
    assert bus.wait_connected(WAIT), f"{bus} did not connect"
    return bus


def test_round_trip_keeps_bytes_and_follows_wildcards(mosquitto_port):
    sub, pub = client(mosquitto_port, "sub"), client(mosquitto_port, "pub")
    inbox = Inbox()
    sub.subscribe("qixiang/obs/+/54511", inbox)
    started(sub)
    started(pub)
    try:
        payload = b'{"station":"54511"}\x00\xff' + "气象".encode()
        pub.publish("qixiang/obs/demo/54512", b"not for me")
        pub.publish("qixiang/obs/demo/54511", payload)
        assert inbox.wait(1) == [("qixiang/obs/demo/54511", payload)]
    finally:
        pub.stop()
        sub.stop()
    assert inbox.got == [("qixiang/obs/demo/54511", payload)]


def test_messages_published_while_subscriber_is_away_arrive_when_it_returns(mosquitto_port):
    client_id = f"test-away-{uuid.uuid4().hex[:8]}"
    url = f"mqtt://127.0.0.1:{mosquitto_port}?client_id={client_id}"
    first = make_bus(url)
    first.subscribe("away/#", Inbox())
    started(first)
    first.stop()  # the broker keeps the session and queues for this client id

    pub = started(client(mosquitto_port, "pub"))
    for i in range(5):
        pub.publish(f"away/{i}", b"%d" % i)
    pub.stop()  # waits until the broker acknowledged every message

    inbox = Inbox()
    back = make_bus(url)  # same client id, a new process in real life
    back.subscribe("away/#", inbox)
    started(back)
    try:
        got = inbox.wait(5)
    finally:
        back.stop()
    assert sorted(got) == [(f"away/{i}", b"%d" % i) for i in range(5)]


def test_message_not_acknowledged_because_handler_never_finished_is_redelivered(mosquitto_port):
    """At least once: a message whose handling did not finish before the client vanished comes
    back at the next connection of the same client id."""
    client_id = f"test-redeliver-{uuid.uuid4().hex[:8]}"
    url = f"mqtt://127.0.0.1:{mosquitto_port}?client_id={client_id}"
    entered, release = threading.Event(), threading.Event()

    def stuck(topic: str, payload: bytes) -> None:
        entered.set()
        release.wait(WAIT)

    first = make_bus(url)
    first.subscribe("redeliver", stuck)
    started(first)
    pub = started(client(mosquitto_port, "pub"))
    pub.publish("redeliver", b"important")
    pub.stop()
    assert entered.wait(WAIT)
    first._client.disconnect()  # the connection goes away while the handler still runs
    first._client.loop_stop()
    release.set()
    first._dispatcher.stop()  # its late ack belongs to a closed connection and is not sent

    inbox = Inbox()
    back = make_bus(url)
    back.subscribe("redeliver", inbox)
    started(back)
    try:
        assert inbox.wait(1) == [("redeliver", b"important")]
    finally:
        back.stop()


def test_publish_before_the_broker_connection_is_sent_once_connected(mosquitto_port):
    sub = client(mosquitto_port, "sub")
    inbox = Inbox()
    sub.subscribe("early", inbox)
    started(sub)
    pub = client(mosquitto_port, "pub")
    try:
        pub.publish("early", b"queued")  # not started: paho keeps it until connected
        started(pub)
        assert inbox.wait(1) == [("early", b"queued")]
    finally:
        pub.stop()
        sub.stop()


def test_client_reconnects_after_the_broker_drops_it(mosquitto_port):
    """Another client taking the same id makes the broker drop this one; once that client
    leaves, this one reconnects by itself and subscribes again."""
    client_id = f"test-reconnect-{uuid.uuid4().hex[:8]}"
    url = f"mqtt://127.0.0.1:{mosquitto_port}?client_id={client_id}"
    inbox = Inbox()
    bus = MQTTBus("127.0.0.1", mosquitto_port, client_id=client_id, min_delay=1, max_delay=1)
    bus.subscribe("reconnect", inbox)
    started(bus)
    intruder = make_bus(url)
    intruder.start()
    assert intruder.wait_connected(WAIT)
    intruder._client.disconnect()  # leave without the drain, at once
    intruder._client.loop_stop()
    pub = started(client(mosquitto_port, "pub"))
    try:
        assert bus.wait_connected(WAIT)
        pub.publish("reconnect", b"after")
        assert ("reconnect", b"after") in inbox.wait(1)
        assert bus._session >= 2  # it was dropped and connected again
    finally:
        pub.stop()
        bus.stop()


def test_mqtt_url_parts_become_client_settings():
    bus = make_bus("mqtts://user:p%40ss@broker.example:8884?client_id=ingest-1&keepalive=15")
    assert isinstance(bus, MQTTBus)
    assert (bus.host, bus.port, bus.client_id, bus.keepalive) == (
        "broker.example", 8884, "ingest-1", 15)
    assert make_bus("mqtt://broker.example").port == 1883
    with pytest.raises(ValueError, match="host"):
        make_bus("mqtt://")
