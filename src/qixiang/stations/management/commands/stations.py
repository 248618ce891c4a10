"""``qixiang stations import FILE... [--format csv|micaps3] [--province P] [--divisions FILE]``.

Reads station lists into the registry (upsert by cma_id) and prints, per file, how many stations
were read, created, updated, unchanged and rejected, with each rejected row's line and field.
Bad rows never stop an import; the command fails only when a file cannot be read at all.
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.stations import divisions, importers, services


class Command(BaseCommand):
    help = _("Manage the station registry.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser(
            "import", help=_("Import station lists (CSV, wis2box station list, MICAPS diamond 3)."),
            description=_("Import station lists into the registry, updating stations by CMA id. "
                          "See docs/stations.md for the CSV columns."))
        imp.add_argument("files", nargs="+", metavar="FILE", help=_("station list file(s)"))
        imp.add_argument("--format", choices=importers.FORMATS, default=None,
                         help=_("file format (default: MICAPS when the file starts with "
                                "'diamond 3', else CSV)"))
        imp.add_argument("--province", default=None,
                         help=_("province of stations whose list gives none: a name (北京, 北京市) "
                                "or GB/T 2260 code (110000)"))
        imp.add_argument("--divisions", default=None, metavar="FILE",
                         help=_("station id -> province / division code / name table used to fill "
                                "what the list lacks (e.g. station_id_pro_county.txt)"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "import":
            self.import_files(options)

    def import_files(self, options: dict) -> None:
        province = options["province"]
        if province is not None and divisions.province(province) is None:
            raise CommandError(_("--province %(value)s: not a province name or GB/T 2260 code")
                               % {"value": province})
        failed = []
        for path in options["files"]:
            try:
                report = services.import_file(path, fmt=options["format"], province=province,
                                              divisions=options["divisions"])
            except OSError as exc:
                failed.append(path)
                self.stderr.write(_("%(file)s: cannot read: %(error)s")
                                  % {"file": getattr(exc, "filename", None) or path,
                                     "error": exc.strerror or exc})
                continue
            self.stdout.write(_(
                "%(file)s (%(format)s): read %(read)d, created %(created)d, updated %(updated)d, "
                "unchanged %(unchanged)d, rejected %(rejected)d") % {
                    "file": report.source, "format": report.format, "read": report.read,
                    "created": report.created, "updated": report.updated,
                    "unchanged": report.unchanged, "rejected": report.rejected})
            for note in report.notes:
                self.stdout.write(f"  {note}")
            for reason in report.reasons:
                self.stdout.write(self.style.WARNING(f"  {_('rejected')}: {reason}"))
        if failed:
            raise CommandError(_("%(count)d file(s) could not be read") % {"count": len(failed)})
