"""The default bus: publishers and subscribers in one process, no broker to run.

A bounded queue and one worker thread (:class:`~qixiang.bus.dispatch.Dispatcher`): ``publish``
puts the payload in the queue and returns, blocking while the queue is full, so a fast publisher
is slowed to the pace of the handlers instead of filling memory. Messages still queued when the
process dies are gone; use the MQTT bus where that matters.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from qixiang.bus.dispatch import Dispatcher
from qixiang.bus.interface import Handler, check_payload, check_topic

NAME = "inprocess"


class InProcessBus:
    """See :mod:`qixiang.bus.interface` for the contract."""

    name = NAME

    def __init__(self, maxsize: int = 10_000, max_batch: int = 500,
                 publish_timeout: float | None = None) -> None:
        self._dispatcher = Dispatcher(NAME, maxsize=maxsize, max_batch=max_batch)
        self._publish_timeout = publish_timeout

    def publish(self, topic: str, payload: bytes) -> None:
        self._dispatcher.put(check_topic(topic), check_payload(payload),
                             timeout=self._publish_timeout)

    def subscribe(self, pattern: str, handler: Handler) -> None:
        self._dispatcher.add(pattern, handler)

    def start(self) -> None:
        self._dispatcher.start()

    def stop(self) -> None:
        self._dispatcher.stop()

    def pending(self) -> int:
        """Messages published and not yet taken by the worker."""
        return self._dispatcher.pending()

    def __repr__(self) -> str:
        return f"<InProcessBus pending={self.pending()}>"


def from_url(url: str) -> InProcessBus:
    """``inprocess``, or ``inprocess://?maxsize=N&max_batch=N`` to size the queue and runs."""
    query = parse_qs(urlsplit(url).query)
    options = {key: int(query[key][-1]) for key in ("maxsize", "max_batch") if key in query}
    return InProcessBus(**options)
