"""Access, MUSIC, provenance and the journal pass their tests on PostgreSQL as on SQLite: the
one-statement key lookup, the usage upsert (ON CONFLICT ... RETURNING), the nonce table, the
access-log upsert and the journal marks' compare-and-set run there too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
MODULES = ["test_access_authorize.py", "test_music_signing.py", "test_music_interfaces.py",
           "test_provenance_records.py", "test_journal.py"]
# It runs its own server on its own SQLite file.
SQLITE_ONLY = "test_journal.py::test_a_killed_server_loses_no_access_row_and_each_loads_exactly_once"


def test_access_music_and_provenance_pass_on_postgresql(postgres_url):
    env = dict(os.environ, QIXIANG_DATABASE_URL=postgres_url)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *(str(HERE / m) for m in MODULES), "--deselect", str(HERE / SQLITE_ONLY)],
        env=env, capture_output=True, text=True, cwd=HERE.parents[1])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
