"""Message buses, one module per transport behind :mod:`.interface`.

>>> from qixiang.bus import get_bus
>>> bus = get_bus("inprocess")                     # or "mqtt://localhost:1883?client_id=ingest-1"
>>> bus.subscribe("qixiang/obs/#", handler)
>>> bus.start()
>>> bus.publish("qixiang/obs/demo/54511", payload)

Topic layout (docs/ingest.md, "Channels"): ``qixiang/obs/<source>/<station>``.
"""

from __future__ import annotations

import importlib
import threading
from urllib.parse import urlsplit

from qixiang.bus.interface import Bus, BusFull, Handler

__all__ = ["Bus", "BusFull", "Handler", "get_bus", "make_bus", "names", "obs_topic"]

# URL scheme -> module with ``from_url(url) -> Bus``.
_MODULES = {
    "inprocess": "qixiang.bus.inprocess",
    "mqtt": "qixiang.bus.mqtt",
    "mqtts": "qixiang.bus.mqtt",
}

OBS_PREFIX = "qixiang/obs"

_shared: dict[str, Bus] = {}
_shared_lock = threading.Lock()


def names() -> list[str]:
    return list(_MODULES)


def get_bus(url: str) -> Bus:
    """The process's bus for ``url`` (``inprocess`` or ``mqtt://host:port``), made on first use.

    Shared so that a publisher and a subscriber of one process meet on the same in-process queue
    and one MQTT client id is connected once. ``start`` is idempotent; whoever runs the process
    (``qixiang run``) stops it.
    """
    with _shared_lock:
        if url not in _shared:
            _shared[url] = make_bus(url)
        return _shared[url]


def make_bus(url: str) -> Bus:
    """A new, not yet started bus for ``url``."""
    scheme = urlsplit(url).scheme or url.strip()
    try:
        module = importlib.import_module(_MODULES[scheme])
    except KeyError:
        raise ValueError(f"unknown bus {url!r}; use one of: inprocess, mqtt://host:port, "
                         "mqtts://host:port") from None
    return module.from_url(url)


def obs_topic(source: str, station: str) -> str:
    """The topic an observation of ``station`` from ``source`` is published on."""
    for name, level in (("source", source), ("station", station)):
        if not level or "/" in level or "+" in level or "#" in level:
            raise ValueError(f"topic {name} {level!r}: must be one non-empty level without / + #")
    return f"{OBS_PREFIX}/{source}/{station}"
