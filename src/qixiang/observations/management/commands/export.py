"""``qixiang export --station ID --element CODE --start T --end T [--format csv|json] [--output FILE]``.

Writes stored observations with the columns station_id, time, element, value, unit, qc_flag
(time RFC 3339 UTC, unit the element's canonical unit), then qc_checks (the QC checks that flagged
the value) and qc_reason (why). ``--station`` and ``--element`` may be
repeated or comma-separated; a station may be named by CMA id, WMO index or WIGOS id.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.observations import export
from qixiang.science import elements
from qixiang.stations.resolver import resolve


def parse_time(text: str, option: str) -> datetime:
    """An RFC 3339 time with its offset (``2026-11-21T06:00:00Z``, ``...+08:00``)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(_("%(option)s: %(value)r is not an RFC 3339 time such as "
                             "2026-11-21T06:00:00Z") % {"option": option, "value": text}) from None
    if moment.utcoffset() is None:
        raise CommandError(_("%(option)s: %(value)r has no UTC offset; add Z or +08:00")
                           % {"option": option, "value": text})
    return moment


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = _("Export stored observations as CSV or JSON.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--station", action="append", required=True,
                            help=_("station: CMA id, WMO index or WIGOS id (repeatable)"))
        parser.add_argument("--element", action="append", required=True,
                            help=_("CMA element code such as TEM (repeatable)"))
        parser.add_argument("--start", required=True, help=_("first time, RFC 3339"))
        parser.add_argument("--end", required=True, help=_("last time (inclusive), RFC 3339"))
        parser.add_argument("--format", default="csv", choices=export.FORMATS, dest="fmt")
        parser.add_argument("--output", help=_("file to write (default: standard output)"))

    def handle(self, *args, station: list[str], element: list[str], start: str, end: str,
               fmt: str, output: str | None, **options) -> None:
        codes = _split(element)
        unknown = [c for c in codes if c not in elements.BY_CODE]
        if unknown:
            raise CommandError(_("--element: unknown element code(s) %(codes)s; known: %(known)s")
                               % {"codes": ", ".join(unknown),
                                  "known": ", ".join(elements.BY_CODE)})
        first, last = parse_time(start, "--start"), parse_time(end, "--end")
        if last < first:
            raise CommandError(_("--end is before --start"))
        stations = [resolve(s) for s in _split(station)]
        records = export.rows(stations, codes, first, last)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = export.write(records, out, fmt)
            self.stderr.write(_("%(count)d values written to %(path)s")
                              % {"count": count, "path": output})
        else:
            export.write(records, _Stream(self.stdout), fmt)


class _Stream:
    """The command's stdout as a plain text stream (no line endings added)."""

    def __init__(self, wrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, ending="")
