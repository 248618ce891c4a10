"""The HTTP channel: uploaded files and JSON message bodies, ingested with channel ``http``.

The routes are in :mod:`qixiang.ingest.api` (``POST /api/ingest/files`` and
``POST /api/ingest/messages``); this module does the work, so it can be used without a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from qixiang.ingest.pipeline import IngestResult, ingest_bytes

CHANNEL = "http"


class Upload(Protocol):
    name: str

    def read(self) -> bytes: ...


def ingest_uploads(files: Iterable[Upload], codec: str | None = None) -> list[IngestResult]:
    """One result per uploaded file, each named by its upload name."""
    return [ingest_bytes(f.read(), origin=f.name or "upload", channel=CHANNEL, codec=codec)
            for f in files]


def ingest_message_body(body: bytes, origin: str) -> IngestResult:
    """A JSON body: one observation message, an array of them, or ``{"observations": [...]}``."""
    return ingest_bytes(body, origin=origin, channel=CHANNEL, codec="json")


def nothing_usable(results: Iterable[IngestResult]) -> bool:
    """True when messages were rejected and none was stored, known already or kept undecoded."""
    results = list(results)
    rejected = sum(r.rejected for r in results)
    usable = sum(r.stored + r.duplicates + r.undecoded for r in results)
    return rejected > 0 and usable == 0
