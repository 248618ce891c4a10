"""Default pass/fail limits of measured items, by GB 50057 class where the standard varies.

These are [Prop] defaults (spec §9, open question 2: limit values of GB/T 21431-2023 are to be
confirmed against the purchased standard). A measurement keeps the limit it was judged against,
so an inspector may type the limit the design or the site's own rules require, and changing
this table later never changes a recorded verdict. Sources of the values, as commonly quoted:

* earth resistance (impulse/power-frequency, Ω, at most): 10 for class 1 and 2 structures, 30 for
  class 3 (GB 50057-2010 §4–§5);
* transition / bonding resistance (Ω, at most): 0.2 (GB/T 21431; 0.03 for flange jumpers in
  explosion zones, type it when measuring those);
* air-termination mesh (m, at most, the longer side): 5 / 10 / 20 by class (GB 50057 §4.2–§4.4);
* down-conductor spacing (m, at most): 12 / 18 / 25 by class; at least 2 down-conductors;
* SPD leakage current (μA, at most): 20 for voltage-limiting SPDs (GB/T 21431).

Items without a single limit (U1mA is judged against the SPD's nominal value, soil resistivity
has none) have no default: their pass/fail is left empty unless a limit is typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from qixiang.supervision.models import LimitKind, MeasurementItem

Item = MeasurementItem


@dataclass(frozen=True, slots=True)
class Limit:
    value: float
    kind: str  # LimitKind


# item -> {lightning class (1, 2, 3) or 0 for any class: limit}
DEFAULTS: dict[str, dict[int, Limit]] = {
    Item.EARTH_RESISTANCE: {1: Limit(10, LimitKind.MAX), 2: Limit(10, LimitKind.MAX),
                            3: Limit(30, LimitKind.MAX)},
    Item.BONDING_RESISTANCE: {0: Limit(0.2, LimitKind.MAX)},
    Item.MESH_SIZE: {1: Limit(5, LimitKind.MAX), 2: Limit(10, LimitKind.MAX),
                     3: Limit(20, LimitKind.MAX)},
    Item.DOWN_CONDUCTOR_SPACING: {1: Limit(12, LimitKind.MAX), 2: Limit(18, LimitKind.MAX),
                                  3: Limit(25, LimitKind.MAX)},
    Item.DOWN_CONDUCTOR_COUNT: {0: Limit(2, LimitKind.MIN)},
    Item.SPD_LEAKAGE: {0: Limit(20, LimitKind.MAX)},
}


def default_limit(item: str, lightning_class: int | None) -> Limit | None:
    """The default limit of ``item`` on a structure of ``lightning_class``, or None."""
    by_class = DEFAULTS.get(item)
    if not by_class:
        return None
    return by_class.get(lightning_class or 0) or by_class.get(0)


def judge(value: float, limit: Limit | None) -> bool | None:
    if limit is None:
        return None
    return value <= limit.value if limit.kind == LimitKind.MAX else value >= limit.value
