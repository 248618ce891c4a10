"""Hot data-service responses kept in memory, and the data version their ETags come from.

**Data version.** A counter bumped by the ``observations_stored`` signal (new values committed in
this process), combined with the newest raw-message id (checked at most once a second, so values
stored by another process — ``qixiang ingest``, a second worker — are seen too). A response's
strong ETag hashes the data version with the normalised request, so a client's
``If-None-Match`` is answered 304 without reading a value, and every ETag changes when new
data arrive.

**Response cache.** A least-recently-used map from the normalised request to the finished body,
bounded in bytes (``QIXIANG_EDR_CACHE_MB``), each entry valid for its data version and at most
``QIXIANG_EDR_CACHE_SECONDS`` (which bounds staleness from changes no version sees, such as a QC
rerun that rewrites flags in place). New data empty it. Large streamed bodies are not kept.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.dispatch import receiver

from qixiang.observations.signals import observations_stored

CHECK_INTERVAL = 1.0  # seconds between looks at the newest raw-message id


class DataVersion:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bumps = 0
        self._newest = 0
        self._checked = -1e9

    def bump(self) -> None:
        with self._lock:
            self._bumps += 1
            self._checked = -1e9  # re-read the newest id on the next look

    def current(self) -> str:
        now = time.monotonic()
        with self._lock:
            if now - self._checked < CHECK_INTERVAL:
                return f"{self._bumps}.{self._newest}"
        newest = _newest_message_id()
        with self._lock:
            self._checked = now
            self._newest = newest
            return f"{self._bumps}.{self._newest}"


def _newest_message_id() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM ingest_rawmessage")
        (newest,) = cursor.fetchone()
    return int(newest or 0)


data_version = DataVersion()


def etag(key: str, version: str) -> str:
    """The strong ETag of request ``key`` at data ``version``."""
    digest = hashlib.blake2b(f"{version}\n{key}".encode(), digest_size=16).hexdigest()
    return f'"{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """True when an ``If-None-Match`` header names ``tag`` (or ``*``)."""
    if not if_none_match:
        return False
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or tag in candidates or f"W/{tag}" in candidates


@dataclass(slots=True)
class Entry:
    version: str
    etag: str
    body: bytes
    content_type: str
    cost: float  # weighted calls charged for it (see quotas)
    headers: dict[str, str] = field(default_factory=dict)
    stored_at: float = field(default_factory=time.monotonic)
    sha256: str = ""  # of body, for each answer's provenance (hashed once, not per answer)


class ResponseCache:
    """LRU map of request keys to :class:`Entry`, bounded in total bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @staticmethod
    def max_bytes() -> int:
        return int(settings.QIXIANG_EDR_CACHE_MB * 1024 * 1024)

    @staticmethod
    def max_entry_bytes() -> int:
        return max(1, ResponseCache.max_bytes() // 16)

    def get(self, key: str, version: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            fresh = (entry.version == version and
                     time.monotonic() - entry.stored_at < settings.QIXIANG_EDR_CACHE_SECONDS)
            if not fresh:
                self._drop(key)
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_entry_bytes():
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = entry
            self._bytes += size
            limit = self.max_bytes()
            while self._bytes > limit and self._entries:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)


responses = ResponseCache()


@receiver(observations_stored, dispatch_uid="qixiang.dataservice.cache.new_data")
def _new_data(**_kwargs) -> None:
    data_version.bump()
    responses.clear()
