"""Bus to database: how soon a published observation is queryable, and how many per second.

    .venv/bin/python bench/bus_ingest.py [--bus mqtt|inprocess] [--latency N] [--burst N]

Against a fresh SQLite database (WAL, under a temporary QIXIANG_VAR_DIR) and, for ``mqtt``, a
private Mosquitto started like the tests start it. ``--latency N``: N JSON messages published one
at a time on ``qixiang/obs/bench/<station>``, each timed from ``publish`` returning to its
Observation row being readable; prints p50 / p95 / max. ``--burst N``: N messages published at
once; prints messages/s until the last one is stored. ``--one-topic`` publishes everything on
one topic, so the ingest stores each queued run in one transaction. Target: under 1 s (the issue's statement).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def message(k: int) -> bytes:
    return json.dumps({"station": f"B{k % 500:04d}", "time": f"2026-01-{1 + k // 12000:02d}T"
                       f"{(k // 500) % 24:02d}:00:00Z",
                       "values": {"TEM": 10 + k % 37 * 0.1, "RHU": k % 100,
                                  "PRS": 1000 + k % 50 * 0.1}}).encode()


ONE_TOPIC = False


def topic(k: int) -> str:
    return "qixiang/obs/bench/gateway" if ONE_TOPIC else f"qixiang/obs/bench/B{k % 500:04d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bus", choices=("mqtt", "inprocess"), default="mqtt")
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--one-topic", action="store_true",
                        help="publish every message on one topic (a gateway): runs batch")
    args = parser.parse_args()
    global ONE_TOPIC
    ONE_TOPIC = args.one_topic

    os.environ["QIXIANG_VAR_DIR"] = tempfile.mkdtemp(prefix="qixiang-bench-bus-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from tests import services

    from qixiang.bus import make_bus
    from qixiang.ingest.channels.bus import subscribe_ingest
    from qixiang.ingest.models import RawMessage
    from qixiang.observations.models import Observation

    call_command("migrate", verbosity=0)
    broker = services.mosquitto_broker() if args.bus == "mqtt" else contextlib.nullcontext()
    with broker as port:
        if args.bus == "inprocess":
            ingest_bus = publisher = make_bus("inprocess")
        else:
            def client(name: str):
                return make_bus(f"mqtt://127.0.0.1:{port}?client_id={name}-{uuid.uuid4().hex[:6]}")

            ingest_bus, publisher = client("ingest"), client("publisher")
        subscribe_ingest(ingest_bus, "qixiang/obs/#")
        for bus in {ingest_bus, publisher}:
            bus.start()
            if hasattr(bus, "wait_connected"):
                assert bus.wait_connected(10), "broker not reachable"

        latencies = []
        for k in range(args.latency):
            t0 = time.perf_counter()
            publisher.publish(topic(k), message(k))
            sent = json.loads(message(k))
            while not Observation.objects.filter(station_id=sent["station"], element="TEM",
                                                 time=sent["time"]).exists():
                time.sleep(0.0005)
            latencies.append(time.perf_counter() - t0)
        if latencies:
            q = statistics.quantiles(latencies, n=20)
            print(f"{args.bus}: publish -> queryable over {len(latencies)} messages: "
                  f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {q[18] * 1000:.1f} ms, "
                  f"max {max(latencies) * 1000:.1f} ms")

        base = args.latency
        before = RawMessage.objects.count()
        t0 = time.perf_counter()
        for k in range(base, base + args.burst):
            publisher.publish(topic(k), message(k))
        last, last_change = 0, time.perf_counter()
        while (arrived := RawMessage.objects.count() - before) < args.burst:
            if arrived != last:
                last, last_change = arrived, time.perf_counter()
            elif time.perf_counter() - last_change > 10:  # nothing new for 10 s: lost
                break
            time.sleep(0.01)
        seconds = (time.perf_counter() if arrived >= args.burst else last_change) - t0
        print(f"{args.bus}: burst of {args.burst} messages: {arrived} stored in {seconds:.2f} s"
              f" = {arrived / seconds:.0f} messages/s"
              + ("" if arrived >= args.burst else
                 f"; {args.burst - arrived} never arrived (broker queue limit?)"))
        for bus in {ingest_bus, publisher}:
            bus.stop()


if __name__ == "__main__":
    main()
