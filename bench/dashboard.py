"""Dashboard and page queries on a big archive: are the figures cheap enough to poll?

    .venv/bin/python bench/dashboard.py [--stations 2411] [--hours 72] [--database-url URL]

Fills a fresh database (SQLite under a temporary QIXIANG_VAR_DIR unless --database-url names a
PostgreSQL) with a network reporting every 10 minutes for ``--hours`` hours: one raw message per
station and round (3 % rejected with a reason naming the input and position), three values per
stored message and per-minute stage counts for three channels. Then times, median of 5 runs:
the dashboard snapshot (what /monitoring/panel/ and /api/monitoring/summary compute), the
Prometheus exposition, the station map's newest values and one station's 7-day series.
Target: each well under a second (the dashboard polls every 5 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta


def setup_django(database_url: str | None, var_dir: str) -> None:
    os.environ["QIXIANG_VAR_DIR"] = var_dir
    if database_url:
        os.environ["QIXIANG_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "qixiang.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fill(stations: int, hours: int) -> tuple[int, int]:
    from django.db import connection, transaction

    from qixiang.stations.models import Station

    Station.objects.bulk_create(
        [Station(cma_id=f"{50000 + k}", name=f"S{k}", division_code=f"{11 + k % 30}0100",
                 latitude=20 + (k % 300) / 10, longitude=80 + (k // 300) * 5)
         for k in range(stations)], batch_size=2000)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    adapt = connection.ops.adapt_datetimefield_value  # raw SQL: store times as Django does
    rounds = hours * 6
    messages = values = 0
    raw_sql = ("INSERT INTO ingest_rawmessage (sha256, payload, codec, channel, origin, position,"
               " header, correction, status, reason, report_count, value_count, received_at,"
               " stored_at) VALUES (%s, %s, 'json', %s, %s, 1, '', %s, %s, %s, 1, 3, %s, %s)")
    obs_sql = ("INSERT INTO observations_observation (station_id, element, time, value, qc_flag,"
               " message_id, received_at) VALUES (%s, %s, %s, %s, 9, %s, %s)")
    for r in range(rounds):
        at = now - timedelta(minutes=10 * r)
        raw_rows, obs_rows = [], []
        for k in range(stations):
            messages += 1
            rejected = messages % 33 == 0
            received = at + timedelta(seconds=k % 60)
            raw_rows.append((
                f"{messages:064x}", b"{}", ("http", "mqtt", "file")[k % 3],
                f"obs/{50000 + k}", False, "rejected" if rejected else "decoded",
                f"obs/{50000 + k}: object {k}, field 'time': '{at:%Y-%m-%dT%H}' is not an "
                "RFC 3339 date-time" if rejected else "",
                adapt(received), adapt(received + timedelta(milliseconds=50 + k % 400))))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(raw_sql, raw_rows)
            cursor.execute("SELECT id, origin, received_at FROM ingest_rawmessage WHERE "
                           "received_at >= %s AND received_at < %s AND status = 'decoded'",
                           [adapt(at), adapt(at + timedelta(minutes=10))])
            for pk, origin, received in cursor.fetchall():
                station = origin.split("/")[1]
                for element, value in (("TEM", 12.5), ("RHU", 60.0), ("PRS", 1010.0)):
                    obs_rows.append((station, element, adapt(at), value, pk, received))
            cursor.executemany(obs_sql, obs_rows)
            values += len(obs_rows)
    counts = []
    for m in range(hours * 60):
        minute = now - timedelta(minutes=m)
        for channel in ("http", "mqtt", "file"):
            counts.append((adapt(minute), "ingest", channel, 120, 116, 1, 3, 0, 348))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO ingest_stagecount (minute, stage, channel, received, stored, duplicates,"
            ' rejected, undecoded, "values") VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)', counts)
    return messages, values


def timed(label: str, run) -> None:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        run()
        runs.append(time.perf_counter() - start)
    print(f"{label:<44} median {1000 * statistics.median(runs):8.1f} ms"
          f"   (min {1000 * min(runs):.1f}, max {1000 * max(runs):.1f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2411)
    parser.add_argument("--hours", type=int, default=72)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    var_dir = tempfile.mkdtemp(prefix="qixiang-bench-dashboard-")
    try:
        setup_django(args.database_url, var_dir)
        return run(args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    messages, values = fill(args.stations, args.hours)
    print(f"filled {messages:,} raw messages, {values:,} observations in "
          f"{time.perf_counter() - started:.0f} s")

    from django.core.cache import cache
    from django.db.models import QuerySet

    from qixiang.monitoring import prometheus, summary
    from qixiang.observations.series import station_series
    from qixiang.stations.latest import latest_values
    from qixiang.stations.models import Station

    timed("dashboard snapshot (panel / summary API)", summary.collect)
    timed("Prometheus exposition (cache cold)", lambda: (cache.clear(), prometheus.exposition()))
    timed("Prometheus exposition (closed days cached)", prometheus.exposition)
    stations: QuerySet = Station.objects.all()
    since = datetime.now(UTC) - timedelta(hours=1)
    timed(f"station map newest TEM ({args.stations} stations)",
          lambda: latest_values(stations, "TEM", since))
    end = datetime.now(UTC)
    timed("one station, 3 elements, 7 days", lambda: station_series(
        "50000", ["TEM", "RHU", "PRS"], end - timedelta(days=7), end))
    return 0


if __name__ == "__main__":
    sys.exit(main())
