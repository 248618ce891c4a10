"""Start the configured ingest channels together, for ``qixiang run`` and the like.

``start_channels()`` reads the settings: it subscribes the ingest to ``QIXIANG_INGEST_TOPIC`` on
the process's bus (``QIXIANG_BUS``) and starts that bus, and watches ``QIXIANG_WATCH_DIR`` when it
is set. HTTP upload needs nothing started: its routes are part of the web application.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from qixiang.bus import get_bus
from qixiang.bus.interface import Bus
from qixiang.ingest.channels.bus import IngestSubscriber, subscribe_ingest
from qixiang.ingest.channels.watch import FolderWatcher, watch_folder

log = logging.getLogger(__name__)


@dataclass
class RunningChannels:
    bus: Bus
    subscriber: IngestSubscriber
    watchers: list[FolderWatcher] = field(default_factory=list)

    def stop(self) -> None:
        """Stop the watchers, then the bus (which first delivers what it accepted)."""
        for watcher in self.watchers:
            watcher.stop()
        self.bus.stop()


def start_channels(bus_url: str | None = None, topic: str | None = None,
                   watch_dir: str | Path | None = None) -> RunningChannels:
    """Start the bus subscription and the watched folder; arguments override the settings."""
    bus = get_bus(bus_url or settings.QIXIANG_BUS)
    pattern = topic or settings.QIXIANG_INGEST_TOPIC
    subscriber = subscribe_ingest(bus, pattern)
    bus.start()
    running = RunningChannels(bus, subscriber)
    log.info("ingest subscribed to %s on %r", pattern, bus)
    folder = watch_dir if watch_dir is not None else settings.QIXIANG_WATCH_DIR
    if folder:
        running.watchers.append(watch_folder(folder))
    return running
