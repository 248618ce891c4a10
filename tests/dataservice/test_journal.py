"""The journal keeps every access-log row and quota charge of a data answer without a database
write per answer: a killed server loses none, each loads exactly once, files still held by a
live process are left to it, and a line that cannot load is kept with the reason."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from qixiang.dataservice import access, journal, provenance
from qixiang.dataservice.models import AccessLog, DailyUsage, JournalMark
from tests.services import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # bound for "eventually"
pytestmark = pytest.mark.django_db
URL = "/edr/collections/surface-obs-hourly/locations/54511?parameter-name=TEM"
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.dataservice.edr_support import make_network
make_network()
"""


def server_env(var: Path, load_seconds: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QIXIANG_", "DJANGO_"))}
    return env | {"QIXIANG_VAR_DIR": str(var), "QIXIANG_LOG_LEVEL": "WARNING",
                  "QIXIANG_PUBLIC_DATASETS": "surface-obs-hourly",
                  "QIXIANG_JOURNAL_SECONDS": str(load_seconds), "PYTHONPATH": str(ROOT),
                  "DJANGO_SETTINGS_MODULE": "qixiang.settings"}


def start_server(var: Path, port: int, load_seconds: float) -> subprocess.Popen:
    granian = Path(sys.executable).with_name("granian")
    process = subprocess.Popen(
        [str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--log-level", "warning", "qixiang.wsgi:application"],
        cwd=var, env=server_env(var, load_seconds), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_port(port, WAIT)
    return process


def rows(var: Path) -> tuple[list[str], int]:
    """(data ids in the access log, requests counted in daily usage) of the server's database."""
    with sqlite3.connect(var / "qixiang.sqlite3", timeout=30) as db:
        ids = [r[0] for r in db.execute("SELECT data_id FROM dataservice_accesslog")]
        used = db.execute("SELECT COALESCE(SUM(requests), 0) FROM dataservice_dailyusage")
        return ids, used.fetchone()[0]


@pytest.mark.slow
def test_a_killed_server_loses_no_access_row_and_each_loads_exactly_once(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=server_env(var, 1), check=True)
    port = free_port()
    server = start_server(var, port, load_seconds=3600)  # loads only at start: after the kill
    served = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(40):
                answer = client.get(URL)
                assert answer.status_code == 200
                served.append(answer.headers["X-Qixiang-Data-Id"])
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)
    assert rows(var) == ([], 0)  # every row was still in the journal
    assert len(list((var / "journal").glob("*.jsonl"))) == 1

    port = free_port()
    server = start_server(var, port, load_seconds=0.1)
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and len(rows(var)[0]) < len(served):
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    ids, requests = rows(var)
    assert sorted(ids) == sorted(served)  # every row, once
    assert requests == len(served)  # every quota charge, once
    assert not list((var / "journal").glob("*.jsonl"))  # loaded files are deleted


# --- in process ---------------------------------------------------------------------------------


def stamp_one(key: str) -> str:
    request = RequestFactory().get("/edr/x", HTTP_X_API_KEY=key)
    principal = access.authorize(request, "surface-obs-hourly", 2.0)
    body = b"x,y\n"
    return provenance.stamp(HttpResponse(body, content_type="text/csv"), body,
                            dataset="surface-obs-hourly", query="f=csv",
                            principal=principal).data_id


def dead_file(folder: Path, lines: list[bytes]) -> Path:
    """A journal file as a process that was killed left it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"elsewhere-1-{time.time_ns()}-abc123.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def own_lines(folder: Path) -> list[bytes]:
    (path,) = folder.glob("*.jsonl")
    return path.read_bytes().splitlines(keepends=True)


def test_a_dead_process_file_loads_once_and_is_deleted(journal_dir, data_user):
    user, key = data_user
    data_id = stamp_one(key)
    lines = own_lines(journal_dir)
    journal.journal._after_fork()  # this process "dies": its file is nobody's now
    path = dead_file(journal_dir, lines)
    for own in journal_dir.glob("*.jsonl"):
        if own != path:
            own.unlink()
    assert journal.load() == 2
    assert AccessLog.objects.get(data_id=data_id).user == user
    assert DailyUsage.objects.get(principal=f"user:{user.pk}").cost == 2.0
    assert not path.exists() and not JournalMark.objects.exists()
    assert journal.load() == 0


def test_a_file_held_by_a_live_process_is_left_to_it(journal_dir, data_user):
    _user, key = data_user
    stamp_one(key)
    path = dead_file(journal_dir, own_lines(journal_dir))
    holder = os.open(path, os.O_RDONLY)  # another open file: as another process holds it
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert journal.load() == 2  # our own lines only
        assert path.exists()
    finally:
        os.close(holder)
    assert journal.load() == 2  # released: recovered (the rows were already in: upserts)
    assert AccessLog.objects.count() == 1


def test_a_torn_tail_is_kept_with_the_reason_and_the_rest_loads(journal_dir, data_user):
    _user, key = data_user
    data_id = stamp_one(key)
    lines = own_lines(journal_dir)
    journal.journal._after_fork()
    for own in journal_dir.glob("*.jsonl"):
        own.unlink()
    path = dead_file(journal_dir, [*lines, b'{"kind":"access","data_id":"cut sh'])
    assert journal.load() == 3
    assert AccessLog.objects.filter(data_id=data_id).exists()
    (kept,) = (journal_dir / "rejected").glob("*.jsonl")
    record = orjson.loads(kept.read_bytes())
    assert record["file"] == path.name and record["offset"] == sum(map(len, lines))
    assert "torn" in record["reason"] and record["line"].startswith('{"kind":"access"')


def test_a_line_the_database_refuses_is_kept_and_the_others_load(journal_dir, data_user):
    _user, key = data_user
    good = stamp_one(key)
    journal.journal.append({"kind": "access", "data_id": "bad", "time": "2026-11-21T00:00:00+00:00",
                            "requester": "x", "api": "edr", "dataset": "d", "query": "",
                            "media_type": "text/csv", "cost": 1.0, "state": "complete"})
    other = stamp_one(key)
    journal.load()
    assert set(AccessLog.objects.values_list("data_id", flat=True)) == {good, other}
    (kept,) = (journal_dir / "rejected").glob("*.jsonl")
    assert "refused by the database" in orjson.loads(kept.read_bytes())["reason"]


def test_a_loader_that_lost_the_race_loads_nothing(journal_dir, data_user):
    _user, key = data_user
    stamp_one(key)
    (path,) = journal_dir.glob("*.jsonl")
    size = path.stat().st_size
    JournalMark.objects.create(name=path.name, loaded_bytes=size)  # another loader was first
    with pytest.raises(journal._Moved):
        journal._commit(path.name, 0, size, [], own=True)
    assert journal.load() == 0 and not AccessLog.objects.exists()


def test_the_journal_is_written_before_the_answer_and_no_row_is_inserted(journal_dir,
                                                                         data_user):
    _user, key = data_user
    stamp_one(key)  # the key's first use of the minute writes last_used_at
    with connection.execute_wrapper(lambda execute, sql, *args: (
            pytest.fail(f"a write on the answer's path: {sql}") if sql.lstrip().upper()
            .startswith(("INSERT", "UPDATE", "DELETE")) else execute(sql, *args))):
        data_id = stamp_one(key)
    assert data_id.encode() in b"".join(own_lines(journal_dir))
