"""Supervision pages and sweep cost on a city-sized registry: ms per page, s per sweep.

    .venv/bin/python bench/supervision_pages.py [--units N] [--hazards N]

Runs on a fresh SQLite database under a temporary QIXIANG_VAR_DIR (migrated first): N key units
with one site each in one city, hazards spread over the last two years in every state, deadlines
around today, one regulator, one unit user and one agency user. Times the deadline sweep (first
pass marks and notifies, second pass should do nothing) and each page as its user (best of 5,
through Django's test client, so without the network).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from fresh_django import fresh_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--hazards", type=int, default=3000)
    args = parser.parse_args()
    fresh_django()
    from django.test import Client
    from django.utils import timezone

    from qixiang.accounts.models import Role, User
    from qixiang.science.identifiers import org_code_check_char, uscc_check_char
    from qixiang.supervision import models as m
    from qixiang.supervision.sweep import sweep

    rng = random.Random(7)
    today = timezone.localdate()
    start = time.perf_counter()
    sites = []
    for n in range(args.units):
        org = f"MA{n:06d}"
        body = f"9133010{n % 9 + 1}" + org + org_code_check_char(org)
        code = body + uscc_check_char(body)
        subject = m.Subject.objects.create(subject_code="U" + code, uscc=code, name=f"unit {n}",
                                           region_code=f"33010{n % 9 + 1}")
        unit = m.KeyUnit.objects.create(subject=subject, category="other")
        sites.append(m.Site.objects.create(key_unit=unit, name=f"site {n}", lightning_class=3,
                                           next_due=today + dt.timedelta(days=rng.randint(-60, 300))))
    states = [s for s in m.HazardStatus.values if s not in ("verified",)]
    for n in range(args.hazards):
        found = timezone.now() - dt.timedelta(days=rng.randint(0, 730))
        status = rng.choice(states)
        m.Hazard.objects.create(
            hazard_no=f"YH{n:08d}", site=rng.choice(sites), source="self_check", item="bench",
            found_at=found, status=status,
            deadline=today + dt.timedelta(days=rng.randint(-20, 20)),
            closed_at=found + dt.timedelta(days=20) if status == "closed" else None)
    seeded = time.perf_counter() - start
    regulator = User.objects.create_user("bench-reg", role=Role.REGULATOR, region_code="330100")
    unit_user = User.objects.create_user("bench-unit")
    m.Membership.objects.create(user=unit_user, key_unit=sites[0].key_unit)

    start = time.perf_counter()
    first = sweep(today)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = sweep(today)
    second_s = time.perf_counter() - start
    print(f"seeded {args.units} key units, {args.hazards} hazards in {seeded:.1f} s")
    print(f"sweep, first pass: {first_s:.2f} s ({first})")
    print(f"sweep, second pass: {second_s:.2f} s ({second})")

    pages = [(regulator, "/supervision/"), (regulator, "/supervision/hazards/"),
             (regulator, "/supervision/hazards/?overdue=1"), (regulator, "/supervision/tasks/"),
             (regulator, "/supervision/reports/?uploaded=no"), (unit_user, "/supervision/"),
             (regulator, "/supervision/notifications/")]
    for user, url in pages:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{user.username:10} {url:40} {best * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
