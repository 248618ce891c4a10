"""Audit trail and registry import cost: entries appended/s, entries verified/s, rows imported/s.

    .venv/bin/python bench/supervision_audit.py [--entries N] [--rows N]

Runs on a fresh SQLite database under a temporary QIXIANG_VAR_DIR (migrated first). Appending
takes the chain head lock, hashes and inserts one row per entry, each in its own transaction (as
a page does); verify walks the whole chain; the import reads a CSV of key units, each row a
savepoint with its own audit entries.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from fresh_django import fresh_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    var = fresh_django()
    from qixiang.science.identifiers import org_code_check_char, uscc_check_char
    from qixiang.supervision import audit
    from qixiang.supervision.imports.service import import_file

    start = time.perf_counter()
    for n in range(args.entries):
        audit.record("bench.step", change={"n": n, "text": "隐患整改", "values": [1.5, 2.5]})
    append = time.perf_counter() - start
    start = time.perf_counter()
    verdict = audit.verify()
    check = time.perf_counter() - start
    assert verdict.ok
    path = Path(var) / "units.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["uscc", "name", "region_code", "category"])
        for n in range(args.rows):
            org = f"MA{n:06d}"
            body = "91330106" + org + org_code_check_char(org)
            writer.writerow([body + uscc_check_char(body), f"unit {n}", "330106", "other"])
    start = time.perf_counter()
    report = import_file("keyunits", path)
    load = time.perf_counter() - start
    print(f"audit append: {args.entries} entries in {append:.2f} s = "
          f"{args.entries / append:,.0f}/s")
    print(f"audit verify: {verdict.checked} entries in {check:.2f} s = "
          f"{verdict.checked / check:,.0f}/s")
    print(f"key-unit import: {report.created} rows in {load:.2f} s = "
          f"{report.created / load:,.0f} rows/s")


if __name__ == "__main__":
    main()
