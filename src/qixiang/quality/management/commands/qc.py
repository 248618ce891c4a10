"""``qixiang qc climatology --from-archive`` (and ``qc records``): limit tables from stored data.

``climatology`` computes per station and month (Beijing time) limits of each element with
:func:`qixiang.science.qc.climatology.compute_table`; ``records`` the station records (extremes
check) with :func:`qixiang.science.qc.extremes.compute_records`. Only values QC did not flag
wrong are read. The table is written as CSV (default ``<var>/qc/climatology.csv`` or
``records.csv``, which the QC stage uses when the configuration names no table); ``--output``
writes elsewhere, for a site file's ``[climatology] table = ...``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.observations.models import Observation
from qixiang.quality import config
from qixiang.science import elements
from qixiang.science.qc import climatology, extremes
from qixiang.science.qc.tables import LimitTable

BEIJING = timedelta(hours=8)


class Command(BaseCommand):
    help = _("Compute QC limit tables from the stored observations.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="table", required=True)
        for name, text in (("climatology", _("climatological limits per station and month")),
                           ("records", _("station records (extremes check)"))):
            p = sub.add_parser(name, help=text)
            p.add_argument("--from-archive", action="store_true", required=True,
                           help=_("compute from the values stored in the database"))
            p.add_argument("--element", action="append",
                           help=_("CMA element code (repeatable; default: every numeric one)"))
            p.add_argument("--output", help=_("CSV file to write (default under the var folder)"))
            if name == "climatology":
                p.add_argument("--k", type=float, default=6.0,
                               help=_("robust standard deviations either side of the median"))
                p.add_argument("--min-count", type=int, default=60,
                               help=_("values a station-month needs to get limits"))

    def handle(self, *args, table: str, element: list[str] | None, output: str | None,
               **options) -> None:
        codes = element or [e.code for e in elements.ELEMENTS if e.unit != "code"]
        unknown = [c for c in codes if c not in elements.BY_CODE]
        if unknown:
            raise CommandError(_("--element: unknown element code(s) %(codes)s")
                               % {"codes": ", ".join(unknown)})
        parts = []
        for code in codes:
            ids, months, values = self._read(code)
            if not len(values):
                continue
            if table == "climatology":
                parts.append(climatology.compute_table(ids, months, values, code, k=options["k"],
                                                       min_count=options["min_count"]))
            else:
                parts.append(extremes.compute_records(ids, values, code))
            self.stderr.write(_("%(code)s: %(n)d values, %(rows)d rows")
                              % {"code": code, "n": len(values), "rows": len(parts[-1])})
        merged = LimitTable(
            station=np.concatenate([p.station for p in parts]) if parts else [],
            element=np.concatenate([p.element for p in parts]) if parts else [],
            month=np.concatenate([p.month for p in parts]) if parts else [],
            low=np.concatenate([p.low for p in parts]) if parts else [],
            high=np.concatenate([p.high for p in parts]) if parts else [])
        path = Path(output) if output else (config.climatology_path() if table == "climatology"
                                            else config.records_path())
        path.parent.mkdir(parents=True, exist_ok=True)
        merged.write_csv(path)
        self.stdout.write(_("%(rows)d rows written to %(path)s") % {"rows": len(merged),
                                                                    "path": path})

    @staticmethod
    def _read(code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = (Observation.objects.filter(element=code, value__isnull=False)
                .exclude(qc_flag=2).values_list("station_id", "time", "value"))
        ids, months, values = [], [], []
        for station_id, moment, value in rows.iterator(chunk_size=20000):
            ids.append(station_id)
            months.append((moment + BEIJING).month)
            values.append(value)
        return np.array(ids, dtype=str), np.array(months, dtype=np.int64), \
            np.array(values, dtype=np.float64)
