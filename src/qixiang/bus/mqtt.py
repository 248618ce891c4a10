"""The MQTT bus: a broker (Mosquitto) carries the messages between processes and machines.

One paho-mqtt 2.x client per bus, MQTT 3.1.1, QoS 1 both ways. The session is persistent
(``clean_session=False``) under a stable client id, so the broker keeps the subscriptions and
queues the messages published while this client is briefly away, and delivers them when it
reconnects. The network thread only queues what arrives; the bus's worker thread runs the handlers
and acknowledges (PUBACK) each message after its handlers (and their ``flush``) returned, so a
message that was not yet handled when the process died is redelivered: at least once.

The client reconnects by itself with exponential backoff (``min_delay`` .. ``max_delay`` seconds)
and subscribes again on every (re)connect. Outgoing messages published while disconnected wait in
paho's queue and are sent on reconnect; ``stop`` waits up to ``drain_timeout`` for the broker to
acknowledge them.

The broker bounds how many unacknowledged messages it sends at once (Mosquitto's
``max_inflight_messages``, 20 by default), which is also the longest run a batch handler sees.

URL: ``mqtt://[user:password@]host[:port][?client_id=ID&keepalive=S]``; ``mqtts://`` for TLS with
the system's certificate authorities. Give every process its own ``client_id`` (default
``qixiang-<hostname>``): two clients with one id push each other off the broker.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from functools import partial
from urllib.parse import parse_qs, unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from qixiang.bus.dispatch import Dispatcher
from qixiang.bus.interface import BusFull, Handler, check_payload, check_topic

NAME = "mqtt"
QOS = 1
log = logging.getLogger(__name__)


def default_client_id() -> str:
    return f"qixiang-{socket.gethostname()}"


class MQTTBus:
    """See :mod:`qixiang.bus.interface` for the contract and this module for the transport."""

    name = NAME

    def __init__(self, host: str, port: int = 1883, *, client_id: str | None = None,
                 username: str | None = None, password: str | None = None, tls: bool = False,
                 keepalive: int = 30, min_delay: int = 1, max_delay: int = 30,
                 maxsize: int = 10_000, max_batch: int = 500, publish_timeout: float = 30.0,
                 drain_timeout: float = 5.0) -> None:
        self.host, self.port = host, port
        self.client_id = client_id or default_client_id()
        self.keepalive = keepalive
        self.publish_timeout = publish_timeout
        self.drain_timeout = drain_timeout
        self._dispatcher = Dispatcher(f"mqtt-{self.client_id}", maxsize=maxsize,
                                      max_batch=max_batch)
        self._patterns: list[str] = []
        self._connected = threading.Event()  # connected and the subscriptions acknowledged
        self._subscribe_mid: int | None = None
        self._link_up = False  # the network connection, subscribed or not
        self._session = 0  # counts connections: an ack from an earlier one is not sent
        self._outstanding: set[int] = set()  # published, not yet acknowledged by the broker
        self._early: set[int] = set()  # acknowledged before publish() recorded them
        self._pub = threading.Condition()
        self._started = False

        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             clean_session=False, protocol=paho.MQTTv311, manual_ack=True)
        client.reconnect_delay_set(min_delay, max_delay)
        client.max_queued_messages_set(maxsize)
        if username:
            client.username_pw_set(username, password)
        if tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        self._client = client

    # --- the Bus contract -----------------------------------------------------------------
    def publish(self, topic: str, payload: bytes) -> None:
        check_topic(topic)
        payload = check_payload(payload)
        deadline = time.monotonic() + self.publish_timeout
        while True:
            info = self._client.publish(topic, payload, qos=QOS)
            if info.rc != MQTTErrorCode.MQTT_ERR_QUEUE_SIZE:
                break
            if time.monotonic() > deadline:  # paho's outgoing queue stayed full: broker away
                raise BusFull(f"mqtt {self.host}:{self.port}: outgoing queue full for "
                              f"{self.publish_timeout} s")
            time.sleep(0.05)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
            raise RuntimeError(f"mqtt publish on {topic}: {paho.error_string(info.rc)}")
        with self._pub:  # NO_CONN: queued by paho, sent on reconnect
            if info.mid in self._early:
                self._early.discard(info.mid)
            else:
                self._outstanding.add(info.mid)

    def subscribe(self, pattern: str, handler: Handler) -> None:
        self._dispatcher.add(pattern, handler)
        if pattern not in self._patterns:
            self._patterns.append(pattern)
            if self._link_up:
                self._client.subscribe(pattern, qos=QOS)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._dispatcher.start()
        self._client.connect_async(self.host, self.port, keepalive=self.keepalive)
        self._client.loop_start()

    def stop(self) -> None:
        """Handle what arrived, wait for outgoing messages to be acknowledged, disconnect.

        The session stays on the broker: messages published from now on are kept for this
        client id and delivered at the next ``start``.
        """
        if not self._started:
            return
        self._dispatcher.stop()
        with self._pub:
            if self._link_up:
                self._pub.wait_for(lambda: not self._outstanding, self.drain_timeout)
            if self._outstanding:
                log.warning("mqtt %s: %d published messages not acknowledged at stop",
                            self.client_id, len(self._outstanding))
        self._started = False  # from here a disconnect is ours, not worth a warning
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    # --- beyond the contract --------------------------------------------------------------
    def wait_connected(self, timeout: float | None = None) -> bool:
        """True once connected and the broker acknowledged the subscriptions."""
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def __repr__(self) -> str:
        state = "connected" if self.connected else "disconnected"
        return f"<MQTTBus {self.client_id}@{self.host}:{self.port} {state}>"

    # --- paho callbacks (network thread) ---------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("mqtt %s: broker %s:%s refused the connection: %s", self.client_id,
                      self.host, self.port, reason_code)
            return
        self._session += 1
        self._link_up = True
        log.info("mqtt %s: connected to %s:%s (session %s)", self.client_id, self.host,
                 self.port, "resumed" if flags.session_present else "new")
        if self._patterns:
            _, self._subscribe_mid = client.subscribe([(p, QOS) for p in self._patterns])
        else:
            self._connected.set()

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        refused = [str(code) for code in reason_codes if code.is_failure]
        if refused:
            log.error("mqtt %s: broker refused subscriptions %s: %s", self.client_id,
                      self._patterns, refused)
        if mid == self._subscribe_mid:
            self._connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._link_up = False
        self._connected.clear()
        if self._started:
            log.warning("mqtt %s: disconnected from %s:%s (%s); reconnecting", self.client_id,
                        self.host, self.port, reason_code)

    def _on_message(self, client, userdata, message: paho.MQTTMessage) -> None:
        ack = partial(self._ack, self._session, message.mid, message.qos)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            log.error("mqtt %s: dropped a message whose topic is not UTF-8", self.client_id)
            ack()
            return
        self._dispatcher.put(topic, message.payload, ack)

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._pub:
            if mid in self._outstanding:
                self._outstanding.discard(mid)
            else:
                self._early.add(mid)
            self._pub.notify_all()

    def _ack(self, session: int, mid: int, qos: int) -> None:
        # After a reconnect the broker redelivers what was not acknowledged; that copy is acked.
        if session == self._session and self._link_up:
            self._client.ack(mid, qos)


def from_url(url: str) -> MQTTBus:
    """``mqtt://[user:password@]host[:port][?client_id=ID&keepalive=S]`` or ``mqtts://...``."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"not an MQTT URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"MQTT URL without a host: {url!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    tls = parts.scheme == "mqtts"
    return MQTTBus(
        parts.hostname, parts.port or (8883 if tls else 1883),
        client_id=query.get("client_id") or None,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
        keepalive=int(query.get("keepalive", 30)),
    )
