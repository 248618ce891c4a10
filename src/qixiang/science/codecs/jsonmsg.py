"""The IoT JSON observation message (documented in docs/ingest.md, "JSON sensor message").

One observation is one JSON object::

    {"station": "54511", "time": "2026-11-21T06:00:00Z", "lat": 39.8, "lon": 116.47,
     "elevation": 31.3, "values": {"TEM": 12.3, "RHU": 45, "PRS": 1012.3}, "units": {"TEM": "K"}}

A payload is one such object, a JSON array of them, or ``{"observations": [...]}``. Each object is
one message whose ``raw`` is the object re-serialised canonically (sorted keys, no spaces, UTF-8),
so an identical re-send hashes the same whatever its formatting. Validation is strict: an object
with a missing or malformed field is rejected with a reason naming the payload, the object's
index and the field, and the other objects still decode.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from qixiang.science import elements, units
from qixiang.science.observation import Message, Report, Status, rejected

NAME = "json"

FIELDS = {"station", "time", "lat", "lon", "elevation", "values", "units", "name"}


class FieldError(ValueError):
    """An object field that is missing or malformed; ``field`` names it (``values.TEM``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def sniff(data: bytes, filename: str = "") -> bool:
    """True when the payload starts (after blanks and a BOM) with ``{`` or ``[``."""
    head = data[:64].lstrip(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"{", b"[")


def canonical(obj: Any) -> bytes:
    """The bytes an object is archived and hashed as (contract: sorted keys, compact, UTF-8)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode(data: bytes, filename: str = "", **options) -> Iterator[Message]:
    """One message per object of the payload; never raises on bad input."""
    label = filename or "<payload>"
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield rejected(1, data, NAME, f"{label}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return
    except json.JSONDecodeError as exc:
        yield rejected(1, data, NAME, f"{label}: not valid JSON: {exc.msg} at line {exc.lineno} "
                       f"column {exc.colno}")
        return

    if isinstance(payload, dict) and "observations" in payload:
        if set(payload) != {"observations"} or not isinstance(payload["observations"], list):
            yield rejected(1, data, NAME, f"{label}: an envelope must be exactly "
                           '{"observations": [...]}')
            return
        objects = payload["observations"]
    elif isinstance(payload, list):
        objects = payload
    elif isinstance(payload, dict):
        objects = [payload]
    else:
        yield rejected(1, data, NAME, f"{label}: expected an object, an array of objects or "
                       f'{{"observations": [...]}}, got {type(payload).__name__}')
        return
    if not objects:
        yield rejected(1, data, NAME, f"{label}: no observations in the payload")
        return

    for index, obj in enumerate(objects, start=1):
        raw = canonical(obj)
        try:
            report = read_object(obj)
        except FieldError as exc:
            yield rejected(index, raw, NAME, f"{label}: object {index}, field {exc.field!r}: {exc}")
            continue
        yield Message(index=index, raw=raw, codec=NAME, status=Status.DECODED, reports=[report])


def read_object(obj: Any) -> Report:
    """One message object as a Report in canonical units; raises FieldError naming the field."""
    if not isinstance(obj, dict):
        raise FieldError("<object>", f"expected an object, got {type(obj).__name__}")
    if unknown := sorted(set(obj) - FIELDS):
        raise FieldError(unknown[0], f"unknown field (known: {', '.join(sorted(FIELDS))})")

    station = obj.get("station")
    if station is None:
        raise FieldError("station", "missing")
    if not isinstance(station, str) or not station.strip():
        raise FieldError("station", "must be a non-empty string (CMA id, WMO index or WIGOS id)")
    when = _time(obj.get("time"))
    lat = _coordinate(obj, "lat", -90.0, 90.0)
    lon = _coordinate(obj, "lon", -180.0, 180.0)
    elevation = _coordinate(obj, "elevation", -500.0, 9000.0)
    name = obj.get("name")
    if name is not None and not isinstance(name, str):
        raise FieldError("name", "must be a string")

    given = obj.get("values")
    if given is None:
        raise FieldError("values", "missing")
    if not isinstance(given, dict) or not given:
        raise FieldError("values", "must be a non-empty object of element code -> number")
    source_units = obj.get("units", {})
    if not isinstance(source_units, dict):
        raise FieldError("units", "must be an object of element code -> unit")
    for code, unit in source_units.items():
        if code not in elements.BY_CODE:
            raise FieldError(f"units.{code}", "unknown element code")
        if not isinstance(unit, str):
            raise FieldError(f"units.{code}", "must be a string such as \"K\" or \"hPa\"")

    values: dict[str, float | None] = {}
    for code, value in given.items():
        if code not in elements.BY_CODE:
            raise FieldError(f"values.{code}", "unknown element code")
        if value is None:
            values[code] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise FieldError(f"values.{code}", f"{value!r} is not a number")
        unit = source_units.get(code, elements.BY_CODE[code].unit)
        try:
            values[code] = float(f"{elements.to_canonical(code, value, unit):.12g}")
        except units.UnitError as exc:
            raise FieldError(f"units.{code}", str(exc)) from None
    return Report(station=station.strip(), time=when, values=values, lat=lat, lon=lon,
                  elevation=elevation, name=name)


def _time(value: Any) -> datetime:
    if value is None:
        raise FieldError("time", "missing")
    if not isinstance(value, str) or "T" not in value.upper() and " " not in value:
        raise FieldError("time", f"{value!r} is not an RFC 3339 date-time")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError("time", f"{value!r} is not an RFC 3339 date-time") from None
    if when.tzinfo is None:
        raise FieldError("time", f"{value!r} has no UTC offset (add Z or +08:00)")
    return when.astimezone(UTC)


def _coordinate(obj: dict, key: str, low: float, high: float) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FieldError(key, f"{value!r} is not a number")
    if not low <= value <= high:
        raise FieldError(key, f"{value} is outside {low:g}..{high:g}")
    return float(value)
