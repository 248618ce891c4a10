"""The data service under load, side by side with pygeoapi serving the same data.

    .venv/bin/python bench/dataservice.py [--stations 2000] [--days 30] [--duration 10]
                                          [--connections 100,1000] [--idle 10000]
                                          [--server uvicorn|granian] [--workers 2]
                                          [--skip-pygeoapi]

1. Loads ``stations`` x ``days`` of hourly values (TEM, RHU, PRS, PRE_1h) into a SQLite database
   under ``var/bench-dataservice/`` (kept between runs with the same sizes) and the same rows
   into a SpatiaLite file for pygeoapi (its SQLite provider; one row per station and hour).
2. Starts our server (``qixiang.asgi`` under uvicorn or granian, ``--workers`` processes) and
   pygeoapi 0.24 (gunicorn, same number of workers) from its own virtualenv
   ``var/bench-pygeoapi-venv`` (made with Debian's python3, whose sqlite3 loads extensions;
   ``pip install pygeoapi==0.24.0 gunicorn==23.0.0``; Debian package
   libsqlite3-mod-spatialite).
3. Drives both with ``wrk`` (Debian package) when installed, else with a bounded asyncio
   client, on loopback only: requests/s, p50 and p99 for

   * a station time series: 30 days of 4 parameters at one station (ours: EDR
     ``locations/{id}``; pygeoapi: ``items?station_id=..``), each request a different station
     drawn from 200 (so answers are cached after their first request, as a hot service sees);
   * a bbox "latest values" query: the newest hour of every station in a 10° x 10° box
     (ours: EDR ``cube``; pygeoapi: ``items?bbox=..&datetime=<newest hour>``);

   at each ``--connections`` count, then holds ``--idle`` idle connections open against our
   server and checks each still answers. Prints each figure and the ratio to pygeoapi.

Everything listens on 127.0.0.1; every loop is bounded in requests and time. Our server gets
the settings it needs from :data:`SERVER_ENV` whatever the caller's environment says.

Measured 2026-11-21 with ``.venv/bin/python bench/dataservice.py --duration 10`` (2 granian
workers x 1 thread, 2 gunicorn workers, wrk, all on one 2-core machine shared with other jobs at
load 3.6-4.0); requests/s (p50 / p99 ms), server CPU per answer:

=============  =====  ==========================  ========================  =====
query          conns  qixiang                     pygeoapi                  ratio
=============  =====  ==========================  ========================  =====
station series   100  3,014 (20 / 479), 369 us    72.4 (1,270 / 1,940)      41.6x
station series 1,000  3,928 (210 / 966), 269 us   65.7 (5,630 / 9,810)      59.7x
bbox latest      100  2,141 (32 / 515), 301 us    69.0 (1,350 / 1,670)      31.0x
bbox latest    1,000  2,583 (352 / 805), 292 us   51.3 (6,180 / 9,860)      50.3x
=============  =====  ==========================  ========================  =====

10,000 idle connections held and answered; 119,854 access-log rows for 118,495 answers counted.
``--server uvicorn --skip-pygeoapi --idle 0 --connections 100``: series 263/s, latest 372/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench-dataservice"
PYGEOAPI_VENV = ROOT / "var" / "bench-pygeoapi-venv"
ELEMENTS = ("TEM", "RHU", "PRS", "PRE_1h")
END = datetime(2026, 11, 1, tzinfo=UTC)  # the newest hour stored
HOT_STATIONS = 200
BOX = (110.0, 30.0, 120.0, 40.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# --- data ---------------------------------------------------------------------------------------


def network(n: int, seed: int = 7) -> list[tuple[str, float, float, float]]:
    """``n`` stations spread over China: (id, lon, lat, elevation)."""
    rng = np.random.default_rng(seed)
    lon = np.round(rng.uniform(75.0, 134.0, n), 4)
    lat = np.round(rng.uniform(18.0, 53.0, n), 4)
    elev = np.round(rng.uniform(0.0, 3000.0, n), 1)
    return [(f"{50000 + k}", float(lon[k]), float(lat[k]), float(elev[k])) for k in range(n)]


def series(k: int, hours: int, lat: float) -> dict[str, np.ndarray]:
    """Plausible hourly values of station ``k``: a diurnal cycle and some noise."""
    rng = np.random.default_rng(k)
    h = np.arange(hours)
    tem = 25 - 0.5 * (lat - 18) + 5 * np.sin(2 * np.pi * (h % 24 - 9) / 24) + rng.normal(0, 1, hours)
    rhu = np.clip(60 - 15 * np.sin(2 * np.pi * (h % 24 - 9) / 24) + rng.normal(0, 5, hours), 5, 100)
    prs = 1010 + 5 * np.sin(2 * np.pi * h / 120) + rng.normal(0, 0.5, hours)
    pre = np.where(rng.random(hours) < 0.05, np.round(rng.exponential(2.0, hours), 1), 0.0)
    return {"TEM": np.round(tem, 1), "RHU": np.round(rhu), "PRS": np.round(prs, 1),
            "PRE_1h": pre}


def load(stations: int, days: int) -> Path:
    """The benchmark database (built once per size), with Django set up on it."""
    WORK.mkdir(parents=True, exist_ok=True)
    marker = WORK / "loaded.json"
    want = {"stations": stations, "days": days, "elements": list(ELEMENTS), "end": END.isoformat()}
    os.environ["QIXIANG_VAR_DIR"] = str(WORK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    os.environ["QIXIANG_PUBLIC_DATASETS"] = "surface-obs-hourly,surface-obs-minute"
    import django

    django.setup()
    from django.core.management import call_command

    if marker.exists() and json.loads(marker.read_text()) == want:
        call_command("migrate", verbosity=0)  # a database kept from an older schema
        open_public_tier()
        return WORK / "qixiang.sqlite3"
    for name in ("qixiang.sqlite3", "qixiang.sqlite3-wal", "qixiang.sqlite3-shm", "obs.sqlite"):
        (WORK / name).unlink(missing_ok=True)
    from django.db import connection

    connection.close()
    call_command("migrate", verbosity=0)
    from qixiang.ingest.models import RawMessage
    from qixiang.stations.models import Station

    t = time.perf_counter()
    sites = network(stations)
    Station.objects.bulk_create(
        [Station(cma_id=s, name=f"站{s}", latitude=lat, longitude=lon, elevation=el,
                 division_code=f"{11 + k % 30:02d}0100")
         for k, (s, lon, lat, el) in enumerate(sites)], batch_size=1000)
    message = RawMessage.objects.create(
        sha256="0" * 64, channel="demo", origin="bench", codec="json", payload=b"{}",
        received_at=END, status="decoded")
    hours = days * 24
    start = END - timedelta(hours=hours - 1)
    times = [str((start + timedelta(hours=h)).replace(tzinfo=None)) for h in range(hours)]
    received = str(END.replace(tzinfo=None))
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for k, (sid, _lon, lat, _el) in enumerate(sites):
            values = series(k, hours, lat)
            rows = [(sid, code, times[h], float(values[code][h]), 0, message.pk, received)
                    for code in ELEMENTS for h in range(hours)]
            cursor.executemany(
                'INSERT INTO observations_observation (station_id, element, "time", value, '
                "qc_flag, message_id, received_at) VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
    open_public_tier()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {stations} stations x {hours} h x {len(ELEMENTS)} elements into SQLite "
          f"in {time.perf_counter() - t:.0f} s")
    write_spatialite(sites, hours, start)
    marker.write_text(json.dumps(want))
    return WORK / "qixiang.sqlite3"


def open_public_tier() -> None:
    """Anonymous callers unlimited: the load generator is one client asking thousands of times a
    second (every answer is still charged, signed and logged)."""
    from qixiang.dataservice.models import Tier

    Tier.objects.filter(code="public").update(daily_quota=None, rate_per_minute=None)


def write_spatialite(sites, hours: int, start: datetime) -> None:
    """The same rows for pygeoapi's SQLite provider: table ``obs``, one row per station and
    hour, a POINT geometry with its spatial index, indexes on station_id and datetime. Written by
    Debian's python3 (this interpreter's sqlite3 cannot load extensions)."""
    script = r"""
import json, sqlite3, sys
path, rows_file = sys.argv[1], sys.argv[2]
db = sqlite3.connect(path)
db.enable_load_extension(True)
db.load_extension("mod_spatialite")
db.execute("SELECT InitSpatialMetadata(1)")
db.execute("CREATE TABLE obs (fid INTEGER PRIMARY KEY, station_id TEXT, obs_time TEXT, "
           "TEM REAL, RHU REAL, PRS REAL, PRE_1h REAL)")
db.execute("SELECT AddGeometryColumn('obs', 'geom', 4326, 'POINT', 'XY')")
with open(rows_file) as f:
    batch = []
    for line in f:
        sid, when, lon, lat, tem, rhu, prs, pre = line.rstrip("\n").split(",")
        batch.append((sid, when, float(tem), float(rhu), float(prs), float(pre),
                      f"POINT({lon} {lat})"))
        if len(batch) == 50000:
            db.executemany("INSERT INTO obs (station_id, obs_time, TEM, RHU, PRS, PRE_1h, geom) "
                           "VALUES (?, ?, ?, ?, ?, ?, GeomFromText(?, 4326))", batch)
            batch = []
    db.executemany("INSERT INTO obs (station_id, obs_time, TEM, RHU, PRS, PRE_1h, geom) "
                   "VALUES (?, ?, ?, ?, ?, ?, GeomFromText(?, 4326))", batch)
db.execute("SELECT CreateSpatialIndex('obs', 'geom')")
db.execute("CREATE INDEX obs_station ON obs (station_id)")
db.execute("CREATE INDEX obs_time ON obs (obs_time)")
db.commit()
db.execute("ANALYZE")
db.close()
"""
    t = time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        for k, (sid, lon, lat, _el) in enumerate(sites):
            values = series(k, hours, lat)
            for h in range(hours):
                when = (start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
                f.write(f"{sid},{when},{lon},{lat},{values['TEM'][h]},{values['RHU'][h]},"
                        f"{values['PRS'][h]},{values['PRE_1h'][h]}\n")
        rows_file = f.name
    try:
        subprocess.run(["/usr/bin/python3", "-c", script, str(WORK / "obs.sqlite"), rows_file],
                       check=True)
    finally:
        os.unlink(rows_file)
    print(f"wrote the SpatiaLite copy for pygeoapi in {time.perf_counter() - t:.0f} s")


# --- servers ------------------------------------------------------------------------------------


SERVER_ENV = {  # what our server needs here, whatever the caller's environment says
    "QIXIANG_VAR_DIR": str(WORK), "QIXIANG_LOG_LEVEL": "WARNING",
    "QIXIANG_PUBLIC_DATASETS": "surface-obs-hourly,surface-obs-minute",
    "QIXIANG_JOURNAL_DIR": str(WORK / "journal"), "QIXIANG_JOURNAL_SECONDS": "0.5",
    "DJANGO_SETTINGS_MODULE": "qixiang.settings",
}


def start_ours(server: str, workers: int, port: int, threads: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIXIANG_")} | SERVER_ENV
    bindir = Path(sys.executable).parent
    if server == "granian":
        cmd = [str(bindir / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--blocking-threads",
               str(threads), "--backlog", "4096", "--log-level", "warning",
               "qixiang.wsgi:application"]
    else:
        cmd = [str(bindir / "uvicorn"), "qixiang.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log",
               "--backlog", "4096", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=open(WORK / f"{server}.log", "w"),  # noqa: SIM115
                            start_new_session=True)
    wait_for(port)
    return proc


PYGEOAPI_CONFIG = """
server:
  bind: {{host: 127.0.0.1, port: {port}}}
  url: http://127.0.0.1:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  language: en-US
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: 'http://127.0.0.1/{{z}}/{{x}}/{{y}}.png', attribution: none}}
  cors: false
  pretty_print: false
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
                   terms_of_service: none, url: 'http://127.0.0.1'}}
  license: {{name: CC-BY 4.0, url: 'https://creativecommons.org/licenses/by/4.0/'}}
  provider: {{name: bench, url: 'http://127.0.0.1'}}
  contact: {{name: bench, position: none, address: none, city: none, stateorprovince: none,
            postalcode: none, country: none, phone: none, fax: none, email: none,
            url: 'http://127.0.0.1', hours: none, instructions: none, role: pointOfContact}}
resources:
  obs:
    type: collection
    title: obs
    description: hourly station observations
    keywords: [obs]
    extents:
      spatial: {{bbox: [75, 18, 134, 53], crs: 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'}}
    providers:
      - type: feature
        name: SQLiteGPKG
        data: {data}
        id_field: fid
        table: obs
"""


def start_pygeoapi(workers: int, port: int) -> subprocess.Popen | None:
    python = PYGEOAPI_VENV / "bin" / "python"
    if not python.exists():
        print(f"pygeoapi: no virtualenv at {PYGEOAPI_VENV}; make it with Debian's python3 -m "
              "venv and pip install pygeoapi==0.21.0 gunicorn==23.0.0 (see the docstring)")
        return None
    config = WORK / "pygeoapi.yml"
    openapi = WORK / "pygeoapi-openapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(port=port, data=WORK / "obs.sqlite"))
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    with openapi.open("w") as out:
        subprocess.run([str(PYGEOAPI_VENV / "bin" / "pygeoapi"), "openapi", "generate",
                        str(config)], env=env, stdout=out, check=True)
    cmd = [str(PYGEOAPI_VENV / "bin" / "gunicorn"), "-w", str(workers), "-b",
           f"127.0.0.1:{port}", "--backlog", "4096", "--log-level", "warning",
           "pygeoapi.flask_app:APP"]
    proc = subprocess.Popen(cmd, env=env, cwd=WORK, stdout=subprocess.DEVNULL,
                            stderr=open(WORK / "pygeoapi.log", "w"),  # noqa: SIM115
                            start_new_session=True)
    wait_for(port)
    return proc


def access_rows() -> int:
    """Rows in our server's access log."""
    import sqlite3

    with sqlite3.connect(WORK / "qixiang.sqlite3", timeout=60) as db:
        return db.execute("SELECT COUNT(*) FROM dataservice_accesslog").fetchone()[0]


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU time used so far by every process of ``proc``'s session (a server and
    its workers), from /proc."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == proc.pid:  # process group: start_new_session made it the pid
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


# --- load ---------------------------------------------------------------------------------------


def hot_ids(stations: int) -> list[str]:
    step = max(1, stations // HOT_STATIONS)
    return [f"{50000 + k}" for k in range(0, stations, step)][:HOT_STATIONS]


def paths(kind: str, stations: int, hours: int) -> dict[str, list[str]]:
    """The request paths of ``kind`` ('series' or 'latest') for each server."""
    start = (END - timedelta(hours=hours - 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = END.strftime("%Y-%m-%dT%H:%M:%SZ")
    edr = "/edr/collections/surface-obs-hourly"
    names = ",".join(ELEMENTS)
    box = ",".join(str(v) for v in BOX)
    if kind == "series":
        return {
            "qixiang": [f"{edr}/locations/{s}?datetime={start}/{end}&parameter-name={names}"
                        for s in hot_ids(stations)],
            "pygeoapi": [f"/collections/obs/items?station_id={s}&limit=1000&f=json"
                         for s in hot_ids(stations)],
        }
    return {"qixiang": [f"{edr}/cube?bbox={box}&parameter-name={names}"],
            "pygeoapi": [f"/collections/obs/items?bbox={box}&obs_time={end}&limit=10000&f=json"]}


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def run_wrk(port: int, urls: list[str], connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT % ",".join(json.dumps(u) for u in urls))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
             "--latency", "-s", script, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=duration + 60).stdout
    finally:
        os.unlink(script)
    result = {"rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": 0, "answered": 0}
    in_dist = False
    for line in out.splitlines():
        words = line.split()
        if "requests in" in line:
            result["answered"] = int(words[0])
        elif line.startswith("Requests/sec:"):
            result["rps"] = float(words[1])
        elif "Latency Distribution" in line:
            in_dist = True
        elif in_dist and words and words[0] in ("50%", "99%"):
            result["p50_ms" if words[0] == "50%" else "p99_ms"] = _ms(words[1])
        elif line.strip().startswith("Non-2xx"):
            result["errors"] += int(words[-1])
            result["answered"] -= int(words[-1])
        elif line.strip().startswith("Socket errors"):
            result["errors"] += sum(int(w.strip(",")) for w in words[3::2])
    return result


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


async def _client(port: int, urls: list[str], deadline: float, latencies: list[float],
                  errors: list[int], offset: int) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        errors[0] += 1
        return
    k = offset
    try:
        while time.monotonic() < deadline:
            url = urls[k % len(urls)]
            k += 1
            t = time.perf_counter()
            writer.write(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        errors[0] += 1
    finally:
        writer.close()


def run_python_client(port: int, urls: list[str], connections: int, duration: int) -> dict:
    """A bounded asyncio load generator, for machines without wrk (slower than wrk: it needs
    CPU of its own, so figures are lower bounds)."""
    latencies: list[float] = []
    errors = [0]

    async def main() -> float:
        deadline = time.monotonic() + duration
        start = time.perf_counter()
        await asyncio.gather(*(_client(port, urls, deadline, latencies, errors, k)
                               for k in range(connections)))
        return time.perf_counter() - start

    elapsed = asyncio.run(main())
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 2 else [float("nan")] * 99
    return {"rps": len(latencies) / elapsed, "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000,
            "errors": errors[0], "answered": len(latencies) - errors[0]}


def hold_idle(port: int, count: int, seconds: float) -> tuple[int, int]:
    """Open ``count`` connections, keep them idle ``seconds``, then ask one request on each;
    returns (connections opened, requests answered 200)."""
    async def main() -> tuple[int, int]:
        opened: list = []
        for k in range(0, count, 500):
            batch = await asyncio.gather(
                *(asyncio.open_connection("127.0.0.1", port) for _ in range(min(500, count - k))),
                return_exceptions=True)
            opened += [b for b in batch if not isinstance(b, BaseException)]
        await asyncio.sleep(seconds)

        async def ask(pair) -> bool:
            reader, writer = pair
            try:
                writer.write(b"GET /edr/conformance HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                return head.startswith(b"HTTP/1.1 200")
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                return False
            finally:
                writer.close()

        answered = 0
        for k in range(0, len(opened), 1000):
            answered += sum(await asyncio.gather(*(ask(p) for p in opened[k:k + 1000])))
        return len(opened), answered

    return asyncio.run(main())


def raise_file_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", default="100,1000")
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="granian blocking threads per worker (Python threads)")
    parser.add_argument("--skip-pygeoapi", action="store_true")
    args = parser.parse_args()
    raise_file_limit(args.idle + 2048)
    load(args.stations, args.days)
    use_wrk = shutil.which("wrk") is not None
    runner = run_wrk if use_wrk else run_python_client
    print(f"load generator: {'wrk' if use_wrk else 'python asyncio client'}; our server: "
          f"{args.server} x{args.workers} (x{args.threads} threads); pygeoapi: gunicorn "
          f"x{args.workers}; {os.cpu_count()} cores, load average "
          f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}; {args.duration} s per figure")
    ours_port, theirs_port = free_port(), free_port()
    logged_before = access_rows()
    ours = start_ours(args.server, args.workers, ours_port, args.threads)
    theirs = None if args.skip_pygeoapi else start_pygeoapi(args.workers, theirs_port)
    hours = args.days * 24
    results: dict = {}
    served = 0  # data answers wrk saw (and the warm-up's), each of which must be logged
    try:
        for kind in ("series", "latest"):
            urls = paths(kind, args.stations, hours)
            for name, port, proc in (("qixiang", ours_port, ours),
                                     ("pygeoapi", theirs_port, theirs)):
                if proc is None:
                    continue
                for url in urls[name]:  # warm: first answers fill the cache
                    subprocess.run(["curl", "-s", "-o", "/dev/null", "-m", "120",
                                    f"http://127.0.0.1:{port}{url}"], check=False)
                for conns in (int(c) for c in args.connections.split(",")):
                    used = cpu_seconds(proc)
                    r = runner(port, urls[name], conns, args.duration)
                    answers = max(1.0, r["rps"] * args.duration)
                    r["cpu_us"] = (cpu_seconds(proc) - used) / answers * 1e6
                    results[(kind, name, conns)] = r
                    if name == "qixiang":
                        served += r.get("answered", 0) + len(urls[name])
                    print(f"{kind:7} {name:9} {conns:5} connections: {r['rps']:9.1f} req/s  "
                          f"p50 {r['p50_ms'] or 0:8.1f} ms  p99 {r['p99_ms'] or 0:8.1f} ms  "
                          f"errors {r['errors']}  server CPU {r['cpu_us']:7.0f} us/answer "
                          f"(~{1e6 / max(r['cpu_us'], 1):6.0f}/s per core)", flush=True)
        for kind in ("series", "latest"):
            for conns in (int(c) for c in args.connections.split(",")):
                a, b = results.get((kind, "qixiang", conns)), results.get((kind, "pygeoapi", conns))
                if a and b and b["rps"]:
                    print(f"ratio {kind:7} at {conns:5} connections: "
                          f"{a['rps'] / b['rps']:7.1f}x pygeoapi")
        if args.idle:
            opened, answered = hold_idle(ours_port, args.idle, 10.0)
            print(f"idle: {opened} of {args.idle} connections held 10 s; {answered} answered "
                  "a request afterwards")
    finally:
        stop(ours)  # a clean stop: each worker loads the rest of its journal
        stop(theirs)
    print(f"access log: {access_rows() - logged_before} rows added for {served} data answers "
          "counted by the load generator (answers in flight at each run's end add a few)")


if __name__ == "__main__":
    main()
