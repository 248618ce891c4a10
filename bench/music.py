"""What access control, provenance and the MUSIC façade cost per request, in process.

    .venv/bin/python bench/music.py [--stations 2000] [--days 7] [--repeat 200]

Builds a fresh SQLite database under a temporary QIXIANG_VAR_DIR with ``stations`` x ``days`` of
hourly TEM, RHU and PRS (rows written straight into the observations table: this measures
reading, not ingest), then times, single-threaded:

* ``access.authorize`` for an API key of an approved data user (key hash lookup, grant, rate
  token, quota charge);
* ``provenance.stamp`` of a 10 KB body (sha256, Ed25519 JWS, its access-log journal line), and
  the JWS signature alone;
* MUSIC requests end to end through Django (signature check, nonce row, plan, read, rows,
  JSON, stamp): one station over the whole period, and every station at one hour;
* ``--processes`` processes x ``--threads`` threads authorizing and stamping at once (each a
  journal line: no database write on the answer's path): answers/s over all of them; then the
  journal loader moving what those processes left into the database (access-log rows and
  quota charges, as a restarted server recovers a killed worker's file): rows/s, and a check
  that every answer has its row.

Prints the median and p99 of each in milliseconds and the requests/s one thread reaches.
The load test against pygeoapi is bench/dataservice.py.

Measured 2026-11-21 with ``.venv/bin/python bench/music.py`` (2-core machine shared with other
jobs): authorize 0.02 ms, stamp 0.07 ms (was 0.28 ms with an access-log insert per answer), JWS
alone 0.03 ms; MUSIC one station x 7 days 4.95 ms, 2,000 stations x 1 hour 23.4 ms; 2 processes
x 4 threads 6,662 answers/s (was 657/s writing each row, 1,772/s in 0.2 s batches); their 20,220
rows loaded from the journal at 18,358 rows/s, one per answer.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def timed(fn, repeat: int) -> tuple[float, float]:
    """(median, p99) of ``fn()`` in milliseconds, after one warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def load(stations: int, days: int) -> None:
    from django.db import connection, transaction

    from qixiang.stations.models import Station

    Station.objects.bulk_create([
        Station(cma_id=f"{50000 + k}", name=f"S{k}", latitude=20 + (k % 100) * 0.2,
                longitude=100 + (k // 100) * 1.0, division_code=f"{11 + k % 30:02d}0101",
                elevation=100.0) for k in range(stations)])
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    with transaction.atomic(), connection.cursor() as cursor:
        for hour in range(days * 24):
            when = (T0 + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")
            cursor.executemany(
                "INSERT INTO observations_observation (station_id, time, element, value, "
                "qc_flag, message_id, received_at) VALUES (%s, %s, %s, %s, 0, 0, %s)",
                [(f"{50000 + k}", when, element, 10.0 + (k + hour) % 20, now)
                 for k in range(stations) for element in ("TEM", "RHU", "PRS")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qixiang-bench-music-"))
    os.environ["QIXIANG_VAR_DIR"] = str(work)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.test import Client, RequestFactory

    from qixiang.accounts.apikeys import create_api_key
    from qixiang.accounts.models import Role, User
    from qixiang.dataservice import access, provenance
    from qixiang.dataservice.models import AccessGrant, Tier
    from qixiang.dataservice.music import signing
    from qixiang.dataservice.music.credentials import create_credential

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load(args.stations, args.days)
    print(f"loaded {args.stations} stations x {args.days * 24} h x 3 elements in "
          f"{time.perf_counter() - started:.1f} s")
    Tier.objects.update(daily_quota=None, rate_per_minute=None)
    user = User.objects.create_user("bench", password="x", role=Role.DATA_USER)
    AccessGrant.objects.create(user=user, status="approved", datasets="*",
                               tier=Tier.objects.get(code="standard"))
    _row, key = create_api_key(user)
    credential, secret = create_credential(user)
    request = RequestFactory().get("/edr/x", HTTP_X_API_KEY=key)
    principal = access.authorize(request, "surface-obs-hourly", 1)
    body = os.urandom(10_000)

    def authorize():
        access.authorize(RequestFactory().get("/edr/x", HTTP_X_API_KEY=key),
                         "surface-obs-hourly", 1)

    def stamp():
        provenance.stamp(HttpResponse(body), body, dataset="surface-obs-hourly",
                         query={"f": "csv"}, principal=principal)

    claims = {"data_id": "x" * 32, "sha256": "0" * 64, "size": 1, "dataset": "d"}
    report = [("authorize (API key)", timed(authorize, args.repeat)),
              ("provenance.stamp, 10 KB", timed(stamp, args.repeat)),
              ("Ed25519 JWS alone", timed(lambda: provenance.sign(claims), args.repeat))]
    client = Client(HTTP_HOST="localhost")
    end = T0 + timedelta(days=args.days) - timedelta(hours=1)
    cases = {
        "MUSIC 1 station x whole period (3 elements)": {
            "interfaceId": "getSurfEleByTimeRangeAndStaID", "staIds": "50007",
            "timeRange": f"[{T0:%Y%m%d%H%M%S},{end:%Y%m%d%H%M%S}]"},
        f"MUSIC {args.stations} stations x 1 hour (3 elements)": {
            "interfaceId": "getSurfEleByTime", "times": f"{end:%Y%m%d%H%M%S}"},
    }
    for name, extra in cases.items():
        params = {"dataCode": "SURF_CHN_MUL_HOR", "elements": "Station_Id_C,Datetime,TEM,RHU,PRS",
                  **extra}
        rows = []

        def one(params=params, rows=rows):
            answer = client.get("/music-ws/api",
                                signing.signed_params(params, credential.user_id, secret))
            assert answer.status_code == 200, answer.content[:300]
            rows.append(answer.json()["rowCount"])

        report.append((f"{name}, {len(rows) or '?'} rows", timed(one, max(20, args.repeat // 10))))
        report[-1] = (f"{name}: {rows[-1]} rows", report[-1][1])
    for name, (median, p99) in report:
        print(f"{name:55s} median {median:8.2f} ms  p99 {p99:8.2f} ms  "
              f"~{1000 / median:8.0f} req/s per thread")
    from qixiang.dataservice import journal
    from qixiang.dataservice.models import AccessLog

    journal.load()  # what the timings above journaled
    before = AccessLog.objects.count()
    answers, rate = concurrent_stamps(key, body, args.processes, args.threads)
    print(f"authorize + stamp, {args.processes} processes x {args.threads} threads: "
          f"{rate:8.0f} answers/s")
    started = time.perf_counter()
    lines = journal.load()
    took = time.perf_counter() - started
    added = AccessLog.objects.count() - before
    print(f"journal loaded {lines} lines ({added} access-log rows for {answers} answers) in "
          f"{took:.2f} s: {added / took:8.0f} rows/s")


def concurrent_stamps(key: str, body: bytes, processes: int, threads: int,
                      seconds: float = 3.0) -> tuple[int, float]:
    """(answers, answers per second) over ``processes`` x ``threads`` authorizing an API key
    and stamping for ``seconds``; their journal files are left for the caller to load."""
    import multiprocessing
    import threading

    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory

    from qixiang.dataservice import access, journal, provenance

    def worker(queue) -> None:
        counts = [0] * threads
        deadline = time.perf_counter() + seconds

        def loop(k: int) -> None:
            while time.perf_counter() < deadline:
                request = RequestFactory().get("/edr/x", HTTP_X_API_KEY=key)
                principal = access.authorize(request, "surface-obs-hourly", 1)
                provenance.stamp(HttpResponse(body), body, dataset="surface-obs-hourly",
                                 query={"f": "csv"}, principal=principal)
                counts[k] += 1
            connection.close()

        pool = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        journal.release()
        queue.put(sum(counts))

    connection.close()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.perf_counter()
    children = [context.Process(target=worker, args=(queue,)) for _ in range(processes)]
    for child in children:
        child.start()
    total = sum(queue.get() for _ in children)
    for child in children:
        child.join()
    return total, total / (time.perf_counter() - started)

if __name__ == "__main__":
    main()
