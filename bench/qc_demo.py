"""How much of the demo network's planted faults the QC stage catches, through the real ingest.

    .venv/bin/python bench/qc_demo.py [--minutes 180] [--start 2026-11-20T00:00:00Z]
    .venv/bin/python bench/qc_demo.py --score-only [--manifest var/demo/faults.jsonl]

    .venv/bin/python bench/qc_demo.py --score-only --var-dir DIR --minutes N --start T

The first form simulates the demo network (science/simulate: about 2,000 stations, every
minute, 1 % planted faults) for ``--minutes`` from ``--start``, ingests each minute through
``ingest_payloads`` exactly as the bus subscriber does (one JSON message per station) into a fresh
SQLite database with the demo stations registered, then scores the stored flags against the fault
manifest (``--var-dir`` keeps that database; the third form scores it again). The second form scores the database of a running ``qixiang run`` (its QIXIANG_VAR_DIR)
against the faults it wrote to ``var/demo/faults.jsonl``.

Scores per fault kind: values the fault touched (spike: its minutes; stuck and units: the element
over the window; swapped coordinates: every value of the station over the window) that QC flagged
1 or 2, with the share of faults flagged at least once (swapped coordinates whose latitude is
beyond 90 never reach QC: the decoder refuses the message, counted apart as dead letters); for stuck sensors also the share after the
first hour (the persistence window of a minute station). False alarms: flagged values among the
values no fault touched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

MINUTE = timedelta(minutes=1)


def setup(var_dir: str | None) -> None:
    if var_dir:
        os.environ["QIXIANG_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def simulate(start: datetime, minutes: int) -> tuple[list[dict], float, int]:
    from qixiang.ingest.channels.demo import register_stations
    from qixiang.ingest.pipeline import ingest_payloads
    from qixiang.science.simulate.messages import Simulator, encode

    simulator = Simulator()
    register_stations(simulator.network)
    values = 0
    began = time.perf_counter()
    for k in range(minutes):
        when = start + k * MINUTE
        payloads = [(f"qixiang/obs/demo/{m['station']}", encode(m))
                    for m in simulator.messages(when)]
        result = ingest_payloads(payloads, channel="demo", received_at=when + timedelta(seconds=5))
        values += result.values
        if k % 30 == 29:
            print(f"  {k + 1} minutes, {values} values, "
                  f"{values / (time.perf_counter() - began):,.0f} values/s", file=sys.stderr)
    faults = [f.to_dict() for f in simulator.faults.manifest(start, start + minutes * MINUTE)]
    return faults, time.perf_counter() - began, values


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def score(faults: list[dict], start: datetime, end: datetime) -> dict:
    """Hit and false-alarm rates of the stored flags against ``faults`` within [start, end)."""
    from qixiang.ingest.models import RawMessage
    from qixiang.observations.models import Observation
    from qixiang.science import qc

    position = qc.bit("position")
    touched: set[tuple[str, str, datetime]] = set()
    kinds: dict[str, dict] = defaultdict(lambda: {"faults": 0, "caught": 0, "values": 0,
                                                   "flagged": 0, "late": 0, "late_flagged": 0})
    reports: set[tuple[str, datetime]] = set()  # (station, time) of every touched value
    for fault in faults:
        kind, station, element = fault["kind"], fault["station"], fault["element"]
        f_start, f_end = max(_t(fault["start"]), start), min(_t(fault["end"]), end)
        if f_start >= f_end:
            continue
        rows = Observation.objects.filter(station_id=station, time__gte=f_start, time__lt=f_end)
        if kind == "spike":
            spikes = [_t(s) for s in fault["spike_times"] if f_start <= _t(s) < f_end]
            rows = rows.filter(element=element, time__in=spikes)
        elif element:
            rows = rows.filter(element=element)
        found = list(rows.values_list("element", "time", "qc_flag", "qc_checks"))
        if kind == "swapped_coordinates":  # a latitude beyond 90 is refused by the decoder
            dead = RawMessage.objects.filter(
                origin=f"qixiang/obs/demo/{station}", status="rejected",
                received_at__gte=f_start, received_at__lt=f_end + MINUTE).count()
            kinds["swapped: rejected messages"]["faults"] += dead > 0
            kinds["swapped: rejected messages"]["caught"] += dead > 0
            kinds["swapped: rejected messages"]["values"] += dead
            kinds["swapped: rejected messages"]["flagged"] += dead
        if not found:
            continue
        k = kinds[kind if kind != "stuck" else f"stuck {element}"]
        k["faults"] += 1
        hits = 0
        for code, moment, flag, checks in found:
            touched.add((station, code, moment))
            reports.add((station, moment))
            hit = flag in (1, 2) and (kind != "swapped_coordinates" or (checks or 0) & position)
            hits += hit
            if kind == "stuck" and moment >= _t(fault["start"]) + timedelta(hours=1):
                k["late"] += 1
                k["late_flagged"] += hit
        k["values"] += len(found)
        k["flagged"] += hits
        k["caught"] += hits > 0
    clean = flagged = collateral = 0
    by_check: dict[str, int] = defaultdict(int)
    rows = Observation.objects.filter(time__gte=start, time__lt=end, value__isnull=False)
    for station, code, moment, flag, checks in rows.values_list(
            "station_id", "element", "time", "qc_flag", "qc_checks").iterator(chunk_size=20000):
        if (station, code, moment) in touched:
            continue
        if (station, moment) in reports:  # another element of a faulty report
            collateral += flag in (1, 2)
            continue
        clean += 1
        if flag in (1, 2):
            flagged += 1
            for name in qc.names():
                if (checks or 0) & qc.bit(name):
                    by_check[f"{code}/{name}"] += 1
    return {"kinds": dict(kinds), "clean": clean, "false_alarms": flagged,
            "false_by_check": dict(by_check), "collateral": collateral}


def report(result: dict) -> None:
    print(f"{'fault kind':22} {'faults':>6} {'caught':>7} {'values':>8} {'flagged':>8} {'hit rate':>8}")
    for kind, k in sorted(result["kinds"].items()):
        rate = k["flagged"] / k["values"] if k["values"] else float("nan")
        print(f"{kind:22} {k['faults']:6d} {k['caught']:7d} {k['values']:8d} {k['flagged']:8d} "
              f"{rate:8.3f}")
        if kind.startswith("stuck") and k["late"]:
            print(f"{'  stuck after 1 h':22} {'':6} {'':7} {k['late']:8d} {k['late_flagged']:8d} "
                  f"{k['late_flagged'] / k['late']:8.3f}")
    total = sum(k["values"] for k in result["kinds"].values())
    hit = sum(k["flagged"] for k in result["kinds"].values())
    print(f"{'all planted':22} {'':6} {'':7} {total:8d} {hit:8d} {hit / max(total, 1):8.3f}")
    clean = result["clean"]
    print(f"other elements of faulty reports flagged (consistency): {result['collateral']}")
    print(f"false alarms: {result['false_alarms']} of {clean} clean values "
          f"({result['false_alarms'] / max(clean, 1):.5f})")
    worst = sorted(result["false_by_check"].items(), key=lambda kv: -kv[1])[:8]
    if worst:
        print("  by element/check: " + ", ".join(f"{k} {v}" for k, v in worst))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=180)
    parser.add_argument("--start", default="2026-11-20T00:00:00Z")
    parser.add_argument("--score-only", action="store_true")
    parser.add_argument("--manifest", default="")
    parser.add_argument("--var-dir", default="", help="keep the database here (default: a "
                        "temporary folder); with --score-only, score the database there")
    args = parser.parse_args()
    if args.score_only and args.var_dir and not args.manifest:
        setup(args.var_dir)
        from qixiang.science.simulate.messages import Simulator

        start = _t(args.start)
        end = start + args.minutes * MINUTE
        report(score([f.to_dict() for f in Simulator().faults.manifest(start, end)], start, end))
        return
    if args.score_only:
        setup(args.var_dir or None)
        from django.conf import settings

        path = Path(args.manifest or Path(settings.VAR_DIR) / "demo" / "faults.jsonl")
        faults = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        from qixiang.observations.models import Observation

        span = Observation.objects.filter(station_id__in={f["station"] for f in faults})
        first, last = span.earliest("time").time, span.latest("time").time
        report(score(faults, first, last + MINUTE))
        return
    start = _t(args.start)
    with tempfile.TemporaryDirectory(prefix="qixiang-qc-demo-") as temporary:
        setup(args.var_dir or temporary)
        faults, seconds, values = simulate(start, args.minutes)
        print(f"{args.minutes} minutes of the demo network: {values:,} values ingested with QC in "
              f"{seconds:.0f} s ({values / seconds:,.0f} values/s)")
        report(score(faults, start, start + args.minutes * MINUTE))


if __name__ == "__main__":
    main()
