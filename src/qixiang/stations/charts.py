"""The charts of a station page: which elements each one draws, and how.

Kept as data so the page template, its script and the tests agree on one list. ``kind`` tells
the script how to draw an element: a line, bars (accumulations) or points on a 0-360° axis
(directions).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: Promise
    elements: tuple[str, ...]


CHARTS: tuple[Chart, ...] = (
    Chart("temperature", _("Temperature and dew point"), ("TEM", "DPT", "TEM_Max", "TEM_Min")),
    Chart("pressure", _("Pressure"), ("PRS", "PRS_Sea")),
    Chart("humidity", _("Relative humidity"), ("RHU",)),
    Chart("wind", _("Wind"), ("WIN_S_Avg_2mi", "WIN_S_Avg_10mi", "WIN_S_Inst_Max",
                              "WIN_D_Avg_2mi", "WIN_D_Avg_10mi")),
    Chart("precipitation", _("Precipitation"), ("PRE_1h", "PRE_3h", "PRE_6h", "PRE_12h",
                                                "PRE_24h")),
)


def all_elements() -> list[str]:
    """Every element any chart draws, in chart order (one API request fetches them all)."""
    return [code for chart in CHARTS for code in chart.elements]
