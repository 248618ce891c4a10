"""The QC stage, its stored checks and reasons, and the quality report: PostgreSQL as SQLite.

The same registry and real files go through the real command line into a SQLite and a PostgreSQL
database; the exported values with their flags, checks and reasons, and the daily quality report
of each day the data cover, must be identical.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.ingest.test_postgres_backend import Backend

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FILES = ["synop/WX.00", "synop/A_SMRO01YRBK171200_C_EDZW_20230117120502_51362175.txt",
         "synop/A_SMRO01YRBK171800_C_EDZW_20230117180502_51662689.txt",
         "bufr/A_ISMD02LIIB201200_C_EDZW_20220320120604_11413047.bin"]


@pytest.fixture
def pg_url(postgres_url):
    name = f"qx_quality_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def run_all(backend: Backend, shared_data) -> dict:
    backend.run("migrate", "--verbosity", "0")
    backend.run("stations", "import",
                str(shared_data / "stations" / "synop2bufr-gts_data" / "station_list.csv"))
    for name in FILES:
        backend.run("ingest", str(shared_data / name))
    rows = backend.query("SELECT station_id, element, time, value, qc_flag, qc_checks, "
                         "qc_reason FROM observations_observation")
    days = sorted({(_utc(t) + timedelta(hours=8)).date() for _s, _e, t, *_ in rows})
    return {
        "values": sorted((s, e, _utc(t), v, f, c, r or "") for s, e, t, v, f, c, r in rows),
        "reports": {d: backend.run("quality", "report", "--date", d.isoformat()).stdout
                    for d in days},
    }


def _utc(value) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def test_postgres_flags_and_reports_exactly_as_sqlite(tmp_path, pg_url, shared_data):
    (tmp_path / "lite").mkdir()
    (tmp_path / "pg").mkdir()
    lite = run_all(Backend(tmp_path / "lite", None), shared_data)
    pg = run_all(Backend(tmp_path / "pg", pg_url), shared_data)
    assert lite["values"] == pg["values"]
    assert any(c for *_x, c, _r in lite["values"])  # some checks fired
    assert lite["reports"] == pg["reports"]
    assert len(lite["reports"]) >= 2
    for report in lite["reports"].values():
        assert report.startswith("date,level,id,name,province,expected,arrived,availability")
        network = report.splitlines()[1].split(",")
        assert network[1] == "network" and int(network[5]) > 0 and int(network[6]) > 0
