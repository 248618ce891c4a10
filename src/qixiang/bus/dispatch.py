"""The delivery half every bus shares: a bounded queue, one worker thread, wildcard matching.

A transport (in-process, MQTT) only puts ``(topic, payload, ack)`` into the queue; the worker takes
runs of queued messages, calls the matching handlers, calls ``flush`` on batch handlers, then calls
each message's ``ack``. A handler's exception is logged and never reaches the worker loop.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from paho.mqtt.matcher import MQTTMatcher

from qixiang.bus.interface import BatchHandler, BusFull, Handler, check_pattern

log = logging.getLogger(__name__)

Ack = Callable[[], None]
_STOP = object()


class Dispatcher:
    """Queue and worker thread delivering messages to the handlers whose pattern matches.

    ``maxsize`` bounds the queue (``put`` blocks when it is full: backpressure); ``max_batch``
    bounds a run of messages delivered before the batch handlers are flushed.
    """

    def __init__(self, name: str, maxsize: int = 10_000, max_batch: int = 500) -> None:
        self.name = name
        self.max_batch = max_batch
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._matcher = MQTTMatcher()  # pattern -> list of handlers (paho's topic-filter trie)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    # --- subscriptions --------------------------------------------------------------------
    def add(self, pattern: str, handler: Handler) -> None:
        check_pattern(pattern)
        with self._lock:
            try:
                handlers = self._matcher[pattern]
            except KeyError:
                handlers = []
            self._matcher[pattern] = [*handlers, handler]

    def handlers_for(self, topic: str) -> list[Handler]:
        """Each handler whose pattern matches ``topic``, once, in subscription order."""
        with self._lock:
            found: list[Handler] = []
            for handlers in self._matcher.iter_match(topic):
                found.extend(h for h in handlers if not any(h is f for f in found))
            return found

    # --- queue ----------------------------------------------------------------------------
    def put(self, topic: str, payload: bytes, ack: Ack | None = None,
            timeout: float | None = None) -> None:
        """Queue a message; blocks while the queue is full (raises :class:`BusFull` when the
        caller is the worker itself, which alone could make room, or after ``timeout``)."""
        item = (topic, payload, ack)
        if threading.current_thread() is self._thread:
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                raise BusFull(f"{self.name}: queue full ({self._queue.maxsize}) and a handler "
                              "published on its own bus") from None
            return
        try:
            self._queue.put(item, timeout=timeout)
        except queue.Full:
            raise BusFull(f"{self.name}: queue full ({self._queue.maxsize}) for {timeout} s") from None

    def pending(self) -> int:
        return self._queue.qsize()

    # --- worker ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name=f"bus-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Deliver what is queued, then end the worker."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        stopping = False
        while not stopping:
            run = [self._queue.get()]
            while len(run) < self.max_batch:
                try:
                    run.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if any(item is _STOP for item in run):
                stopping = True
                run = [item for item in run if item is not _STOP]
            self._deliver(run)

    def _deliver(self, run: list[tuple[str, bytes, Ack | None]]) -> None:
        touched: list[BatchHandler] = []
        for topic, payload, _ack in run:
            for handler in self.handlers_for(topic):
                _call(handler, topic, payload)
                if hasattr(handler, "flush") and not any(handler is t for t in touched):
                    touched.append(handler)  # type: ignore[arg-type]
        for handler in touched:
            try:
                handler.flush()
            except Exception:
                log.exception("%s: flush of %r failed", self.name, handler)
        for _topic, _payload, ack in run:
            if ack is not None:
                try:
                    ack()
                except Exception:
                    log.exception("%s: acknowledging a message failed", self.name)


def _call(handler: Handler, topic: str, payload: bytes) -> None:
    try:
        handler(topic, payload)
    except Exception:
        log.exception("bus handler %r failed on topic %s (%d bytes)", handler, topic, len(payload))
