"""``qixiang audit verify``: walk the hash-chained audit trail and report the first bad entry.

Exit status 0 when every entry links to the one before and matches its hash; otherwise the
command names the first entry that was changed, removed or inserted, and fails.
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qixiang.supervision import audit


class Command(BaseCommand):
    help = _("Check the audit trail.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help=_("Verify the hash chain of the audit trail."))

    def handle(self, *args, action: str, **options) -> None:
        verdict = audit.verify()
        if verdict.ok:
            self.stdout.write(_("audit trail intact: %(count)d entries checked")
                              % {"count": verdict.checked})
            return
        raise CommandError(_("audit trail broken at entry %(seq)d: %(reason)s "
                             "(%(count)d entries before it are intact)")
                           % {"seq": verdict.bad_seq, "reason": verdict.reason,
                              "count": verdict.checked})
