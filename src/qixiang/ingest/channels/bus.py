"""The bus channel: every payload published under the ingest topic goes through the pipeline.

``subscribe_ingest(bus, "qixiang/obs/#")`` subscribes an :class:`IngestSubscriber`. The bus
delivers on its worker thread; the subscriber collects each run of queued payloads and, in
``flush``, ingests the whole run in one pipeline call (:func:`~qixiang.ingest.pipeline.
ingest_payloads`): one transaction for the run instead of one per payload, however many topics
it spans, each topic being the ``origin`` of its messages. A payload is acknowledged to the
broker only after that call committed (see :mod:`qixiang.bus.interface`).

A run whose ingest fails (database away, locked) is retried payload by payload after a pause;
what was already committed comes back as duplicates, so the retry stores nothing twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from qixiang.bus.interface import Bus
from qixiang.ingest import pipeline
from qixiang.ingest.pipeline import IngestResult

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
        if not pending:
            return
        close_old_connections()  # like a request: drop a connection the database closed
        try:
            self._ingest_run(pending)
        finally:
            close_old_connections()

    def _ingest_run(self, run: list[tuple[str, bytes, datetime]]) -> None:
        received_at = run[0][2]
        try:
            self._record(pipeline.ingest_payloads([(topic, payload) for topic, payload, _ in run],
                                                  channel=self.channel, received_at=received_at))
            return
        except Exception:
            log.exception("ingest of a run of %d payload(s) failed; retrying one by one",
                          len(run))
        for topic, payload, received_at in run:
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


def subscribe_ingest(bus: Bus, topic_pattern: str) -> IngestSubscriber:
    """Ingest every payload published on ``bus`` under ``topic_pattern``; returns the handler."""
    subscriber = IngestSubscriber(channel_of(bus))
    bus.subscribe(topic_pattern, subscriber)
    return subscriber
