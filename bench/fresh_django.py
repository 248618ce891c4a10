"""A migrated qixiang on a fresh SQLite database under a temporary var folder, for the benches."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def fresh_django() -> str:
    """Point QIXIANG_VAR_DIR at a new temporary folder, migrate it, set Django up; returns the folder."""
    var = tempfile.mkdtemp(prefix="qixiang-bench-")
    os.environ.update(QIXIANG_VAR_DIR=var, DJANGO_SETTINGS_MODULE="qixiang.settings")
    subprocess.run([str(Path(sys.executable).with_name("qixiang")), "migrate", "-v0"], check=True)
    import django

    django.setup()
    return var
