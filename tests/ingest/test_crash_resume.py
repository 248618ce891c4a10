"""A `qixiang ingest` killed mid-file and run again stores every message exactly once."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

QIXIANG = str(Path(sys.executable).with_name("qixiang"))
MESSAGES = 20_000
ELEMENTS = ("TEM", "RHU", "PRS")


def write_observations(path: Path, n: int) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    objects = [{"station": f"{50000 + k % 1000}",
                "time": (t0 + timedelta(hours=k // 1000)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "values": {"TEM": k % 40 - 10.0, "RHU": float(k % 100), "PRS": 1000.0}}
               for k in range(n)]
    path.write_text(json.dumps(objects))


def environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "QIXIANG_DATABASE_URL"}
    env["QIXIANG_VAR_DIR"] = str(var_dir)
    return env


def archived(db: Path) -> int:
    """Committed messages, read as a second process would (WAL: readers never block)."""
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        try:
            return conn.execute("SELECT count(*) FROM ingest_rawmessage").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_killed_ingest_resumes_without_gap_or_duplicate(tmp_path):
    env = environment(tmp_path / "var")
    subprocess.run([QIXIANG, "migrate", "-v0"], env=env, cwd=tmp_path, check=True)
    db = tmp_path / "var" / "qixiang.sqlite3"
    data = tmp_path / "observations.json"
    write_observations(data, MESSAGES)

    cmd = [QIXIANG, "ingest", str(data), "--codec", "json"]
    first = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while archived(db) == 0 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    first.kill()  # SIGKILL: no handler, no cleanup
    first.wait()
    committed = archived(db)
    assert first.returncode == -9, "the first run ended before it could be killed"
    assert 0 < committed < MESSAGES

    second = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    identity = f"{MESSAGES} = {MESSAGES - committed} + {committed} + 0 + 0"
    assert identity in second.stdout, second.stdout

    with sqlite3.connect(db) as conn:
        def one(sql: str):
            return conn.execute(sql).fetchone()

        assert one("SELECT count(*), count(DISTINCT sha256) FROM ingest_rawmessage") == (
            MESSAGES, MESSAGES)
        assert one("SELECT count(*) FROM observations_observation") == (
            MESSAGES * len(ELEMENTS),)
        assert one("SELECT count(*) FROM observations_revision") == (0,)
        # Every stored value points at an archived message, and every message has its values.
        assert one("""SELECT count(*) FROM observations_observation o
                      LEFT JOIN ingest_rawmessage r ON r.id = o.message_id
                      WHERE r.id IS NULL""") == (0,)
        assert one("""SELECT count(*) FROM ingest_rawmessage r WHERE r.value_count !=
                      (SELECT count(*) FROM observations_observation o
                       WHERE o.message_id = r.id)""") == (0,)
        # The counts hold the killed run's committed batches and the whole second run.
        received, stored, duplicates, other = one(
            "SELECT sum(received), sum(stored), sum(duplicates), sum(rejected + undecoded) "
            "FROM ingest_stagecount WHERE stage = 'ingest'")
        assert (received, stored, duplicates, other) == (
            committed + MESSAGES, MESSAGES, committed, 0)
        unbalanced = one("SELECT count(*) FROM ingest_stagecount "
                         "WHERE received != stored + duplicates + rejected + undecoded")
        assert unbalanced == (0,)


def test_ingest_command_prints_each_file_and_a_balanced_total(tmp_path):
    env = environment(tmp_path / "var")
    subprocess.run([QIXIANG, "migrate", "-v0"], env=env, cwd=tmp_path, check=True)
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write_observations(folder / "a.json", 3)
    (folder / "sub" / "b.json").write_text('[{"station": "54511"}]')
    (folder / ".partial.json").write_text("[")
    result = subprocess.run([QIXIANG, "ingest", str(folder)], env=env, cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr  # rejected input is not an error
    lines = result.stdout.splitlines()  # (the words may be translated; names and numbers stay)
    assert lines[0].startswith(str(folder / "a.json")) and re.search(r"\b3\b", lines[0])
    assert lines[1].startswith(str(folder / "sub" / "b.json"))
    assert lines[2].startswith("  - ") and "b.json" in lines[2]  # the reason, on its own line
    assert re.search(r"\b4 = 3 \+ 0 \+ 1 \+ 0\b", result.stdout)
    assert ".partial" not in result.stdout

    letters = subprocess.run([QIXIANG, "ingest", "--dead-letters"], env=env, cwd=tmp_path,
                             capture_output=True, text=True, check=True)
    assert "b.json" in letters.stdout and "a.json" not in letters.stdout
