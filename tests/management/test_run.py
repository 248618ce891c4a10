"""``qixiang run`` end to end: a fresh folder becomes a running platform with live demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.services import free_port

pytestmark = pytest.mark.slow

WAIT = 120.0  # bound for "eventually": a broken start fails instead of hanging


def qixiang() -> list[str]:
    return [str(Path(sys.executable).with_name("qixiang")), "run"]


def test_run_serves_live_demo_observations_and_stops_cleanly_on_sigterm(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QIXIANG_", "DJANGO_"))}
    env |= {"QIXIANG_VAR_DIR": str(tmp_path / "var"), "QIXIANG_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([*qixiang(), "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        rows = []
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/api/stations/map?element=TEM",
                                  timeout=5.0)
                rows = [r for r in reply.json()["rows"] if r[5] is not None]
            except (httpx.HTTPError, ValueError, KeyError):
                rows = []
            if len(rows) > 1500:
                break
            time.sleep(0.5)
        assert len(rows) > 1500, "demo observations did not become visible"
        assert (tmp_path / "var" / "admin-password.txt").read_text().startswith("admin / ")
        assert "regulator" in (tmp_path / "var" / "demo-users.txt").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "admin / " in output
    assert "qixiang stopped." in output or "qixiang 已停止" in output
