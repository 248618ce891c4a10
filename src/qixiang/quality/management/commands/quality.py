"""``qixiang quality report --date D [--output FILE]`` and ``qixiang quality refresh``.

``report`` writes the daily quality report of Beijing day D (default yesterday) as CSV: the
network, each province and each station with availability, QC coverage and timeliness
(:mod:`qixiang.quality.report`). ``refresh`` brings the hourly summaries of the last ``--days``
up to date (the pages do it on demand; a cron job may do it ahead).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.quality import report, summary
from qixiang.quality.indicators import BEIJING


class Command(BaseCommand):
    help = _("Quality indicators: the daily CSV report, or refresh the hourly summaries.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("report", help=_("write the daily quality report as CSV"))
        p.add_argument("--date", help=_("Beijing day YYYY-MM-DD (default: yesterday)"))
        p.add_argument("--output", help=_("file to write (default: standard output)"))
        r = sub.add_parser("refresh", help=_("summarise new or changed hours"))
        r.add_argument("--days", type=int, default=2, help=_("how many days back"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "refresh":
            end = datetime.now(BEIJING)
            done = summary.refresh(end - timedelta(days=options["days"]), end)
            self.stdout.write(_("%(n)d hours summarised") % {"n": done})
            return
        text = options.get("date")
        try:
            day = date.fromisoformat(text) if text else datetime.now(BEIJING).date() - \
                timedelta(days=1)
        except ValueError:
            raise CommandError(_("--date: %(value)r is not a day such as 2026-11-21")
                               % {"value": text}) from None
        output = options.get("output")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = report.write(day, out)
            self.stderr.write(_("%(count)d rows written to %(path)s")
                              % {"count": count, "path": output})
        else:
            report.write(day, _Stream(self.stdout))


class _Stream:
    def __init__(self, wrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, ending="")
