"""On PostgreSQL (jsonb, timestamptz) the chain written by a workflow step still verifies."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.postgres

SCRIPT = '''
import datetime as dt
import django
django.setup()
from django.utils import timezone
from qixiang.supervision import audit, identity
from qixiang.supervision import models as m
from qixiang.supervision.workflows import SYSTEM, transition
subject, _ = identity.register_subject("Depot", "330106", uscc="91110108551385082Q")
unit = m.KeyUnit.objects.create(subject=subject, category="crowded")
site = m.Site.objects.create(key_unit=unit, name="A", lightning_class=3, latitude=30.123456789,
                             height_m=1e-05)
hazard = m.Hazard.objects.create(hazard_no="YH1", site=site, source="iot", item="SPD 漏电流",
                                 found_at=timezone.now(), severity="major")
transition(hazard, "escalate", SYSTEM, reason="重大隐患")
audit.record("x", change={"f": 0.1, "big": 2**53, "d": dt.date(2026, 1, 2),
                          "nested": {"b": [1, 2.5, None], "a": "中"}})
verdict = audit.verify()
print(verdict.checked, verdict.ok)
'''


def test_the_chain_verifies_on_postgresql(postgres_url, tmp_path):
    env = dict(os.environ, QIXIANG_DATABASE_URL=postgres_url, QIXIANG_VAR_DIR=str(tmp_path),
               DJANGO_SETTINGS_MODULE="qixiang.settings")
    bin_dir = os.path.dirname(sys.executable)
    migrate = subprocess.run([os.path.join(bin_dir, "qixiang"), "migrate", "-v0"], env=env,
                             capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr
    run = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    checked, ok = run.stdout.split()
    assert ok == "True" and int(checked) >= 5
