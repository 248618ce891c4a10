"""``qixiang supervision import KIND FILE...``: load registries from CSV or Excel files.

``qixiang supervision quality [--rule NAME]``: run the data quality rules (open what they find,
close what they no longer find; idempotent) and print what each rule did.

``qixiang supervision demo [--today DAY] [--seed N]``: seed the demo city (about 300 key units,
12 agencies, two years of inspections; :mod:`qixiang.supervision.demo`) unless there is
supervision data already.

``qixiang supervision sweep [--date DAY]``: mark passed hazard deadlines overdue, escalate, and
send the reminders (:mod:`qixiang.supervision.sweep`); run it from cron, say hourly.

KIND is one of subjects, keyunits, sites, agencies, inspectors, instruments. For each file it
prints how many rows were read, created, updated, accepted into review and rejected, then each
rejected row's line, field and reason (also written to ``FILE.rejected.csv``). Bad rows never
stop an import; the command fails only when a file cannot be read at all.
"""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.supervision.imports import kinds, service


class Command(BaseCommand):
    help = _("Lightning-protection supervision registries.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser(
            "import", help=_("Import a registry from CSV or Excel (.xlsx) files."),
            description=_("Create or update registry records row by row; rejected rows are "
                          "listed with their line, field and reason."))
        imp.add_argument("kind", choices=list(kinds.KINDS), metavar="KIND",
                         help=", ".join(kinds.KINDS))
        imp.add_argument("files", nargs="+", metavar="FILE", help=_("CSV or .xlsx file(s)"))
        qual = actions.add_parser(
            "quality", help=_("Run the data quality rules."),
            description=_("Open an issue for each problem found, close issues no longer found; "
                          "running it twice changes nothing the second time."))
        qual.add_argument("--rule", action="append", dest="rules", metavar="NAME",
                          help=_("run only this rule (repeatable)"))
        dem = actions.add_parser(
            "demo", help=_("Seed the demo city unless supervision data exist."),
            description=_("Key units, agencies, inspectors, two years of inspections, reports, "
                          "hazards, credit and enforcement, with planted suspicious reports "
                          "listed in var/demo/supervision-manifest.json, and three demo users."))
        dem.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                         help=_("the city as on this day (default today)"))
        dem.add_argument("--seed", type=int, default=None, help=_("random seed"))
        swp = actions.add_parser(
            "sweep", help=_("Mark passed deadlines overdue, escalate, send reminders."),
            description=_("One pass over hazard and report deadlines; safe to run as often as "
                          "wanted (cron, hourly)."))
        swp.add_argument("--date", dest="day", type=date.fromisoformat, default=None,
                         metavar="YYYY-MM-DD",
                         help=_("sweep as on this day (Beijing time; default today)"))

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_quality(self, rules: list[str] | None = None, **options) -> None:
        from qixiang.supervision.quality import runner

        try:
            outcomes = runner.run(rules)
        except KeyError as exc:
            raise CommandError(exc.args[0]) from exc
        for o in outcomes:
            self.stdout.write(_("%(rule)s: found %(found)d, opened %(opened)d, still open "
                                "%(kept)d, closed %(closed)d")
                              % {"rule": o.rule, "found": o.found, "opened": o.opened,
                                 "kept": o.kept, "closed": o.closed})

    def handle_demo(self, today: date | None = None, seed: int | None = None,
                    **options) -> None:
        from qixiang.supervision import demo

        if demo.has_data():
            self.stdout.write(_("Supervision data exist already; the demo city was not seeded."))
            return
        done = demo.seed(today, seed if seed is not None else demo.simulate.DEFAULT_SEED)
        self.stdout.write(demo.describe(done))

    def handle_sweep(self, day: date | None = None, **options) -> None:
        from qixiang.supervision.sweep import sweep

        self.stdout.write(str(sweep(day)))

    def handle_import(self, **options) -> None:
        failed = []
        for path in options["files"]:
            try:
                report = service.import_file(options["kind"], path)
            except (OSError, ValueError) as exc:
                failed.append(path)
                self.stderr.write(_("%(file)s: cannot read: %(error)s")
                                  % {"file": path, "error": exc})
                continue
            self.stdout.write(_(
                "%(file)s (%(kind)s): read %(read)d, created %(created)d, updated %(updated)d, "
                "in review %(review)d, rejected %(rejected)d") % {
                    "file": report.source, "kind": report.kind, "read": report.read,
                    "created": report.created, "updated": report.updated,
                    "review": len(report.review), "rejected": len(report.rejected)})
            for note in report.review:
                self.stdout.write(self.style.WARNING(f"  {_('in review')}: {note}"))
            for item in report.rejected:
                self.stdout.write(self.style.WARNING(f"  {_('rejected')}: {item}"))
            if report.rejects_file:
                self.stdout.write(_("  rejected rows with their reasons: %(file)s")
                                  % {"file": report.rejects_file})
        if failed:
            raise CommandError(_("%(count)d file(s) could not be read") % {"count": len(failed)})
