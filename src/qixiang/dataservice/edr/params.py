"""EDR query parameters parsed into values the query layer takes; a bad one raises
:class:`EdrError` naming the parameter (answered 400 in the OGC exception shape)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from qixiang.science import elements as vocabulary

KM_PER_UNIT = {"km": 1.0, "m": 0.001, "mi": 1.609344, "nm": 1.852}
MAX_WKT = 20_000  # characters; a longer area is refused before shapely parses it


@dataclass
class EdrError(Exception):
    """An answer other than 200: ``status``, OGC exception ``code`` and a description that names
    ``parameter`` when one is at fault."""

    status: int
    description: str
    parameter: str | None = None
    code: str = "InvalidParameterValue"
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.description

    def body(self) -> dict:
        out = {"code": self.code, "description": self.description}
        if self.parameter:
            out["parameter"] = self.parameter
        return out


def bad(parameter: str, message: str) -> EdrError:
    return EdrError(400, f"{parameter}: {message}", parameter)


def _wkt(text: str | None, parameter: str):
    import shapely

    if not text or not text.strip():
        raise bad(parameter, _("required, e.g. POINT(116.47 39.81)"))
    if len(text) > MAX_WKT:
        raise bad(parameter, _("longer than %(n)d characters; simplify the geometry")
                  % {"n": MAX_WKT})
    try:
        geometry = shapely.from_wkt(text.strip())
    except Exception:  # shapely raises GEOSException or ValueError for bad WKT
        raise bad(parameter, _("not well-known text (WKT): %(text)r") % {"text": text[:80]}
                  ) from None
    if geometry is None or geometry.is_empty:
        raise bad(parameter, _("the geometry is empty"))
    return geometry


def _check_lon_lat(parameter: str, lon: float, lat: float) -> None:
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise bad(parameter, _("longitude must lie in [-180, 180] and latitude in [-90, 90] "
                               "(coordinates are lon lat, CRS84)"))


def point(text: str | None, parameter: str = "coords") -> tuple[float, float]:
    """``POINT(lon lat)`` -> ``(lon, lat)``."""
    geometry = _wkt(text, parameter)
    if geometry.geom_type != "Point":
        raise bad(parameter, _("give a POINT(lon lat), not a %(type)s")
                  % {"type": geometry.geom_type})
    lon, lat = float(geometry.x), float(geometry.y)
    _check_lon_lat(parameter, lon, lat)
    return lon, lat


def polygon(text: str | None, parameter: str = "coords"):
    """``POLYGON((lon lat, ...))`` or ``MULTIPOLYGON`` -> a valid shapely geometry."""
    import shapely

    geometry = _wkt(text, parameter)
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise bad(parameter, _("give a POLYGON or MULTIPOLYGON, not a %(type)s")
                  % {"type": geometry.geom_type})
    west, south, east, north = geometry.bounds
    _check_lon_lat(parameter, west, south)
    _check_lon_lat(parameter, east, north)
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    shapely.prepare(geometry)
    return geometry


def bbox(text: str | None, parameter: str = "bbox") -> tuple[float, float, float, float]:
    """``west,south,east,north`` (CRS84); a west greater than east crosses the antimeridian."""
    if not text or not text.strip():
        raise bad(parameter, _("required: west,south,east,north, e.g. 115.4,39.4,117.5,41.1"))
    parts = text.split(",")
    if len(parts) == 6:  # with heights: minx,miny,minz,maxx,maxy,maxz
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4:
        raise bad(parameter, _("give four numbers west,south,east,north"))
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise bad(parameter, _("give four numbers west,south,east,north")) from None
    _check_lon_lat(parameter, west, south)
    _check_lon_lat(parameter, east, north)
    if south > north:
        raise bad(parameter, _("south is greater than north"))
    return west, south, east, north


def _instant(text: str, parameter: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise bad(parameter, _("not an RFC 3339 time: %(text)r (e.g. 2026-11-21T06:00:00Z)")
                  % {"text": text[:40]}) from None
    if moment.tzinfo is None:
        raise bad(parameter, _("give the UTC offset, e.g. 2026-11-21T06:00:00Z"))
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class TimeFilter:
    start: datetime | None
    end: datetime | None
    latest: bool


LATEST = TimeFilter(None, None, True)


def datetime_filter(text: str | None, parameter: str = "datetime") -> TimeFilter:
    """An instant, a range ``a/b``, or an open range ``../b``, ``a/..``; none: the latest."""
    if text is None or not text.strip():
        return LATEST
    text = text.strip()
    if "/" not in text:
        moment = _instant(text, parameter)
        return TimeFilter(moment, moment, False)
    first, _sep, second = text.partition("/")
    if "/" in second:
        raise bad(parameter, _("give one instant or one range start/end"))
    start = None if first.strip() in ("", "..") else _instant(first, parameter)
    end = None if second.strip() in ("", "..") else _instant(second, parameter)
    if start is None and end is None:
        raise bad(parameter, _("an open range needs at least one end, e.g. "
                               "2026-11-21T00:00:00Z/.."))
    if start and end and start > end:
        raise bad(parameter, _("the start is after the end"))
    return TimeFilter(start, end, False)


def parameter_names(text: str | None, parameter: str = "parameter-name") -> tuple[str, ...]:
    """CMA element codes, comma-separated; none: every element of the vocabulary."""
    if text is None or not text.strip():
        return tuple(e.code for e in vocabulary.ELEMENTS)
    codes = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in codes if c not in vocabulary.BY_CODE]
    if unknown:
        raise bad(parameter, _("unknown parameter %(names)s; see parameter_names of the "
                               "collection") % {"names": ", ".join(repr(c) for c in unknown)})
    return tuple(dict.fromkeys(codes))


def within_km(within: str | None, units: str | None) -> float:
    """The radius in km from ``within`` and ``within-units`` (km, m, mi, nm; default km)."""
    if within is None or not str(within).strip():
        raise bad("within", _("required: the radius, e.g. within=50&within-units=km"))
    try:
        value = float(within)
    except ValueError:
        raise bad("within", _("not a number: %(text)r") % {"text": str(within)[:40]}) from None
    if not 0 < value < 1e7 or value != value:
        raise bad("within", _("give a positive radius"))
    unit = (units or "km").strip().lower()
    if unit not in KM_PER_UNIT:
        raise bad("within-units", _("give one of %(units)s") % {"units": ", ".join(KM_PER_UNIT)})
    return value * KM_PER_UNIT[unit]


def positive_int(text: str | None, parameter: str, default: int, maximum: int) -> int:
    if text is None or not str(text).strip():
        return default
    try:
        value = int(text)
    except ValueError:
        raise bad(parameter, _("not a whole number: %(text)r") % {"text": str(text)[:40]}
                  ) from None
    if value < 0 or value > maximum:
        raise bad(parameter, _("give a number from 0 to %(max)d") % {"max": maximum})
    return value
