"""``qixiang ingest PATH... [--codec NAME] [--dead-letters]``: ingest files and folders.

Prints per file what became of its messages and the reason for each one rejected, then a total
line with the ``in = stored + duplicates + rejected + undecoded`` check. Rejected input is not an
error: the exit code is non-zero only when something failed inside qixiang.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from qixiang.ingest.models import RawMessage
from qixiang.ingest.pipeline import CHANNELS, IngestResult, ingest_files
from qixiang.science import codecs


def files_under(path: Path) -> Iterator[Path]:
    """``path`` itself, or every file below the folder ``path`` in name order (dotfiles skipped)."""
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        relative = child.relative_to(path)
        if child.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield child


class Command(BaseCommand):
    help = _("Ingest observation files and folders (recursively); list dead letters.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help=_("files or folders to ingest"))
        parser.add_argument("--codec", choices=codecs.names(),
                            help=_("decoder to use (default: detected from each file)"))
        parser.add_argument("--channel", default="file", choices=CHANNELS,
                            help=_("channel recorded with the messages (default: file)"))
        parser.add_argument("--dead-letters", action="store_true",
                            help=_("list rejected and undecoded messages (of the PATHs if given)"))
        parser.add_argument("--workers", type=int, default=None,
                            help=_("processes decoding files in parallel (default: CPU count, "
                                   "at most 4; 1 decodes in this process)"))
        parser.add_argument("--limit", type=int, default=200,
                            help=_("at most this many dead letters, newest first (default 200)"))

    def handle(self, *args, paths: list[Path], codec: str | None, channel: str,
               dead_letters: bool, workers: int | None, limit: int, **options) -> None:
        if not paths and not dead_letters:
            raise CommandError(_("give at least one PATH, or --dead-letters"))
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(_("no such file or folder: %(paths)s") % {"paths": ", ".join(missing)})

        total = IngestResult(origin="total")
        files = [path for root in paths for path in files_under(root)]
        for result in ingest_files(files, channel=channel, codec=codec, workers=workers):
            self._report(result.origin, result)
            total.add(result)
        if paths:
            self._report_total(total, len(files))
        if dead_letters:
            self._list_dead_letters([str(f) for f in files] if paths else None, limit)
        if total.errors:
            raise CommandError(_("%(count)d internal error(s); see above")
                               % {"count": len(total.errors)})

    def _report(self, name: str, r: IngestResult) -> None:
        self.stdout.write(_(
            "%(name)s: %(messages)d messages, %(reports)d reports, %(values)d values stored, "
            "%(stored)d messages stored, %(duplicates)d duplicates, %(rejected)d rejected, "
            "%(undecoded)d undecoded") % {"name": name, **_numbers(r)})
        for reason in r.reasons:
            self.stdout.write(f"  - {reason}")
        for error in r.errors:
            self.stderr.write("  " + _("internal error: %(error)s") % {"error": error})

    def _report_total(self, r: IngestResult, files: int) -> None:
        self.stdout.write(_(
            "total: %(files)d files, %(messages)d messages, %(reports)d reports, "
            "%(values)d values stored, %(stored)d messages stored, %(duplicates)d duplicates, "
            "%(rejected)d rejected, %(undecoded)d undecoded") % {"files": files, **_numbers(r)})
        check = "=" if r.balanced else "≠"
        self.stdout.write(_(
            "in = stored + duplicates + rejected + undecoded: %(messages)d %(check)s %(stored)d + "
            "%(duplicates)d + %(rejected)d + %(undecoded)d") % {"check": check, **_numbers(r)})

    def _list_dead_letters(self, origins: list[str] | None, limit: int) -> None:
        letters = RawMessage.objects.exclude(status=RawMessage.Status.DECODED)
        if origins is not None:
            letters = letters.filter(origin__in=origins)
        letters = letters.order_by("-received_at", "-id").only(
            "origin", "position", "codec", "status", "reason", "received_at")[:limit]
        count = 0
        for m in letters:
            when = timezone.localtime(m.received_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(_("%(when)s (Beijing time) %(origin)s #%(position)d [%(codec)s] "
                                "%(status)s: %(reason)s") % {
                "when": when, "origin": m.origin, "position": m.position, "codec": m.codec,
                "status": m.get_status_display(), "reason": m.reason})
            count += 1
        self.stdout.write(_("%(count)d dead letter(s) listed") % {"count": count})


def _numbers(r: IngestResult) -> dict[str, int]:
    return {"messages": r.messages, "reports": r.reports, "values": r.values, "stored": r.stored,
            "duplicates": r.duplicates, "rejected": r.rejected, "undecoded": r.undecoded}
