"""Importing station lists into the registry: upsert by cma_id, count, explain.

A record updates only the fields its source gives, so a MICAPS list (no names) does not blank the
names a CSV list gave, and re-importing the same file changes nothing. The whole file is written
in one transaction with bulk statements: a national list of thousands of stations takes a moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from qixiang.stations import importers
from qixiang.stations.models import Station

_FIELDS = ("wmo_index", "wigos_id", "name", "province", "division_code", "latitude", "longitude",
           "elevation")
_CHUNK = 500


@dataclass(slots=True)
class ImportReport:
    """What one file did to the registry.

    ``read = created + updated + unchanged + rejected`` over station rows; a file the reader
    cannot use at all (no station columns, not diamond 3) reads 0 rows and counts 1 rejection.
    """

    source: str
    format: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)  # "file: line N, field: why"
    notes: list[str] = field(default_factory=list)


def import_file(path: str | Path, *, fmt: str | None = None, province: str | None = None,
                divisions: str | Path | None = None) -> ImportReport:
    """Read ``path`` (format detected when ``fmt`` is None) and upsert its stations.

    ``divisions`` is a file of station id -> province / division code / name (see
    :func:`importers.read_divisions`) used to fill what the list lacks; ``province`` fills the
    province of stations that still have none. Raises ``OSError`` when a file cannot be read.
    """
    path = Path(path)
    table = None
    notes = []
    if divisions is not None:
        divisions = Path(divisions)
        table, errors = importers.read_divisions(importers.decode_text(divisions.read_bytes()),
                                                 str(divisions))
        notes += [f"{divisions}: {e} (ignored)" for e in errors]
    listing = importers.read(importers.decode_text(path.read_bytes()), str(path), fmt)
    report = save(listing, divisions=table, province=province)
    report.notes[:0] = notes
    return report


def save(listing: importers.StationList, *, divisions: dict[str, dict[str, str]] | None = None,
         province: str | None = None) -> ImportReport:
    """Upsert the stations of ``listing`` by cma_id and report the counts and reasons."""
    report = ImportReport(source=listing.source, format=listing.format, read=listing.read,
                          rejected=len(listing.errors), notes=list(listing.notes))
    report.reasons = [f"{listing.source}: {error}" for error in listing.errors]
    records = [importers.enrich(r, divisions, province) for r in listing.stations]
    now = timezone.now()
    with transaction.atomic():
        existing = _existing([r["cma_id"] for r in records])
        new, changed = [], []
        for record in records:
            station = existing.get(record["cma_id"])
            if station is None:
                new.append(Station(**record, source=listing.source[:255]))
            elif _apply(station, record):
                station.source = listing.source[:255]
                station.updated_at = now
                changed.append(station)
            else:
                report.unchanged += 1
        Station.objects.bulk_create(new, batch_size=_CHUNK)
        Station.objects.bulk_update(changed, [*_FIELDS, "source", "updated_at"], batch_size=_CHUNK)
    report.created, report.updated = len(new), len(changed)
    return report


def _existing(cma_ids: list[str]) -> dict[str, Station]:
    found: dict[str, Station] = {}
    for start in range(0, len(cma_ids), _CHUNK):
        chunk = cma_ids[start:start + _CHUNK]
        found.update((s.cma_id, s) for s in Station.objects.filter(cma_id__in=chunk))
    return found


def _apply(station: Station, record: dict[str, Any]) -> bool:
    """Set the fields ``record`` gives on ``station``; True when any changed."""
    changed = False
    for name in _FIELDS:
        if name in record and getattr(station, name) != record[name]:
            setattr(station, name, record[name])
            changed = True
    return changed
