"""The raw archive and the stage counts, written in bulk inside the batch's transaction.

Every message is archived once, keyed by the sha256 of its raw bytes: the batch is staged and
inserted with ``ON CONFLICT (sha256) DO NOTHING RETURNING id, sha256``, so the database itself
says which messages are new and which were already there (also when two ingest processes race
on PostgreSQL). Only new messages go on to have their values stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from qixiang.observations import bulk

STAGE = "ingest"  # StageCount.stage of the counts written here

_STAGING = "qx_raw_in_v2"
_COLUMNS = (("sha256", "text"), ("payload", "bytes"), ("codec", "text"), ("origin", "text"),
            ("position", "int"), ("header", "text"), ("correction", "bool"), ("status", "text"),
            ("reason", "text"), ("report_count", "int"), ("value_count", "int"))
_FIELDS = ", ".join(name for name, _ in _COLUMNS)

_ARCHIVE = f"""
INSERT INTO ingest_rawmessage ({_FIELDS}, channel, received_at, stored_at)
SELECT {_FIELDS}, %s, %s, %s FROM {_STAGING} WHERE true
ON CONFLICT (sha256) DO NOTHING
RETURNING id, sha256
"""

_COUNT = """
INSERT INTO ingest_stagecount
    (minute, stage, channel, received, stored, duplicates, rejected, undecoded, "values")
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (minute, stage, channel) DO UPDATE SET
    received = ingest_stagecount.received + excluded.received,
    stored = ingest_stagecount.stored + excluded.stored,
    duplicates = ingest_stagecount.duplicates + excluded.duplicates,
    rejected = ingest_stagecount.rejected + excluded.rejected,
    undecoded = ingest_stagecount.undecoded + excluded.undecoded,
    "values" = ingest_stagecount."values" + excluded."values"
"""


@dataclass(slots=True)
class ArchiveRow:
    """One message as the archive keeps it (fields of :class:`~qixiang.ingest.models.RawMessage`)."""

    sha256: str
    payload: bytes
    codec: str
    origin: str  # the file, upload or topic it came from
    position: int
    header: str
    correction: bool
    status: str
    reason: str
    report_count: int
    value_count: int


@dataclass(slots=True)
class Counts:
    """Messages of one batch by outcome, and the values stored (one StageCount increment)."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    undecoded: int = 0
    values: int = 0


def archive(rows: Sequence[ArchiveRow], *, channel: str, received_at: datetime,
            now: datetime) -> dict[str, int]:
    """Archive the ``rows`` not archived before; returns sha256 -> id of those newly archived.

    ``rows`` must not hold a sha256 twice; each carries its own origin, so one batch may hold
    the messages of many topics.
    """
    if not rows:
        return {}
    adapt = bulk.time_adapter(connection)
    staged = ((r.sha256, r.payload, r.codec[:16], r.origin[:512], r.position, r.header[:64],
               r.correction, r.status, r.reason, r.report_count, r.value_count) for r in rows)
    bulk.stage(connection, _STAGING, _COLUMNS, staged)
    with connection.cursor() as cursor:
        cursor.execute(_ARCHIVE, [channel, adapt(received_at), adapt(now)])
        return {sha256: pk for pk, sha256 in cursor.fetchall()}


def count(counts: Counts, *, channel: str, now: datetime) -> None:
    """Add one batch's ``counts`` to the StageCount row of its minute, stage and channel."""
    minute = now.replace(second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [bulk.time_adapter(connection)(minute), STAGE, channel,
                                counts.received, counts.stored, counts.duplicates,
                                counts.rejected, counts.undecoded, counts.values])
