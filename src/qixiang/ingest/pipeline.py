"""The ingest pipeline: bytes in, archived messages and stored values out, nothing lost.

>>> result = ingest_path(Path("15015.bin"))
>>> result = ingest_bytes(payload, origin="qixiang/obs/demo/54511", channel="mqtt")
>>> result = ingest_payloads([(topic, payload), ...], channel="mqtt")  # many origins at once

Decoded messages are written in batches (up to :data:`BATCH_MESSAGES` messages, or what
arrived within :data:`BATCH_SECONDS`). Each batch is one transaction holding the raw archive,
the values and the stage counts, so a process killed mid-file leaves either a whole batch or
none of it, and a re-run finds the committed messages already archived (duplicates) and stores
the rest: no gap, nothing twice. Every message keeps its own origin, so a batch may mix the
payloads of many topics (:func:`ingest_payloads`): 2,000 stations each on its own topic go into
a few transactions, not 2,000.

For every message: the sha256 of its raw bytes is looked up in the archive — found, it is a
duplicate and nothing changes; otherwise it is archived with its status and reason (rejected and
undecoded messages are the dead letters) and its values are stored, a changed value moving the
old one to the revision history. Per input ``in = stored + duplicates + rejected + undecoded``.
After each commit that stored values, ``observations_stored`` is sent. Each value's QC flag,
fired checks and reasons are set through :mod:`qixiang.observations.flags` before the batch's
transaction, so quality control reading earlier values does not hold the write lock.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from qixiang.ingest import archive, decoding
from qixiang.ingest.models import RawMessage
from qixiang.observations import flags, store
from qixiang.observations.signals import observations_stored
from qixiang.science import elements
from qixiang.science.observation import Message, Status
from qixiang.stations.resolver import lookup, resolver

log = logging.getLogger(__name__)

CHANNELS = ("file", "http", "mqtt", "watch", "bus", "demo")
BATCH_MESSAGES = 500
BATCH_SECONDS = 0.2
MAX_STATION_ID = 64  # Observation.station_id max_length


@dataclass
class IngestResult:
    """What became of the messages of one input. ``in = stored + duplicates + rejected + undecoded``.

    ``messages`` counts every message in; ``reports`` and ``values`` (non-missing values) count
    what the stored messages carried; ``reasons`` lists one line per rejected or undecoded
    message; ``errors`` lists internal failures (a decoder that raised), which also count as
    rejected so the input stays archived.
    """

    origin: str
    messages: int = 0
    reports: int = 0
    values: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    undecoded: int = 0
    reasons: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every message in is accounted for."""
        return self.messages == self.stored + self.duplicates + self.rejected + self.undecoded

    def add(self, other: IngestResult) -> None:
        """Add ``other``'s counts, reasons and errors to these (for totals)."""
        for name in ("messages", "reports", "values", "stored", "duplicates", "rejected",
                     "undecoded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reasons.extend(other.reasons)
        self.errors.extend(other.errors)


def ingest_bytes(data: bytes, *, origin: str, channel: str, codec: str | None = None,
                 received_at: datetime | None = None) -> IngestResult:
    """Decode ``data`` (format detected unless ``codec`` names it) and ingest its messages.

    ``origin`` is the file name, upload name or topic the bytes came from; it is archived with
    each message and names the input in error reasons.
    """
    return _ingest(data, origin=origin, filename=origin, channel=channel, codec=codec,
                   received_at=received_at)


def ingest_path(path: Path, *, channel: str = "file", codec: str | None = None) -> IngestResult:
    """Ingest the file at ``path`` (see :func:`ingest_bytes`)."""
    path = Path(path)
    return _ingest(path.read_bytes(), origin=str(path), filename=path.name, channel=channel,
                   codec=codec, received_at=None)


def ingest_messages(messages: Iterable[Message], *, origin: str, channel: str,
                    received_at: datetime | None = None, filename: str = "") -> IngestResult:
    """Ingest already decoded ``messages`` (the step after decoding; see the module docstring)."""
    filename = filename or origin
    return _ingest_items(((origin, filename, m) for m in messages), result=IngestResult(origin),
                         channel=channel, received_at=received_at)


def ingest_payloads(payloads: Iterable[tuple[str, bytes]], *, channel: str,
                    received_at: datetime | None = None) -> IngestResult:
    """Ingest ``(origin, payload)`` pairs, each decoded on its own, into shared batches.

    For a run of bus messages: each payload's format is detected by itself and its messages
    are archived under its own origin (the topic), while the run is stored in as few
    transactions as :data:`BATCH_MESSAGES` allows. A decoder that raises makes its payload one
    dead letter; the others go on. The result's ``origin`` is the origin shared by every
    payload, else how many there were.
    """
    payloads = list(payloads)
    origins = {origin for origin, _ in payloads}
    label = next(iter(origins)) if len(origins) == 1 else f"{len(origins)} origins"
    result = IngestResult(origin=label)

    def items() -> Iterator[tuple[str, str, Message]]:
        for origin, payload in payloads:
            for message in decoding.guarded(payload, origin, None, result.errors):
                yield origin, origin, message

    return _ingest_items(items(), result=result, channel=channel, received_at=received_at)


def ingest_files(paths: Iterable[Path], *, channel: str = "file", codec: str | None = None,
                 workers: int | None = None) -> Iterator[IngestResult]:
    """Ingest each file in order, one result each; decoded in worker processes when it pays.

    Storing stays here, in file order (see :mod:`.decoding`). A file that cannot be read, or
    whose storing fails, gives a result with ``errors`` and the next file goes on.
    """
    for decoded in decoding.decode_files(list(paths), codec, workers):
        origin = str(decoded.path)
        if decoded.unreadable:
            yield IngestResult(origin=origin, errors=[f"{origin}: cannot read: {decoded.unreadable}"])
            continue
        try:
            result = ingest_messages(decoded.messages, origin=origin, channel=channel,
                                     filename=decoded.path.name)
        except Exception as exc:
            log.exception("storing %s failed", origin)
            result = IngestResult(origin=origin, errors=[f"{origin}: {type(exc).__name__}: {exc}"])
        result.errors.extend(decoded.errors)
        yield result


def _ingest(data: bytes, *, origin: str, filename: str, channel: str, codec: str | None,
            received_at: datetime | None) -> IngestResult:
    errors: list[str] = []
    result = ingest_messages(decoding.guarded(data, filename, codec, errors), origin=origin,
                             channel=channel, received_at=received_at, filename=filename)
    result.errors.extend(errors)
    return result


# (origin archived with the message, file name used in its reasons, the message)
_Item = tuple[str, str, Message]


def _ingest_items(items: Iterable[_Item], *, result: IngestResult, channel: str,
                  received_at: datetime | None) -> IngestResult:
    if channel not in CHANNELS:
        raise ValueError(f"unknown ingest channel {channel!r}; known: {', '.join(CHANNELS)}")
    received_at = received_at or timezone.now()
    for batch in _batches(items):
        _write(batch, result, channel=channel, received_at=received_at)
    return result


def _batches(items: Iterable[_Item]) -> Iterator[list[_Item]]:
    batch: list[_Item] = []
    started = 0.0
    for item in items:
        if not batch:
            started = time.monotonic()
        batch.append(item)
        if len(batch) >= BATCH_MESSAGES or time.monotonic() - started >= BATCH_SECONDS:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(batch: list[_Item], result: IngestResult, *, channel: str,
           received_at: datetime) -> None:
    """Archive, store and count one batch in one transaction; adds its outcome to ``result``."""
    unique: dict[str, tuple[str, Message]] = {}
    duplicates = 0
    for origin, filename, message in batch:
        _check(message, filename)
        sha256 = hashlib.sha256(message.raw).hexdigest()
        if sha256 in unique:
            duplicates += 1
        else:
            unique[sha256] = (origin, message)

    now = timezone.now()
    counts = archive.Counts(received=len(batch))
    reasons: list[str] = []
    planned, planned_rows = _plan_values(unique)  # QC reads earlier values: not under the lock
    with transaction.atomic():
        ids = archive.archive([_archive_row(sha, o, m) for sha, (o, m) in unique.items()],
                              channel=channel, received_at=received_at, now=now)
        counts.duplicates = duplicates + len(unique) - len(ids)
        keep: list[int] = []
        reports = 0
        for sha256, (_origin, message) in unique.items():
            pk = ids.get(sha256)
            if pk is None:
                continue
            if message.status == Status.REJECTED:
                counts.rejected += 1
                reasons.append(message.reason)
                continue
            if message.status == Status.UNDECODED:
                counts.undecoded += 1
                reasons.append(message.reason)
                continue
            counts.stored += 1
            counts.values += message.value_count
            reports += len(message.reports)
            for k in planned.get(sha256, range(0)):
                planned_rows.message_ids[k] = pk
                keep.append(k)
        rows = planned_rows.take(keep)
        store.store_values(rows, received_at=received_at, now=now)
        archive.count(counts, channel=channel, now=now)
        if len(rows):
            transaction.on_commit(lambda: _announce(rows), robust=True)

    result.messages += counts.received
    result.stored += counts.stored
    result.duplicates += counts.duplicates
    result.rejected += counts.rejected
    result.undecoded += counts.undecoded
    result.values += counts.values
    result.reports += reports
    result.reasons.extend(reasons)


def _plan_values(unique: dict[str, tuple[str, Message]]
                 ) -> tuple[dict[str, range], store.ValueRows]:
    """The values of the batch's decoded messages not yet archived, QC flags assigned.

    Runs before the batch's write transaction, so quality control (which reads earlier values)
    does not hold the write lock. Returns the rows of each message (by sha256) and the rows, with
    message ids to be filled once the messages are archived. A message archived meanwhile by
    another process is checked for nothing and then left out, as a duplicate.
    """
    decoded = [sha for sha, (_o, m) in unique.items() if m.status == Status.DECODED]
    known = set(RawMessage.objects.filter(sha256__in=decoded).values_list("sha256", flat=True))
    rows = store.ValueRows()
    planned: dict[str, range] = {}
    table = resolver.table()
    for sha256 in decoded:
        if sha256 in known:
            continue
        message = unique[sha256][1]
        first = len(rows)
        for report in message.reports:
            station_id = lookup(table, report.station, report.wigos_id)
            for code, value in report.values.items():
                rows.append(station_id, code, report.time, value, 0, message.correction,
                            report.lat, report.lon, report.elevation)
        planned[sha256] = range(first, len(rows))
    rows.qc_flags = flags.assign(rows)
    return planned, rows


def _announce(rows: store.ValueRows) -> None:
    """Tell caches and live pages; a failing listener is logged, the data is committed anyway."""
    replies = observations_stored.send_robust(
        sender=None, station_ids=set(rows.station_ids), elements=set(rows.elements),
        times=(min(rows.times), max(rows.times)))
    for receiver, reply in replies:
        if isinstance(reply, Exception):
            log.error("observations_stored listener %r failed: %s", receiver, reply,
                      exc_info=reply)


def _archive_row(sha256: str, origin: str, message: Message) -> archive.ArchiveRow:
    return archive.ArchiveRow(
        sha256=sha256, payload=bytes(message.raw), codec=message.codec, origin=origin,
        position=message.index, header=message.header, correction=message.correction,
        status=str(message.status), reason=message.reason, report_count=len(message.reports),
        value_count=message.value_count)


def _check(message: Message, filename: str) -> None:
    """Make a decoded message safe to store, or turn it into a dead letter naming the fault.

    Decoders should already guarantee all of this; the check keeps one faulty report from
    failing its whole batch. NaN values become missing; a reason is made to name the input.
    """
    name = filename or "<payload>"
    if message.reason and name not in message.reason:
        message.reason = f"{name}: {message.reason}"
    if message.status != Status.DECODED:
        if not message.reason:
            message.reason = f"{name}: message {message.index}: {message.status} (no reason given)"
        return
    for report in message.reports:
        fault = _report_fault(report)
        if fault:
            message.status = Status.REJECTED
            message.reason = (f"{name}: message {message.index}, station {report.station!r}, "
                              f"{fault}")
            message.reports = []
            return


def _report_fault(report) -> str:
    station = (report.station or "").strip()
    if not station:
        return "field station: empty station identifier"
    if len(station) > MAX_STATION_ID:
        return f"field station: identifier longer than {MAX_STATION_ID} characters"
    if not isinstance(report.time, datetime) or report.time.utcoffset() is None:
        return f"field time: {report.time!r} is not a timezone-aware time"
    for code, value in report.values.items():
        if code not in elements.BY_CODE:
            return f"field {code}: unknown element code"
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            return f"field {code}: {value!r} is not a number"
        if math.isnan(number):
            report.values[code] = None
        elif math.isinf(number):
            return f"field {code}: {value!r} is not a finite number"
        else:
            report.values[code] = number
    return ""
