"""Quality control on a synthetic network: qixiang's checks side by side with titanlib's.

    .venv/bin/python bench/qc.py [--sizes 10000,70000] [--seed 1] [--skip-titanlib-sct]

For each size, builds a network over about 2000 x 2000 km (25-43 N, 100-122 E) on a smooth
synthetic terrain of 0-1900 m, with temperature = a latitude gradient + a 3 K wave + a diurnal
cycle - 6.5 K/km x elevation + N(0, 0.5 K) noise, hourly for the last 24 h. Then plants, each
on distinct stations: 1 % gross errors of +-2-10 K; 0.5 % stuck sensors (value frozen for the
last 8 h); 0.5 % position errors (longitude sign flipped, latitude and longitude swapped, or two
stations' positions swapped) with the registry holding the true positions.

Prints, per error type, the hit rate (planted errors flagged 1 or 2) and the false-alarm rate
(clean values flagged) of: all of qixiang's TEM checks (``qc.run_batch``), its buddy check and
its SCT alone, and titanlib's ``buddy_check`` (same parameters as ours) and ``sct`` (titanlib's
usual parameters: pos = neg = 4, eps2 = 0.5); the wall time of each and the speed ratio; and
whether our buddy check's flags equal titanlib's on identical inputs. Targets: buddy + SCT on
70,000 stations within 1 s; hit rate >= 0.95 with false alarms <= 0.001.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import UTC, datetime

import numpy as np

from qixiang.science import qc
from qixiang.science.qc.buddy import buddy_check

WHEN = datetime(2026, 7, 15, 6, tzinfo=UTC)  # 14:00 Beijing time, near the daily maximum
HOURS = np.arange(1.0, 25.0)  # history rows, hours before WHEN
KM_PER_DEGREE = 111.2
TITANLIB_SCT = {"num_min": 5, "num_max": 100, "inner_radius": 30000.0, "outer_radius": 150000.0,
                "num_iterations": 5, "num_min_prof": 20, "min_elev_diff": 200.0,
                "min_horizontal_scale": 10000.0, "vertical_scale": 200.0, "pos": 4.0, "neg": 4.0,
                "eps2": 0.5}


def terrain(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """A smooth 0-1900 m surface of random hills and ranges (fixed, whatever the network)."""
    rng = np.random.default_rng(2026)
    x, y = (lon - 111.0) * KM_PER_DEGREE * np.cos(np.radians(34.0)), (lat - 34.0) * KM_PER_DEGREE
    height = np.zeros_like(lat)
    for _ in range(60):
        cx, cy = rng.uniform(-1100, 1100, 2)
        sx, sy = rng.uniform(30, 250, 2)
        height += rng.uniform(200, 1200) * np.exp(-0.5 * (((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2))
    return np.clip(height - 150.0, 0.0, 1900.0)


def temperature(lat: np.ndarray, lon: np.ndarray, elevation: np.ndarray, hours_before: float,
                rng: np.random.Generator) -> np.ndarray:
    x, y = (lon - 111.0) * KM_PER_DEGREE * np.cos(np.radians(34.0)), (lat - 34.0) * KM_PER_DEGREE
    local_hour = (WHEN.hour + 8 - hours_before) % 24
    return (28.0 - 0.6 * (lat - 25.0) + 3.0 * np.sin(2 * np.pi * x / 700.0) * np.cos(
        2 * np.pi * y / 900.0) + 4.0 * np.cos(2 * np.pi * (local_hour - 15.0) / 24.0)
        - 0.0065 * elevation + rng.normal(0.0, 0.5, lat.shape))


def network(n: int, seed: int) -> dict:
    """Stations, true values, history, planted errors and what the reports say."""
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(25.0, 43.0, n), rng.uniform(100.0, 122.0, n)
    elevation = terrain(lat, lon)
    history = np.array([temperature(lat, lon, elevation, h, rng) for h in HOURS])
    values = temperature(lat, lon, elevation, 0.0, rng)
    kinds = np.zeros(n, dtype="<U8")
    kinds[:] = "clean"
    order = rng.permutation(n)
    gross, stuck = order[: n // 100], order[n // 100: n // 100 + n // 200]
    moved = order[n // 100 + n // 200: n // 100 + n // 100]
    kinds[gross], kinds[stuck], kinds[moved] = "gross", "stuck", "position"
    values[gross] += rng.choice([-1.0, 1.0], len(gross)) * rng.uniform(2.0, 10.0, len(gross))
    frozen = history[HOURS == 8.0][0, stuck]
    rows = np.flatnonzero(HOURS <= 8.0)
    history[np.ix_(rows, stuck)] = frozen
    values[stuck] = frozen
    rep_lat, rep_lon, rep_elev = lat.copy(), lon.copy(), elevation.copy()
    thirds = np.array_split(moved, 3)
    rep_lon[thirds[0]] = -lon[thirds[0]]
    rep_lat[thirds[1]], rep_lon[thirds[1]] = lon[thirds[1]], lat[thirds[1]]
    half = len(thirds[2]) // 2
    a, b = thirds[2][:half], thirds[2][half: 2 * half]
    for first, second in ((a, b), (b, a)):
        rep_lat[first], rep_lon[first], rep_elev[first] = lat[second], lon[second], elevation[second]
    ids = np.array([f"Z{i:05d}" for i in range(n)])
    return {"ids": ids, "lat": lat, "lon": lon, "elevation": elevation, "values": values,
            "history": history, "kinds": kinds, "rep_lat": rep_lat, "rep_lon": rep_lon,
            "rep_elev": rep_elev}


def batch(net: dict) -> qc.Batch:
    return qc.Batch("TEM", net["values"], net["ids"], net["rep_lat"], net["rep_lon"],
                    net["rep_elev"], time=WHEN, history=net["history"], history_hours=HOURS,
                    registered_lat=net["lat"], registered_lon=net["lon"],
                    registered_elevation=net["elevation"])


def best_time(run, repeat: int):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return out, best


@contextlib.contextmanager
def quiet_stdout():
    """titanlib's sct prints progress from C++; keep the table readable."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def measure(n: int, seed: int, skip_titanlib_sct: bool) -> None:
    import titanlib

    net = network(n, seed)
    kinds = net["kinds"]
    config = qc.config.default()
    buddy_params = config.params("TEM", "buddy")
    sct_params = config.params("TEM", "sct")
    columns: dict[str, tuple[np.ndarray, float]] = {}

    result, t_all = best_time(lambda: qc.run_batch(batch(net)), 5)
    columns["ours, all checks"] = (np.isin(result.flags, (1, 2)), t_all)
    _, t_spatial = best_time(lambda: qc.run_batch(batch(net), checks=["buddy", "sct"]), 5)
    _, t_tree = best_time(lambda: batch(net).geometry.tree(~np.isnan(net["values"])), 3)
    verdict, t_buddy = best_time(lambda: qc.get_check("buddy").check(batch(net), buddy_params), 3)
    columns["ours buddy"] = (verdict.flags == 1, t_buddy)
    verdict, t_sct = best_time(lambda: qc.get_check("sct").check(batch(net), sct_params), 3)
    columns["ours sct"] = (verdict.flags == 1, t_sct)

    points = titanlib.Points(net["rep_lat"], net["rep_lon"], net["rep_elev"])
    p = buddy_params
    flags, t_tbuddy = best_time(lambda: np.array(titanlib.buddy_check(
        points, net["values"], [p["radius"]], [p["num_min"]], p["threshold"], p["max_elev_diff"],
        p["elev_gradient"], p["min_std"], p["num_iterations"])), 1)
    columns["titanlib buddy"] = (flags == 1, t_tbuddy)
    ours_same_input = buddy_check(net["rep_lat"], net["rep_lon"], net["rep_elev"], net["values"],
                                  p["radius"], p["num_min"], p["threshold"], p["max_elev_diff"],
                                  p["elev_gradient"], p["min_std"], p["num_iterations"]).flags
    differ = int(np.sum(ours_same_input != flags))
    if not skip_titanlib_sct:
        s = TITANLIB_SCT
        full = np.full(n, 1.0)
        with quiet_stdout():
            flags, t_tsct = best_time(lambda: np.array(titanlib.sct(
                points, net["values"], s["num_min"], s["num_max"], s["inner_radius"],
                s["outer_radius"], s["num_iterations"], s["num_min_prof"], s["min_elev_diff"],
                s["min_horizontal_scale"], s["vertical_scale"], full * s["pos"], full * s["neg"],
                full * s["eps2"])[0]), 1)
        columns["titanlib sct"] = (flags == 1, t_tsct)

    print(f"\n== {n:,} stations: {np.sum(kinds == 'gross')} gross errors, "
          f"{np.sum(kinds == 'stuck')} stuck sensors, {np.sum(kinds == 'position')} position "
          f"errors, {np.sum(kinds == 'clean')} clean ==")
    names = list(columns)
    print(f"{'':24}" + "".join(f"{name:>18}" for name in names))
    for kind in ("gross", "stuck", "position"):
        rates = [np.mean(flagged[kinds == kind]) for flagged, _ in columns.values()]
        print(f"{kind + ' hit rate':24}" + "".join(f"{r:>18.3f}" for r in rates))
    rates = [np.mean(flagged[kinds == "clean"]) for flagged, _ in columns.values()]
    print(f"{'false alarms (clean)':24}" + "".join(f"{r:>18.4f}" for r in rates))
    print(f"{'wall time (s)':24}" + "".join(f"{t:>18.3f}" for _, t in columns.values()))
    print(f"buddy + sct through run_batch (one shared tree, {t_tree:.3f} s to build): "
          f"{t_spatial:.3f} s; speed ratio titanlib/ours: buddy "
          f"{t_tbuddy / t_buddy:.1f}x" + ("" if skip_titanlib_sct else
                                          f", sct {columns['titanlib sct'][1] / t_sct:.1f}x"))
    print(f"buddy flags identical to titanlib.buddy_check on the same inputs and parameters: "
          f"{'yes' if differ == 0 else 'NO'} ({differ} of {n:,} differ)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,70000", help="comma-separated station counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-titanlib-sct", action="store_true",
                        help="titanlib's sct takes minutes on 70,000 stations")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, load average before start: {load} (other work on the "
          "machine inflates every wall time below)")
    for n in (int(s) for s in args.sizes.split(",")):
        measure(n, args.seed, args.skip_titanlib_sct)


if __name__ == "__main__":
    main()
