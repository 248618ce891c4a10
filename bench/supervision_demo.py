"""Supervision demo seeding: seconds to generate and store the city, and to pull it back.

    .venv/bin/python bench/supervision_demo.py [--key-units N]

Runs on a fresh SQLite database under a temporary QIXIANG_VAR_DIR (migrated first): the pure
generation alone, then the whole ``supervision.demo.seed`` (bulk inserts, audit trail, partner
exchange, data quality rules, demo users), then a partner pulling every site page by page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from fresh_django import fresh_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-units", type=int, default=300)
    args = parser.parse_args()
    fresh_django()
    from qixiang.science.simulate import supervision as simulate
    from qixiang.supervision import demo
    from qixiang.supervision import models as m
    from qixiang.supervision.exchange import service

    today = dt.date.today()
    start = time.perf_counter()
    city = simulate.generate(today, key_units=args.key_units)
    generated = time.perf_counter() - start
    rows = sum(city.counts().values())
    done = demo.seed(today, key_units=args.key_units)
    partner = m.Partner.objects.get(kind="fire")
    start, cursor, pulled = time.perf_counter(), 0, 0
    while True:
        page = service.pull(partner, "sites", cursor, 500)
        pulled += len(page["records"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    pull = time.perf_counter() - start
    print(f"generate: {generated:.2f} s for {rows} records")
    print(f"seed (generate + store + trail + exchange + quality + users): {done.seconds:.2f} s")
    print(f"pull: {pulled} sites in {pull:.2f} s ({pulled / pull:.0f} records/s)")


if __name__ == "__main__":
    main()
