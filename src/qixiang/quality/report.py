"""The daily quality report: every station, province and the network for one Beijing day, as CSV.

One row per unit with its identifiers and the indicators of :mod:`.indicators` (shares as
fractions with four decimals, empty where nothing was expected), network first, then provinces,
then stations. ``qixiang quality report --date D`` writes it; the quality page links it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from typing import TextIO

from qixiang.quality.indicators import Indicator, beijing_day, indicators

COLUMNS = ("date", "level", "id", "name", "province", "expected", "arrived", "availability",
           "qc_coverage", "within_1min", "within_5min", "values", "checked", "suspect", "wrong",
           "missing")


def rows(day: date, user=None) -> Iterable[tuple[str, Indicator]]:
    start, end = beijing_day(day)
    for level in ("network", "province", "station"):
        for item in indicators(level, start, end, user, refresh_limit=None):
            yield level, item


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def write(day: date, out: TextIO, user=None) -> int:
    """Write the report of Beijing day ``day`` to ``out``; returns the rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for level, item in rows(day, user):
        c = item.counts
        writer.writerow([day.isoformat(), level, item.key, item.name, item.province,
                         int(c.get("expected", 0)), int(c.get("arrived", 0)),
                         _share(item.availability), _share(item.qc_coverage),
                         _share(item.within_1min), _share(item.within_5min),
                         int(c.get("values", 0)), int(c.get("checked", 0)),
                         int(c.get("suspect", 0)), int(c.get("wrong", 0)),
                         int(c.get("missing", 0))])
        count += 1
    return count
