"""The MUSIC interfaces and their parameters, read into a :class:`MusicQuery`.

Parameter names are case-insensitive (``dataCode``, ``DATACODE``). Times are UTC:
``times`` is a comma list of ``yyyyMMddHHmmss``; ``timeRange`` is ``[start,end]`` where a square
bracket includes its end and a round one excludes it (``(a,b]``). Every error names the parameter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from qixiang.accounts.models import region_prefix
from qixiang.dataservice import query
from qixiang.dataservice.music import errors
from qixiang.dataservice.music.fields import FIELDS, Field, find
from qixiang.science import elements as vocabulary

# interfaceId -> (time parameter, place parameter)
INTERFACES: dict[str, tuple[str, str | None]] = {
    "getSurfEleByTime": ("times", None),
    "getSurfEleByTimeRange": ("timeRange", None),
    "getSurfEleByTimeAndStaID": ("times", "staIds"),
    "getSurfEleByTimeRangeAndStaID": ("timeRange", "staIds"),
    "getSurfEleInRectByTime": ("times", "rect"),
    "getSurfEleInRectByTimeRange": ("timeRange", "rect"),
    "getSurfEleInRegionByTime": ("times", "adminCodes"),
    "getSurfEleInRegionByTimeRange": ("timeRange", "adminCodes"),
}
DATA_CODES: dict[str, str] = {
    "SURF_CHN_MUL_HOR": query.HOURLY.id,
    "SURF_CHN_MUL_MIN": query.MINUTE.id,
}
FORMATS = ("json", "xml", "csv", "tabText")
# Parameters that authenticate or frame a request: not echoed in requestParams.
ENVELOPE = {"userid", "pwd", "sign", "timestamp", "nonce", "servicenodeid", "interfaceid",
            "dataformat"}
MAX_TIMES = 1000
MAX_LIMIT = 10_000_000
DEFAULT_ELEMENTS = "Station_Id_C,Lat,Lon,Datetime,TEM"
_TIME = re.compile(r"^[0-9]{10}([0-9]{2}){0,2}$")
_RANGE = re.compile(r"^([\[(])\s*([0-9]*)\s*,\s*([0-9]*)\s*([\])])$")


@dataclass(frozen=True)
class ValueRange:
    """One ``eleValueRanges`` condition on a field: an interval or a list of values."""

    field: Field
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    values: frozenset[float] | None = None

    def admits(self, x: float) -> bool:
        if self.values is not None:
            return x in self.values
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below


@dataclass
class MusicQuery:
    interface: str
    data_code: str
    dataset: query.Dataset
    fields: list[Field]
    elements: tuple[str, ...]  # element codes to read (at least one)
    instants: list[datetime] | None = None  # from ``times``
    start: datetime | None = None  # from ``timeRange`` (inclusive)
    end: datetime | None = None
    station_ids: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    admin_prefixes: tuple[str, ...] | None = None
    order: list[tuple[Field, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None
    ranges: list[ValueRange] = field(default_factory=list)
    data_format: str = "json"
    echo: dict[str, str] = field(default_factory=dict)  # requestParams


def lowercase(params: Mapping[str, str]) -> dict[str, str]:
    """Parameters keyed by lower-case name (the last of repeated names wins)."""
    return {key.lower(): value for key, value in params.items()}


def parse_time(text: str, parameter: str) -> datetime:
    """``yyyyMMddHHmmss`` (or without seconds, or minutes) as an aware UTC datetime."""
    text = text.strip()
    if not _TIME.match(text):
        raise errors.bad_parameter(parameter, _("%(value)r is not a time yyyyMMddHHmmss (UTC)")
                                   % {"value": text})
    text = text.ljust(14, "0")
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise errors.bad_parameter(parameter, _("%(value)r is not a valid date and time")
                                   % {"value": text}) from None


def parse_times(text: str) -> list[datetime]:
    parts = [p for p in text.split(",") if p.strip()]
    if not parts:
        raise errors.bad_parameter("times", _("give at least one time yyyyMMddHHmmss"))
    if len(parts) > MAX_TIMES:
        raise errors.bad_parameter("times", _("at most %(n)d times per request") % {"n": MAX_TIMES})
    return sorted({parse_time(p, "times") for p in parts})


def parse_range(text: str) -> tuple[datetime, datetime]:
    """``[a,b]``, ``(a,b]``, ``[a,b)`` or ``(a,b)`` as inclusive UTC bounds."""
    match = _RANGE.match(text.strip())
    if not match or not match.group(2) or not match.group(3):
        raise errors.bad_parameter("timeRange", _(
            "%(value)r is not [start,end] with times yyyyMMddHHmmss (use ( or ) to exclude an "
            "end)") % {"value": text})
    opening, a, b, closing = match.groups()
    start, end = parse_time(a, "timeRange"), parse_time(b, "timeRange")
    if opening == "(":
        start += timedelta(seconds=1)
    if closing == ")":
        end -= timedelta(seconds=1)
    if start > end:
        raise errors.bad_parameter("timeRange", _("the start is after the end"))
    return start, end


def parse_float(params: Mapping[str, str], name: str, low: float, high: float) -> float:
    raw = params.get(name.lower(), "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise errors.bad_parameter(name, _("a number is required, got %(value)r")
                                   % {"value": raw}) from None
    if not low <= value <= high:
        raise errors.bad_parameter(name, _("%(value)s is outside [%(low)s, %(high)s]")
                                   % {"value": raw, "low": low, "high": high})
    return value


def parse_fields(text: str) -> list[Field]:
    names = [n for n in text.split(",") if n.strip()]
    if not names:
        raise errors.bad_parameter("elements", _("name at least one field"))
    chosen, unknown = [], []
    for name in names:
        found = find(name)
        if found is None:
            unknown.append(name.strip())
        elif found not in chosen:
            chosen.append(found)
    if unknown:
        raise errors.bad_parameter("elements", _(
            "unknown field(s) %(fields)s; known: station and time fields %(station)s, and every "
            "element code with its Q_ flag (%(elements)s)") % {
                "fields": ", ".join(unknown),
                "station": ", ".join(f.name for f in FIELDS if f.kind in ("station", "time")),
                "elements": ", ".join(e.code for e in vocabulary.ELEMENTS)})
    return chosen


def parse_order(text: str) -> list[tuple[Field, bool]]:
    order = []
    for part in (p for p in text.split(",") if p.strip()):
        name, _sep, direction = part.partition(":")
        found = find(name)
        if found is None:
            raise errors.bad_parameter("orderby", _("unknown field %(field)r")
                                       % {"field": name.strip()})
        direction = direction.strip().upper() or "ASC"
        if direction not in ("ASC", "DESC"):
            raise errors.bad_parameter("orderby", _("direction must be ASC or DESC, got %(d)r")
                                       % {"d": direction})
        order.append((found, direction == "DESC"))
    return order


def _bound(text: str, parameter: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise errors.bad_parameter(parameter, _("%(value)r is not a number")
                                   % {"value": text}) from None


def parse_value_ranges(text: str) -> list[ValueRange]:
    """``VIS:(,1000);RHU:[70,)`` intervals and ``Q_PRE_1h:0,3,4`` lists."""
    ranges = []
    for part in (p for p in text.split(";") if p.strip()):
        name, sep, spec = part.partition(":")
        found = find(name)
        if not sep or found is None or found.kind not in ("value", "flag"):
            raise errors.bad_parameter("eleValueRanges", _(
                "%(part)r: give element:(low,high) or element:v1,v2 for an element or its Q_ "
                "flag") % {"part": part})
        spec = spec.strip()
        if spec[:1] in "([" and spec[-1:] in ")]" and "," in spec:
            low, _c, high = spec[1:-1].partition(",")
            ranges.append(ValueRange(
                found, _bound(low, "eleValueRanges") if low.strip() else -math.inf,
                _bound(high, "eleValueRanges") if high.strip() else math.inf,
                spec[0] == "(", spec[-1] == ")"))
        else:
            values = frozenset(_bound(v, "eleValueRanges") for v in spec.split(",") if v.strip())
            if not values:
                raise errors.bad_parameter("eleValueRanges", _("%(part)r names no value")
                                           % {"part": part})
            ranges.append(ValueRange(found, values=values))
    return ranges


def parse(params: Mapping[str, str]) -> MusicQuery:
    """Read a MUSIC request (parameters already lower-cased by :func:`lowercase`)."""
    interface = params.get("interfaceid", "").strip()
    if interface not in INTERFACES:
        raise errors.bad_parameter("interfaceId", _(
            "%(value)r is not served; use one of %(known)s") % {
                "value": interface, "known": ", ".join(INTERFACES)})
    data_code = params.get("datacode", "").strip().upper()
    if data_code not in DATA_CODES:
        raise errors.bad_parameter("dataCode", _("%(value)r is not served; use one of %(known)s")
                                   % {"value": data_code, "known": ", ".join(DATA_CODES)})
    data_format = params.get("dataformat", "json").strip() or "json"
    formats = {f.lower(): f for f in FORMATS}
    if data_format.lower() not in formats:
        raise errors.bad_parameter("dataFormat", _("use one of %(known)s")
                                   % {"known": ", ".join(FORMATS)})
    fields_ = parse_fields(params.get("elements", "") or DEFAULT_ELEMENTS)
    order = parse_order(params.get("orderby", ""))
    ranges = parse_value_ranges(params.get("elevalueranges", ""))
    codes = [f.element for f in (*fields_, *(o[0] for o in order), *(r.field for r in ranges))
             if f.element]
    elements = tuple(dict.fromkeys(codes)) or tuple(e.code for e in vocabulary.ELEMENTS)
    q = MusicQuery(interface, data_code, query.DATASETS[DATA_CODES[data_code]], fields_,
                   elements, order=order, ranges=ranges, data_format=formats[data_format.lower()])
    time_parameter, place = INTERFACES[interface]
    if time_parameter == "times":
        if not params.get("times", "").strip():
            raise errors.bad_parameter("times", _("%(interface)s needs times")
                                       % {"interface": interface})
        q.instants = parse_times(params["times"])
    else:
        if not params.get("timerange", "").strip():
            raise errors.bad_parameter("timeRange", _("%(interface)s needs timeRange")
                                       % {"interface": interface})
        q.start, q.end = parse_range(params["timerange"])
    if place == "staIds":
        ids = tuple(dict.fromkeys(s.strip() for s in params.get("staids", "").split(",")
                                  if s.strip()))
        if not ids:
            raise errors.bad_parameter("staIds", _("give station ids, comma-separated"))
        q.station_ids = ids
    elif place == "rect":
        south = parse_float(params, "minLat", -90, 90)
        north = parse_float(params, "maxLat", -90, 90)
        west = parse_float(params, "minLon", -180, 180)
        east = parse_float(params, "maxLon", -180, 180)
        if south > north:
            raise errors.bad_parameter("minLat", _("minLat is above maxLat"))
        q.bbox = (west, south, east, north)
    elif place == "adminCodes":
        codes_ = [c.strip() for c in params.get("admincodes", "").split(",") if c.strip()]
        bad = [c for c in codes_ if not re.fullmatch(r"[0-9]{6}", c)]
        if not codes_ or bad:
            raise errors.bad_parameter("adminCodes", _(
                "give GB/T 2260 division codes of 6 digits, comma-separated (e.g. 440000)"))
        q.admin_prefixes = tuple(dict.fromkeys(region_prefix(c) for c in codes_))
    limit = params.get("limitcnt", "").strip()
    if limit:
        if not re.fullmatch(r"[0-9]{1,9}", limit) or not 0 < int(limit) <= MAX_LIMIT:
            raise errors.bad_parameter("limitCnt", _("a whole number from 1 to %(max)d")
                                       % {"max": MAX_LIMIT})
        q.limit = int(limit)
    q.echo = {key: value for key, value in params.items() if key not in ENVELOPE}
    return q


def effective_regions(admin: tuple[str, ...] | None,
                      allowed: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Division-code prefixes both the request (``adminCodes``) and the caller's scope allow:
    None for no limit, ``()`` for nothing."""
    if admin is None:
        return allowed
    if allowed is None:
        return admin
    both = set()
    for a in admin:
        for p in allowed:
            if a.startswith(p):
                both.add(a)
            elif p.startswith(a):
                both.add(p)
    return tuple(sorted(both))
