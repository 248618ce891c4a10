"""The canonical observation that every decoder produces and every later stage consumes.

A :class:`Report` is one station at one time with its values, in canonical units (see
:mod:`qixiang.science.elements`). A :class:`Message` is the unit that is archived, deduplicated,
accepted or rejected: one BUFR message, one SYNOP or METAR report of a bulletin, one CSV row,
one JSON object. A message carries the reports decoded from it, or the reason it was not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    DECODED = "decoded"  # reports extracted; they go on to QC and storage
    REJECTED = "rejected"  # not decodable: kept as a dead letter with the reason
    UNDECODED = "undecoded"  # recognised but not yet decoded (upper air, profiler): archived raw


@dataclass(slots=True)
class Report:
    """One station at one time.

    ``station`` is the identifier the source gave: a CMA station id (``54511``, ``A1234``), a
    WMO index or a WIGOS id (``0-20000-0-54511``); the stations registry resolves it.
    ``values`` maps CMA element codes to values in canonical units; ``None`` means the source
    reported the element as missing.
    """

    station: str
    time: datetime  # timezone-aware, UTC
    values: dict[str, float | None]
    lat: float | None = None
    lon: float | None = None
    elevation: float | None = None
    wigos_id: str | None = None
    name: str | None = None


@dataclass(slots=True)
class Message:
    """One archived unit of input and what became of it.

    ``index`` is the 1-based position of the message in its file or payload, so an error can name
    it; ``reason`` names the record and field for rejected or undecoded messages.
    ``correction`` is true for a correction (GTS ``CCx``, ``RRx`` retards are not corrections):
    its values replace earlier ones, which are kept as history.
    """

    index: int
    raw: bytes
    codec: str
    status: Status = Status.DECODED
    reports: list[Report] = field(default_factory=list)
    reason: str = ""
    correction: bool = False
    header: str = ""  # GTS abbreviated heading, e.g. "SMRO01 YRBK 211200 CCA"

    @property
    def value_count(self) -> int:
        return sum(1 for r in self.reports for v in r.values.values() if v is not None)


def rejected(index: int, raw: bytes, codec: str, reason: str, header: str = "") -> Message:
    """A message that could not be decoded, with the reason (naming record and field)."""
    return Message(index=index, raw=raw, codec=codec, status=Status.REJECTED, reason=reason,
                   header=header)
