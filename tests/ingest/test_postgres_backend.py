"""The same ingest, re-ingest, correction and export on PostgreSQL as on SQLite.

Each step runs the real command line in a subprocess (``QIXIANG_DATABASE_URL`` set for
PostgreSQL, unset for SQLite), on real files from the shared data folder, and the two databases
must end up holding the same values, revisions and counts. The PostgreSQL run must have loaded
its batches with COPY.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

QIXIANG = str(Path(sys.executable).with_name("qixiang"))
ORIGINALS = [
    "synop/A_SMRO01YRBK171200_C_EDZW_20230117120502_51362175.txt",
    "synop/WX.00",
    "bufr/A_ISIN21DAMM210900_C_EDZW_20220321091203_12391691.bufr4",
    "bufr/WIGOS_multi-message.bufr4",
    "bufr/temp_101.bufr",
    "metar/collective.txt",
    "csv/WIGOS_0-454-2-AWSNAMITAMBO_2021-07-07.csv",
]
CORRECTION = "synop/A_SMRO01YRBK171200CCA_C_EDZW_20230117174401_51649529.txt"


@pytest.fixture
def pg_url(postgres_url):
    """A fresh database on the session's server, dropped afterwards."""
    name = f"qx_ingest_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


class Backend:
    """One database reached the way a deployer would: through the `qixiang` command line."""

    def __init__(self, var_dir: Path, database_url: str | None) -> None:
        self.var_dir = var_dir
        self.url = database_url
        self.env = {k: v for k, v in os.environ.items() if k != "QIXIANG_DATABASE_URL"}
        self.env.update(QIXIANG_VAR_DIR=str(var_dir), QIXIANG_LOG_LEVEL="DEBUG")
        if database_url:
            self.env["QIXIANG_DATABASE_URL"] = database_url

    def run(self, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run([QIXIANG, *args], env=self.env, cwd=self.var_dir,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def query(self, sql: str) -> list[tuple]:
        if self.url:
            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.var_dir / "qixiang.sqlite3") as conn:
            return conn.execute(sql).fetchall()

    def values(self) -> list[tuple]:
        """(station, element, UTC time, value, flag, archived payload sha256) of every value."""
        rows = self.query("""SELECT o.station_id, o.element, o.time, o.value, o.qc_flag, r.sha256
                             FROM observations_observation o
                             JOIN ingest_rawmessage r ON r.id = o.message_id""")
        return sorted((s, e, _utc(t), v, f, h) for s, e, t, v, f, h in rows)

    def revisions(self) -> list[tuple]:
        rows = self.query("""SELECT v.station_id, v.element, v.time, v.value, old.sha256,
                                    new.sha256
                             FROM observations_revision v
                             JOIN ingest_rawmessage old ON old.id = v.message_id
                             JOIN ingest_rawmessage new ON new.id = v.replaced_by_id""")
        return sorted((s, e, _utc(t), v, a, b) for s, e, t, v, a, b in rows)

    def archive(self) -> list[tuple]:
        return sorted(self.query("SELECT sha256, status, reason, position FROM ingest_rawmessage"))

    def counts(self) -> tuple:
        return self.query("""SELECT sum(received), sum(stored), sum(duplicates), sum(rejected),
                                    sum(undecoded), sum("values") FROM ingest_stagecount""")[0]


def _utc(value) -> datetime:
    if isinstance(value, str):  # SQLite keeps Django's text form of the UTC time
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _scenario(backend: Backend, data: Path, tmp: Path) -> dict:
    """migrate, ingest, re-ingest, correct, export; returns what each step showed."""
    backend.run("migrate", "-v0")
    files = [str(data / name) for name in ORIGINALS]
    sensor = tmp / "sensor.json"
    sensor.write_text(json.dumps([
        {"station": "54511", "time": "2026-11-21T06:00:00Z", "values": {"TEM": 12.3, "RHU": 45}},
        {"station": "54511", "time": "2026-11-21T07:00:00Z", "values": {"TEM": 285.0},
         "units": {"TEM": "K"}},
        {"station": "54511", "time": "bad"},
    ]))
    first = backend.run("ingest", *files, str(sensor))
    after_first = (backend.values(), backend.archive())
    again = backend.run("ingest", *files, str(sensor))
    assert (backend.values(), backend.archive()) == after_first, "a re-send changed something"
    correction = backend.run("ingest", str(data / CORRECTION))
    export = backend.run("export", "--station", "15108,54511", "--element",
                         "TEM,RHU,Snow_Depth,PRS", "--start", "2000-01-01T00:00:00Z",
                         "--end", "2030-01-01T00:00:00Z")
    return {"first": first.stdout, "again": again.stdout, "correction": correction.stdout,
            "export": export.stdout, "values": backend.values(),
            "revisions": backend.revisions(), "archive": backend.archive(),
            "counts": backend.counts(), "log": first.stderr + again.stderr}


def test_postgres_stores_exactly_what_sqlite_stores(pg_url, shared_data, tmp_path):
    (tmp_path / "pg").mkdir()
    (tmp_path / "lite").mkdir()
    pg = _scenario(Backend(tmp_path / "pg", pg_url), shared_data, tmp_path)
    lite = _scenario(Backend(tmp_path / "lite", None), shared_data, tmp_path)

    assert "by COPY" in pg["log"] and "by executemany" not in pg["log"]
    assert "by executemany" in lite["log"]
    for step in ("first", "again", "correction", "export", "values", "revisions", "archive",
                 "counts"):
        assert pg[step] == lite[step], f"PostgreSQL and SQLite differ after {step!r}"

    received, stored, duplicates, rejected, undecoded, values = pg["counts"]
    assert received == stored + duplicates + rejected + undecoded
    assert duplicates >= stored  # the whole re-send, plus the duplicates inside the files
    assert rejected >= 1 and undecoded >= 1 and values > 0
    # The correction replaced the snow depth of 15108 and kept the old value as a revision.
    assert [(r[1], r[3]) for r in pg["revisions"] if r[0] == "15108"] == [("Snow_Depth", 13.0)]
    assert "15108,2023-01-17T12:00:00Z,Snow_Depth,14.0,cm,0,," in pg["export"]
    assert "54511,2026-11-21T07:00:00Z,TEM,11.85" in pg["export"]


def test_two_processes_ingesting_the_same_file_store_each_message_once(pg_url, tmp_path):
    backend = Backend(tmp_path, pg_url)
    backend.env["QIXIANG_LOG_LEVEL"] = "WARNING"
    backend.run("migrate", "-v0")
    data = tmp_path / "many.json"
    data.write_text(json.dumps([
        {"station": f"{50000 + k % 500}", "time": f"2026-01-{1 + k // 12000:02d}T"
         f"{(k // 500) % 24:02d}:00:00Z", "values": {"TEM": k % 30, "PRS": 1000 + k % 9}}
        for k in range(12_000)]))
    cmd = [QIXIANG, "ingest", str(data)]
    racers = [subprocess.Popen(cmd, env=backend.env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=600) for r in racers]
    assert [r.returncode for r in racers] == [0, 0], [err[-2000:] for _, err in outputs]
    assert backend.query("SELECT count(*), count(DISTINCT sha256) FROM ingest_rawmessage") == [
        (12_000, 12_000)]
    assert backend.query("SELECT count(*) FROM observations_observation") == [(24_000,)]
    assert backend.query("SELECT count(*) FROM observations_revision") == [(0,)]
    received, stored, duplicates, rejected, undecoded, _ = backend.counts()
    assert (received, stored, duplicates, rejected + undecoded) == (24_000, 12_000, 12_000, 0)
