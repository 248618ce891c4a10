"""BUFR decoding alone: values per second over the shared BUFR files, decoded N times.

    .venv/bin/python bench/bufr_decode.py [--passes 300] [--cold] [--data ../shared/data/bufr]

Every file of the folder (surface SYNOP/ship/buoy, upper-air, satellite, broken messages) is
decoded ``--passes`` times in this one process; prints values (non-missing, as stored), reports,
messages, CPU and wall seconds, values/s per core and the files that cost most. ``--cold``
empties the layout caches before every pass, as if each bulletin had a shape never seen
before (the worst case; a real feed repeats its templates). Target: the ingest benchmark asks
10,000 values/s decoded and stored on 2 cores, so decoding alone must stay well above
5,000 values/s per core.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from qixiang.science.codecs import bufr, bufrsurface

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=300)
    parser.add_argument("--cold", action="store_true", help="empty the layout caches each pass")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "bufr")
    args = parser.parse_args()
    files = [(path.name, path.read_bytes()) for path in sorted(args.data.iterdir())]
    values = reports = messages = 0
    per_file: dict[str, float] = defaultdict(float)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(args.passes):
        if args.cold:
            for cache in (bufrsurface._SHARED, bufrsurface._SUBSETS, bufrsurface._CODES):
                cache.clear()
        for name, data in files:
            started = time.process_time()
            for message in bufr.decode(data, name):
                messages += 1
                reports += len(message.reports)
                values += message.value_count
            per_file[name] += time.process_time() - started
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{len(files)} files x {args.passes} passes ({'cold' if args.cold else 'warm'} caches): "
          f"{messages} messages, {reports} reports, {values} values")
    print(f"CPU {cpu:.2f} s, wall {wall:.2f} s: {values / cpu:,.0f} values/s per core, "
          f"{messages / cpu:,.0f} messages/s, {reports / cpu:,.0f} reports/s")
    for name, seconds in sorted(per_file.items(), key=lambda item: -item[1])[:5]:
        print(f"  {seconds / args.passes * 1000:7.2f} ms/pass  {name}")


if __name__ == "__main__":
    main()
