"""The bus channel: every payload published under the ingest topic goes through the pipeline.

``subscribe_ingest(bus, "qixiang/obs/#")`` subscribes an :class:`IngestSubscriber`. The bus
delivers on its worker thread; the subscriber collects each run of queued payloads and, in
``flush``, ingests consecutive payloads of one topic in one pipeline call (one transaction for
the run instead of one per payload), each topic being the ``origin`` of its messages. A payload
is acknowledged to the broker only after that call committed (see :mod:`qixiang.bus.interface`).

A run whose ingest fails (database away, locked) is retried payload by payload after a pause;
what was already committed comes back as duplicates, so the retry stores nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import datetime
from itertools import groupby

from django.db import close_old_connections
from django.utils import timezone

from qixiang.bus.interface import Bus
from qixiang.ingest import pipeline
from qixiang.ingest.pipeline import IngestResult
from qixiang.science import codecs
from qixiang.science.observation import Message, rejected

log = logging.getLogger(__name__)

RETRY_PAUSES = (0.2, 1.0, 5.0)  # seconds before each retry of a failed ingest


def channel_of(bus: Bus) -> str:
    """The ingest channel name for messages that came through ``bus``."""
    return "mqtt" if getattr(bus, "name", "") == "mqtt" else "bus"


class IngestSubscriber:
    """A bus batch handler feeding payloads to :mod:`qixiang.ingest.pipeline`."""

    def __init__(self, channel: str = "bus") -> None:
        self.channel = channel
        self._pending: list[tuple[str, bytes, datetime]] = []
        self.totals = IngestResult(origin=channel)  # everything this subscriber ingested

    def __call__(self, topic: str, payload: bytes) -> None:
        self._pending.append((topic, payload, timezone.now()))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        close_old_connections()  # like a request: drop a connection the database closed
        try:
            for topic, group in groupby(pending, key=lambda item: item[0]):
                run = list(group)
                self._ingest_run(topic, [payload for _, payload, _ in run], run[0][2])
        finally:
            close_old_connections()

    def _ingest_run(self, topic: str, payloads: list[bytes], received_at: datetime) -> None:
        try:
            self._record(_ingest(topic, payloads, self.channel, received_at))
            return
        except Exception:
            log.exception("ingest of %d payload(s) from %s failed; retrying one by one",
                          len(payloads), topic)
        for payload in payloads:
            self._retry(topic, payload, received_at)

    def _retry(self, topic: str, payload: bytes, received_at: datetime) -> None:
        for pause in RETRY_PAUSES:
            time.sleep(pause)
            close_old_connections()
            try:
                self._record(pipeline.ingest_bytes(payload, origin=topic, channel=self.channel,
                                                   received_at=received_at))
                return
            except Exception as exc:
                failure = exc
        log.error("gave up ingesting %d bytes from %s after %d retries: %s", len(payload), topic,
                  len(RETRY_PAUSES), failure)

    def _record(self, result: IngestResult) -> None:
        if result.reasons:
            log.warning("%s: %d of %d message(s) not stored: %s", result.origin,
                        result.rejected + result.undecoded, result.messages,
                        "; ".join(result.reasons[:3]))
        self.totals.add(result)

    def __repr__(self) -> str:
        return f"<IngestSubscriber channel={self.channel}>"


def _ingest(topic: str, payloads: list[bytes], channel: str,
            received_at: datetime) -> IngestResult:
    """One pipeline call for the payloads of one topic."""
    if len(payloads) == 1:
        return pipeline.ingest_bytes(payloads[0], origin=topic, channel=channel,
                                     received_at=received_at)
    return pipeline.ingest_messages(_decode_each(topic, payloads), origin=topic,
                                    channel=channel, received_at=received_at)


def _decode_each(topic: str, payloads: list[bytes]) -> Iterator[Message]:
    """The messages of every payload, each payload decoded on its own (format detected per
    payload); a decoder that raises makes its payload one dead letter, the others go on."""
    for payload in payloads:
        try:
            yield from codecs.decode(payload, topic)
        except Exception as exc:
            log.exception("decoder failed on a payload from %s", topic)
            yield rejected(1, payload, "unknown", f"{topic}: internal decoder error: "
                           f"{type(exc).__name__}: {exc}")


def subscribe_ingest(bus: Bus, topic_pattern: str) -> IngestSubscriber:
    """Ingest every payload published on ``bus`` under ``topic_pattern``; returns the handler."""
    subscriber = IngestSubscriber(channel_of(bus))
    bus.subscribe(topic_pattern, subscriber)
    return subscriber
