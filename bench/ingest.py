"""Ingest throughput end to end: file bytes -> decoded -> archived -> values stored, committed.

    .venv/bin/python bench/ingest.py [--messages N] [--database-url URL]

Generates JSON and CSV files of N distinct messages (8 values each) and re-encodes real BUFR
SYNOP messages from ../shared/data with distinct times (one file, and a folder of 10-message
bulletins decoded in worker processes as ``qixiang ingest FOLDER`` does), ingests each into a
fresh database (SQLite under a temporary QIXIANG_VAR_DIR unless --database-url names a
PostgreSQL) and prints messages/s and values/s, wall clock, with the CPU time of this process.
Targets: >= 50,000 values/s for JSON and CSV on SQLite, >= 10,000 for BUFR on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ELEMENTS = ("TEM", "RHU", "PRS", "PRE_1h", "WIN_S_Avg_2mi", "WIN_D_Avg_2mi", "VIS", "DPT")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rows(n: int):
    """(station, time, values) for n distinct station-hours."""
    stations = 2000
    for k in range(n):
        station = f"{50000 + k % stations}"
        when = T0 + timedelta(hours=k // stations)
        values = [round(10 + (k % 37) * 0.1, 1), float(k % 100), 1000 + (k % 50) * 0.1,
                  (k % 7) * 0.1, (k % 13) * 0.5, float(k % 360), 10000.0, -5 + (k % 11) * 0.1]
        yield station, when, values


def write_json(path: Path, n: int) -> None:
    objects = [{"station": s, "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "values": dict(zip(ELEMENTS, v, strict=True))} for s, t, v in rows(n)]
    path.write_text(json.dumps(objects))


def write_csv(path: Path, n: int) -> None:
    with path.open("w") as f:
        f.write("station_id,time," + ",".join(ELEMENTS) + "\n")
        for s, t, v in rows(n):
            f.write(f"{s},{t:%Y-%m-%dT%H:%M:%SZ}," + ",".join(map(str, v)) + "\n")


def write_bufr(path: Path, n: int, per_file: int = 0, t0: datetime = T0) -> int:
    """Real single-subset SYNOP BUFR messages re-encoded with distinct observation times.

    ``per_file`` > 0 makes ``path`` a folder of files of that many messages (GTS-like bulletins).
    """
    import eccodes

    sources = [SHARED / "bufr" / "syno_4.bufr", SHARED / "bufr" / "WIGOS_multi-message.bufr4",
               *(SHARED / "bufr" / f"{s}.bin" for s in ("15015", "15090", "15420"))]
    templates = []
    for source in sources:
        with source.open("rb") as f:
            while (h := eccodes.codes_bufr_new_from_file(f)) is not None:
                templates.append(eccodes.codes_get_message(h))
                eccodes.codes_release(h)
    encoded = []
    while len(encoded) < n:
        when = t0 + timedelta(hours=len(encoded) // len(templates))
        for message in templates[: n - len(encoded)]:
            h = eccodes.codes_new_from_message(message)
            eccodes.codes_set(h, "unpack", 1)
            for key in ("year", "month", "day", "hour"):
                eccodes.codes_set(h, key, getattr(when, key))
            eccodes.codes_set(h, "pack", 1)
            encoded.append(eccodes.codes_get_message(h))
            eccodes.codes_release(h)
    if per_file <= 0:
        path.write_bytes(b"".join(encoded))
    else:
        path.mkdir()
        for k in range(0, n, per_file):
            (path / f"bulletin{k // per_file:05d}.bufr").write_bytes(b"".join(encoded[k:k + per_file]))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--bufr-messages", type=int, default=3000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", choices=("json", "csv", "bufr", "bufr-folder"))
    parser.add_argument("--workers", type=int, default=None,
                        help="decoding processes for the folder case (default: CPU count, max 4)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="qixiang-bench-"))
    os.environ["QIXIANG_VAR_DIR"] = str(work)
    if args.database_url:
        os.environ["QIXIANG_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qixiang.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from qixiang.ingest.pipeline import IngestResult, ingest_files, ingest_path

    call_command("migrate", verbosity=0)
    inputs = {"json": (write_json, "obs.json"), "csv": (write_csv, "obs.csv"),
              "bufr": (write_bufr, "obs.bufr"),
              "bufr-folder": (lambda path, n: write_bufr(path, n, per_file=10,
                                                         t0=T0.replace(year=2016)), "bulletins")}
    for name, (writer, filename) in inputs.items():
        if args.only and name != args.only:
            continue
        path = work / filename
        n = args.bufr_messages if name.startswith("bufr") else args.messages
        if SHARED.is_dir() or not name.startswith("bufr"):
            writer(path, n)
        else:
            print(f"{name}: skipped, {SHARED} is absent", file=sys.stderr)
            continue
        started, cpu = time.perf_counter(), time.process_time()
        if path.is_dir():  # as `qixiang ingest FOLDER` does it
            result = IngestResult(origin=str(path))
            for one in ingest_files(sorted(path.iterdir()), codec="bufr", workers=args.workers):
                result.add(one)
        else:
            result = ingest_path(path, codec=name)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{name:11s} {result.messages:7d} messages {result.values:8d} values "
              f"{seconds:6.2f} s  {result.messages / seconds:9.0f} messages/s "
              f"{result.values / seconds:9.0f} values/s (cpu {cpu:.2f} s; stored {result.stored}, "
              f"rejected {result.rejected}, undecoded {result.undecoded})")


if __name__ == "__main__":
    main()
