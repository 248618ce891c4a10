"""The query layer and the EDR tests pass on PostgreSQL as on SQLite.

The same test modules run in a subprocess with ``QIXIANG_DATABASE_URL`` pointing at a private
PostgreSQL server, so every statement of :mod:`qixiang.dataservice.query` (text arrays,
``LATERAL`` newest-value seeks, ``date_trunc`` top-of-hour filter) is exercised there too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
MODULES = ["test_edr_query.py", "test_edr_queries.py", "test_edr_formats.py", "test_edr_errors.py",
           "test_edr_cache.py"]


def test_query_layer_and_edr_pass_their_tests_on_postgresql(postgres_url):
    env = dict(os.environ, QIXIANG_DATABASE_URL=postgres_url)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *(str(HERE / m) for m in MODULES)],
        env=env, capture_output=True, text=True, cwd=HERE.parents[1])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
