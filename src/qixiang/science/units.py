"""Affine unit conversions between the units that observation sources use.

Decoders receive values in source units (BUFR's SI units, METAR knots, logger Kelvin) and the
element vocabulary says which canonical unit each element is stored in. Every conversion that
occurs in the field is affine (``y = a * x + b``), so a dozen factors cover them, vectorised and
without pulling in a units library on the ingest hot path.
"""

from __future__ import annotations

import numpy as np

# Unit spellings accepted on input, mapped to one canonical spelling.
_ALIASES = {
    "k": "K", "kelvin": "K",
    "c": "degC", "°c": "degC", "degc": "degC", "deg c": "degC", "celsius": "degC", "℃": "degC",
    "f": "degF", "°f": "degF", "degf": "degF",
    "pa": "Pa", "hpa": "hPa", "mb": "hPa", "mbar": "hPa", "kpa": "kPa",
    "m/s": "m/s", "m s-1": "m/s", "meters/second": "m/s", "mps": "m/s",
    "kt": "kt", "kts": "kt", "knot": "kt", "knots": "kt", "km/h": "km/h", "kmh": "km/h",
    "deg": "degree", "degree": "degree", "degrees": "degree", "degree true": "degree", "°": "degree",
    "%": "%", "percent": "%",
    "mm": "mm", "kg m-2": "mm", "kg/m2": "mm", "kg/m^2": "mm", "kg m**-2": "mm",
    "m": "m", "km": "km", "cm": "cm",
    "okta": "okta", "oktas": "okta",
    "code": "code", "code table": "code", "1": "1",
}

# (from, to) -> (scale, offset): to = scale * from + offset
_AFFINE: dict[tuple[str, str], tuple[float, float]] = {
    ("K", "degC"): (1.0, -273.15),
    ("degF", "degC"): (5.0 / 9.0, -32.0 * 5.0 / 9.0),
    ("Pa", "hPa"): (0.01, 0.0),
    ("kPa", "hPa"): (10.0, 0.0),
    ("kt", "m/s"): (1852.0 / 3600.0, 0.0),
    ("km/h", "m/s"): (1.0 / 3.6, 0.0),
    ("km", "m"): (1000.0, 0.0),
    ("m", "cm"): (100.0, 0.0),
    ("mm", "cm"): (0.1, 0.0),
    ("m", "mm"): (1000.0, 0.0),
    ("okta", "%"): (12.5, 0.0),
    ("1", "%"): (100.0, 0.0),
}


class UnitError(ValueError):
    """A value came in a unit that cannot be converted to the element's canonical unit."""


def normalise(unit: str) -> str:
    """The canonical spelling of ``unit`` (``"kelvin"`` -> ``"K"``); unknown spellings pass through."""
    key = unit.strip()
    return _ALIASES.get(key.lower(), key)


def factors(source: str, target: str) -> tuple[float, float]:
    """``(scale, offset)`` converting ``source`` into ``target``; raises :class:`UnitError`."""
    a, b = normalise(source), normalise(target)
    if a == b:
        return 1.0, 0.0
    if (a, b) in _AFFINE:
        return _AFFINE[(a, b)]
    if (b, a) in _AFFINE:
        scale, offset = _AFFINE[(b, a)]
        return 1.0 / scale, -offset / scale
    raise UnitError(f"cannot convert {source!r} to {target!r}")


def convert(value, source: str, target: str):
    """Convert a number or numpy array from ``source`` to ``target`` units."""
    scale, offset = factors(source, target)
    return np.multiply(value, scale) + offset if isinstance(value, np.ndarray) else value * scale + offset
