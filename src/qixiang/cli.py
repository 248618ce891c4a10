"""The one command line: ``qixiang <command>``.

Every job is a Django management command of one of the apps (``qixiang ingest``, ``qixiang
stations import``, ``qixiang export``, ``qixiang run``, ``qixiang migrate`` ...), so each gets
its own ``--help`` and the same settings.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qixiang", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
