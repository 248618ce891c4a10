"""The message bus: topics in, raw bytes out, one contract for every transport.

A bus is an object with four methods:

``publish(topic: str, payload: bytes) -> None``
    Hand ``payload`` to the bus under ``topic``. A topic is a UTF-8 string of ``/``-separated
    levels (``qixiang/obs/demo/54511``) without wildcards. The payload is opaque bytes: the bus
    never decodes or re-encodes it. As in WIS2 notifications, what travels is the observation
    message itself, so its sha256 is the same at both ends and an identical re-send is known as a
    duplicate downstream. Publishing applies backpressure: when the bus cannot take more it blocks
    (or raises :class:`BusFull` where blocking could never end).

``subscribe(pattern: str, handler: Handler) -> None``
    Call ``handler(topic, payload)`` for every message whose topic matches ``pattern`` under MQTT
    rules: ``+`` matches exactly one level, ``#`` (last level only) matches any number of levels
    including none (``a/#`` matches ``a``), wildcards never match a first level starting with
    ``$``. A handler subscribed under two matching patterns is called once per message.

``start() -> None`` / ``stop() -> None``
    Start delivering; stop after delivering what was already accepted. Subscribing before
    ``start`` is the normal order; publishing before ``start`` queues the message.

Delivery is **at least once**: a handler may see the same payload again (a broker redelivers what
was not acknowledged before a crash or disconnect), so handlers must be idempotent; the ingest is,
by the sha256 of each message. Messages on one topic arrive in the order they were published.

Handlers run on the bus's own worker thread, one message at a time, never on the publisher's
thread or the network thread: a handler may block (write to a database) without stalling the
transport, and needs no locking against other handlers of the same bus. A handler that raises is
logged with the topic and the bus goes on with the next message.

A handler may also have a ``flush()`` method. The bus calls it after each run of consecutive
messages it delivered (when its queue runs dry, or after ``max_batch`` messages), so a handler can
collect payloads in ``__call__`` and process the run in one go in ``flush``. A message counts as
handled, and is acknowledged to a broker, only after the ``flush`` that follows it returns.

Members: :mod:`.inprocess` (default, one process) and :mod:`.mqtt` (an MQTT 3.1.1 broker such as
Mosquitto); :func:`qixiang.bus.get_bus` picks one from a URL.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

MULTI_LEVEL = "#"
SINGLE_LEVEL = "+"


class BusFull(RuntimeError):
    """The bus cannot accept a message and waiting would never free room."""


class Handler(Protocol):
    def __call__(self, topic: str, payload: bytes) -> None: ...


@runtime_checkable
class BatchHandler(Handler, Protocol):
    """A handler that processes each delivered run of messages in ``flush``."""

    def flush(self) -> None: ...


class Bus(Protocol):
    def publish(self, topic: str, payload: bytes) -> None: ...

    def subscribe(self, pattern: str, handler: Handler) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


def check_topic(topic: str) -> str:
    """``topic`` if it is a valid topic to publish on; ``ValueError`` saying why otherwise."""
    if not isinstance(topic, str) or not topic:
        raise ValueError(f"topic must be a non-empty string, got {topic!r}")
    if SINGLE_LEVEL in topic or MULTI_LEVEL in topic:
        raise ValueError(f"topic {topic!r}: wildcards + and # are for subscriptions only")
    if len(topic.encode()) > 65535:
        raise ValueError(f"topic {topic[:40]!r}...: longer than 65535 bytes")
    return topic


def check_pattern(pattern: str) -> str:
    """``pattern`` if it is a valid subscription (MQTT topic filter); ``ValueError`` otherwise."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"pattern must be a non-empty string, got {pattern!r}")
    levels = pattern.split("/")
    for i, level in enumerate(levels):
        if len(level) > 1 and (SINGLE_LEVEL in level or MULTI_LEVEL in level):
            raise ValueError(f"pattern {pattern!r}: a wildcard must be a whole level")
        if level == MULTI_LEVEL and i != len(levels) - 1:
            raise ValueError(f"pattern {pattern!r}: # must be the last level")
    return pattern


def check_payload(payload: bytes) -> bytes:
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise TypeError(f"payload must be bytes, got {type(payload).__name__}")
    return bytes(payload)
