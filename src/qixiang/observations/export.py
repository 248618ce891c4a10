"""Stored observations as CSV or JSON rows: station_id, time, element, value, unit, qc_flag,
then qc_checks and qc_reason.

The first six columns are the documented exchange columns; ``qc_checks`` names the QC checks
that flagged the value (comma-separated in CSV, a list in JSON) and ``qc_reason`` says why
(one "check: reason" per check, joined by " | " in CSV). Times are RFC 3339 in UTC (``2026-11-21T06:00:00Z``), units the canonical unit of the element
(:mod:`qixiang.science.elements`), a missing value empty in CSV and ``null`` in JSON. Rows are
streamed in (station, element, time) order, so an export of years of data stays small in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from qixiang.observations.models import Observation
from qixiang.science import elements, qc

COLUMNS = ("station_id", "time", "element", "value", "unit", "qc_flag", "qc_checks", "qc_reason")
FORMATS = ("csv", "json")


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as RFC 3339 with a ``Z`` (microseconds only when there are any)."""
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def rows(station_ids: Iterable[str], element_codes: Iterable[str], start: datetime,
         end: datetime) -> Iterator[dict]:
    """The stored values of those stations and elements with ``start <= time <= end``."""
    found = (Observation.objects
             .filter(station_id__in=list(station_ids), element__in=list(element_codes),
                     time__gte=start, time__lte=end)
             .order_by("station_id", "element", "time")
             .values_list("station_id", "time", "element", "value", "qc_flag", "qc_checks",
                          "qc_reason"))
    for station_id, time, element, value, qc_flag, checks, reason in found.iterator(
            chunk_size=5000):
        yield {"station_id": station_id, "time": rfc3339(time), "element": element,
               "value": value, "unit": elements.get(element).unit if element in elements.BY_CODE
               else "", "qc_flag": qc_flag, "qc_checks": check_names(checks),
               "qc_reason": reason or ""}


def check_names(mask: int | None) -> list[str]:
    """The QC checks whose bits are set in ``mask`` (bits fixed by the QC registry's order)."""
    return [name for name in qc.names() if (mask or 0) & qc.bit(name)]


def write(records: Iterable[dict], out: TextIO, fmt: str = "csv") -> int:
    """Write ``records`` to ``out`` as ``fmt`` (csv or json); returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in records:
            writer.writerow([r["station_id"], r["time"], r["element"],
                             "" if r["value"] is None else repr(r["value"]), r["unit"],
                             r["qc_flag"], ",".join(r["qc_checks"]),
                             r["qc_reason"].replace("\n", " | ")])
            count += 1
        return count
    out.write("[")
    for r in records:
        out.write(("," if count else "") + "\n" + json.dumps(r, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
