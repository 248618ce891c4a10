"""SYNOP (FM-12) and SHIP (FM-13) text bulletins: one message per station report.

Written here rather than taken from ``pymetdecoder``: that package is under the UK Open Government
Licence (not an OSI licence), names no group when it fails, and skips groups it cannot place
with a warning, where we must reject the report and say which group broke it.

Decoded, in canonical units (:mod:`qixiang.science.elements`):

============  =====================================================================
section 1     ``iRixhVV`` VIS (code table 4377); ``Nddff`` CLO_Cov (oktas, 9 = sky
              obscured -> None), WIN_D_Avg_10mi, WIN_S_Avg_10mi (``iw`` knots -> m/s,
              ``00fff`` when ff = 99); ``1sTTT`` TEM; ``2sTTT`` DPT or ``29UUU`` RHU;
              ``3PPPP`` PRS; ``4PPPP`` PRS_Sea (``4a3hhh`` geopotential skipped);
              ``6RRRt`` PRE_<t>h (table 3590/4019); ``7wwWW`` WEP_Now as BUFR 020003
              (ww, or 100 + wawa for ix = 7; ix = 2/5 "nothing to report" -> 508)
section 3     ``1sTTT`` TEM_Max, ``2sTTT`` TEM_Min, ``4Esss`` Snow_Depth (997 -> 0,
              998/999 -> None), ``6RRRt`` PRE_<t>h, ``7RRRR`` PRE_24h (tenths),
              ``911ff`` (gust over the past-weather period) else ``910ff`` (last
              10 min) -> WIN_S_Inst_Max
============  =====================================================================

Other groups are checked for shape and skipped; sections 2 (sea), 4 and 5 are skipped.
A ``/`` in a decoded group makes that value None (reported missing). Precipitation periods
without a CMA element (2, 9, 15, 18 h) and trace (990, 9999) -> 0.0 mm follow BUFR practice.

Each report is one :class:`Message` whose ``raw`` is the bulletin's heading line, its
``AAXX YYGGi`` line and the report's text as it stands in the file (station group to ``=``): the
archived message decodes on its own, and the same report text on another day hashes differently.
``header`` is the GTS heading and ``correction`` is true in a ``CCx``
bulletin. A ``NIL`` report (the station sent nothing) is REJECTED with reason "NIL report", so
the archive shows the missing observation; a report that breaks the code form is REJECTED with
the file, report index, station and group. An anonymous ship (``SHIP``) and ``OOXX`` mobile
reports are UNDECODED. The year and month come from :func:`gts.reference_time`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from qixiang.science.codecs import gts
from qixiang.science.elements import to_canonical
from qixiang.science.observation import Message, Report, Status

NAME = "synop"

_TOKEN = re.compile(r"=|[^\s=\x00-\x1f\x7f]+")
_GROUP = re.compile(r"[0-9/]{5}")
_SECTION0 = {"AAXX", "BBXX", "OOXX"}
_SEA_SECTION = re.compile(r"222[0-9/]{2}")  # 222DsVs opens section 2 (sea data)
_END_OF_SECTION1 = re.compile(r"333|444|555|222[0-9/]{2}")
_ANONYMOUS_SHIPS = {"SHIP", "PLAT", "RIGG", "BUOY"}

# Code table 4019 (tR): period of the precipitation group in hours.
_PERIOD_HOURS = {"1": 6, "2": 12, "3": 18, "4": 24, "5": 1, "6": 2, "7": 3, "8": 9, "9": 15}
_PRE_ELEMENT = {1: "PRE_1h", 3: "PRE_3h", 6: "PRE_6h", 12: "PRE_12h", 24: "PRE_24h"}
_NO_SIGNIFICANT_WEATHER = 508.0  # BUFR 020003 for ix = 2 or 5: present and past weather omitted


def sniff(data: bytes, filename: str) -> bool:
    """A SYNOP or SHIP bulletin names its code form (``AAXX`` / ``BBXX``) near the top."""
    head = data[:2048]
    return re.search(rb"(?<![A-Z])(AAXX|BBXX)(?![A-Z])", head) is not None


class _GroupError(ValueError):
    """A group that breaks the code form; the message names it."""

    def __init__(self, group: str, meaning: str, problem: str):
        super().__init__(f"group {group!r} ({meaning}): {problem}")


@dataclass(slots=True)
class _Section0:
    form: str  # AAXX, BBXX or OOXX
    day: int | None = None
    hour: int | None = None
    knots: bool | None = None  # None when iw is missing: speeds unknown
    error: str = ""  # why the YYGGiw group could not be read
    text: str = ""  # the section 0 line as sent, e.g. "AAXX 21121"

    def context(self, heading: str) -> bytes:
        """The lines that date a report: heading and section 0, each ending in a newline."""
        lines = [heading] if heading else []
        if self.form == "AAXX" and self.text:
            lines.append(self.text)
        return "".join(f"{line}\n" for line in lines).encode("latin-1")


@dataclass(slots=True)
class _Unit:
    start: int
    end: int
    groups: list[str]
    section0: _Section0 | None


def decode(data: bytes, filename: str = "", **options) -> Iterator[Message]:
    """Yield one message per station report of every bulletin in ``data``.

    Option ``reference_time`` (datetime or RFC 3339) supplies year and month when the file name
    carries no WMO timestamp; the default is now.
    """
    text = data.decode("latin-1")
    reference = gts.reference_time(filename, options.get("reference_time"))
    source = filename or "<payload>"
    index = 0
    for bulletin in gts.bulletins(text):
        for unit in _units(bulletin):
            index += 1
            context = unit.section0.context(bulletin.heading) if unit.section0 else b""
            raw = context + data[unit.start:unit.end]
            message = Message(index=index, raw=raw, codec=NAME, header=bulletin.heading,
                              correction=bulletin.correction)
            where = f"{source}: report {index} (station {unit.groups[0]})"
            try:
                message.reports.append(_decode_unit(unit, reference))
            except _Undecoded as exc:
                message.status, message.reason = Status.UNDECODED, f"{where}: {exc}"
            except ValueError as exc:
                message.status, message.reason = Status.REJECTED, f"{where}: {exc}"
            except Exception as exc:  # noqa: BLE001 - one odd report must not sink the file
                message.status = Status.REJECTED
                message.reason = f"{where}: unreadable ({type(exc).__name__}: {exc})"
            yield message


def _units(bulletin: gts.Bulletin) -> Iterator[_Unit]:
    """The reports of a bulletin with their offsets; the section 0 line is context, not report."""
    section0: _Section0 | None = None
    tokens: list[tuple[str, int, int]] = []
    pending_yyggi = False
    for line in bulletin.lines:
        for match in _TOKEN.finditer(line.text):
            word, start, end = match.group(), line.start + match.start(), line.start + match.end()
            upper = word.upper()
            if pending_yyggi:
                pending_yyggi = False
                section0 = _read_yyggi(section0, upper)
                section0.text = f"{section0.form} {upper}"
                continue
            if upper in _SECTION0:
                if tokens:  # a report without its closing "="
                    yield _unit(tokens, section0)
                    tokens = []
                section0 = _Section0(form=upper)
                pending_yyggi = upper == "AAXX"  # ships give YYGGiw in every report
                continue
            if word == "=":
                if tokens:
                    tokens.append((word, start, end))
                    yield _unit(tokens, section0)
                    tokens = []
                continue
            tokens.append((upper, start, end))
    if tokens:
        yield _unit(tokens, section0)


def _unit(tokens: list[tuple[str, int, int]], section0: _Section0 | None) -> _Unit:
    groups = [t[0] for t in tokens if t[0] != "="]
    return _Unit(start=tokens[0][1], end=tokens[-1][2], groups=groups, section0=section0)


def _read_yyggi(section0: _Section0, group: str) -> _Section0:
    """Day, hour and wind unit from ``YYGGiw``; a bad group is remembered, not raised."""
    if not re.fullmatch(r"\d{4}[0-9/]", group):
        section0.error = f"section 0 group {group!r} (YYGGiw) is not a day-hour-unit group"
        return section0
    day, hour, iw = int(group[:2]), int(group[2:4]), group[4]
    if not (1 <= day <= 31 and 0 <= hour <= 23) or iw not in "0134/":
        section0.error = f"section 0 group {group!r} (YYGGiw): day {day}, hour {hour} or " \
                         f"wind unit {iw} out of range"
        return section0
    section0.day, section0.hour = day, hour
    section0.knots = None if iw == "/" else iw in "34"
    return section0


class _Undecoded(Exception):
    """Recognised content that this decoder does not read."""


def _decode_unit(unit: _Unit, reference: datetime) -> Report:
    section0 = unit.section0
    groups = list(unit.groups)
    if section0 is None:
        raise ValueError("no AAXX or BBXX line before the report")
    if section0.form == "OOXX":
        raise _Undecoded("SYNOP MOBIL (OOXX) reports are not decoded")
    lat = lon = None
    if section0.form == "BBXX":
        station, groups = groups[0], groups[1:]
        if station in _ANONYMOUS_SHIPS:
            raise _Undecoded(f"anonymous ship call sign {station}: no station identity")
        if not groups:
            raise ValueError("report ends after the call sign")
        section0 = _read_yyggi(_Section0(form="BBXX"), groups.pop(0))
        if section0.error:
            raise ValueError(section0.error)
        if groups and groups[0] == "NIL":
            raise ValueError("NIL report: the station sent no observation")
        lat, lon = _ship_position(groups[:2])
        groups = groups[2:]
    else:
        if section0.error:
            raise ValueError(section0.error)
        station = groups.pop(0)
        if not re.fullmatch(r"\d{5}", station):
            raise _GroupError(station, "IIiii", "not a 5-digit WMO station index")
        if groups and groups[0] == "NIL":
            raise ValueError("NIL report: the station sent no observation")
    time = gts.resolve_time(section0.day, section0.hour, 0, reference)
    values = _Groups(groups, section0.knots, antarctic=station.startswith("89")).decode()
    return Report(station=station, time=time, values=values, lat=lat, lon=lon)


def _ship_position(groups: list[str]) -> tuple[float, float]:
    """Latitude and longitude from ``99LaLaLa QcLoLoLoLo`` (tenths of a degree, quadrant)."""
    if len(groups) < 2 or not re.fullmatch(r"99\d{3}", groups[0]):
        raise _GroupError(groups[0] if groups else "", "99LaLaLa", "ship latitude expected")
    if not re.fullmatch(r"[1357]\d{4}", groups[1]):
        raise _GroupError(groups[1], "QcLoLoLoLo", "quadrant 1, 3, 5 or 7 and longitude expected")
    lat, lon = int(groups[0][2:]) / 10, int(groups[1][1:]) / 10
    if lat > 90 or lon > 180:
        raise _GroupError(f"{groups[0]} {groups[1]}", "position", "latitude or longitude out of range")
    quadrant = groups[1][0]
    return (-lat if quadrant in "35" else lat), (-lon if quadrant in "57" else lon)


class _Groups:
    """Walks the groups of one report, section by section, filling ``values``."""

    def __init__(self, groups: list[str], knots: bool | None, antarctic: bool):
        self.groups = groups
        self.pos = 0
        self.knots = knots
        self.antarctic = antarctic
        self.values: dict[str, float | None] = {}
        self.ir = self.ix = ""
        self.gust_10min: float | None | bool = False  # False: group absent
        self.gust_period: float | None | bool = False

    # --- walking -----------------------------------------------------------------------------

    def _next(self) -> str | None:
        if self.pos >= len(self.groups):
            return None
        group = self.groups[self.pos]
        self.pos += 1
        return group

    def _peek(self) -> str | None:
        return self.groups[self.pos] if self.pos < len(self.groups) else None

    def decode(self) -> dict[str, float | None]:
        self._section1()
        mark = self._next()
        if mark is not None and _SEA_SECTION.fullmatch(mark):
            mark = self._skip_until({"333", "444", "555"})
        if mark == "333":
            self._section3()
            mark = self._next()
        if mark == "444":
            mark = self._skip_until({"555"})
        if mark == "555":  # national groups
            mark = self._skip_until(set())
        if mark is not None:
            raise _GroupError(mark, "section marker", "222DsVs, 333, 444 or 555 expected")
        gusts = [g for g in (self.gust_period, self.gust_10min) if g is not False]
        if gusts:  # the longer period when reported, else the last 10 minutes
            self.values["WIN_S_Inst_Max"] = next((g for g in gusts if g is not None), None)
        return self.values

    def _skip_until(self, marks: set[str]) -> str | None:
        """Skip groups up to one of ``marks``; return that mark (consumed) or None at the end."""
        while (group := self._next()) is not None:
            if group in marks:
                return group
        return None

    @staticmethod
    def _check(group: str, meaning: str) -> str:
        if not _GROUP.fullmatch(group):
            raise _GroupError(group, meaning, "5 digits or slashes expected")
        return group

    # --- section 1 ---------------------------------------------------------------------------

    def _section1(self) -> None:
        group = self._next()
        if group is None:
            raise ValueError("report ends after the station identifier")
        g = self._check(group, "iRixhVV")
        self.ir, self.ix = g[0], g[1]
        if self.ir not in "01234/":
            raise _GroupError(g, "iRixhVV", f"iR={self.ir} is not a precipitation indicator (0-4)")
        if self.ix not in "1234567/":
            raise _GroupError(g, "iRixhVV", f"ix={self.ix} is not a weather indicator (1-7)")
        self.values["VIS"] = _visibility(g)
        group = self._next()
        if group is None:
            raise ValueError("report ends before the Nddff group")
        self._wind(self._check(group, "Nddff"))
        last = 0
        weather_seen = False
        while (group := self._peek()) is not None and not _END_OF_SECTION1.fullmatch(group):
            self.pos += 1
            g = self._check(group, "section 1 group")
            if not g[0].isdigit():
                raise _GroupError(g, "section 1 group", "no group indicator")
            header = int(g[0])
            if header <= last:
                raise _GroupError(g, "section 1 group", "out of order or not a section 1 group")
            last = header
            if header == 1:
                self.values["TEM"] = _temperature(g)
            elif header == 2:
                if g[1] == "9":
                    self.values["RHU"] = None if "/" in g[2:] else _range(g, "RHU", int(g[2:]), 0, 100)
                else:
                    self.values["DPT"] = _temperature(g)
            elif header == 3:
                self.values["PRS"] = _pressure(g)
            elif header == 4 and g[1] in "09/":
                self.values["PRS_Sea"] = _pressure(g)
            elif header == 4 and g[1] not in "12578":  # 4a3hhh: geopotential, skipped
                raise _GroupError(g, "4PPPP", f"{g[1]} is neither a pressure digit nor a3")
            elif header == 6:
                self._precipitation(g)
            elif header == 7:
                weather_seen = True
                self._weather(g)
        if not weather_seen and self.ix in ("2", "5"):
            self.values["WEP_Now"] = _NO_SIGNIFICANT_WEATHER

    def _wind(self, g: str) -> None:
        n, dd, ff = g[0], g[1:3], g[3:5]
        self.values["CLO_Cov"] = None if n in "9/" else to_canonical("CLO_Cov", int(n), "okta")
        if "/" in dd:
            self.values["WIN_D_Avg_10mi"] = None
        elif dd == "99":
            self.values["WIN_D_Avg_10mi"] = None  # variable
        elif int(dd) <= 36:
            self.values["WIN_D_Avg_10mi"] = float(int(dd) * 10)
        else:
            raise _GroupError(g, "Nddff", f"wind direction {dd} is not 00-36 or 99")
        speed: int | None = None if "/" in ff else int(ff)
        if speed == 99 and (ext := self._peek()) and re.fullmatch(r"00\d{3}", ext):
            self.pos += 1
            speed = int(ext[2:])
        self.values["WIN_S_Avg_10mi"] = self._speed("WIN_S_Avg_10mi", speed)

    def _speed(self, code: str, speed: int | None) -> float | None:
        if speed is None or self.knots is None:
            return None
        return to_canonical(code, speed, "kt" if self.knots else "m/s")

    def _precipitation(self, g: str) -> None:
        amount, period_code = g[1:4], g[4]
        hours = _PERIOD_HOURS.get(period_code)
        if period_code != "/" and hours is None:
            raise _GroupError(g, "6RRRtR", f"tR={period_code} is not a period (1-9)")
        element = _PRE_ELEMENT.get(hours or 0)
        if element is None:
            return  # no CMA element for that period
        self.values[element] = None if "/" in amount else _precipitation_amount(amount)

    def _weather(self, g: str) -> None:
        ww = g[1:3]
        if "/" in ww:
            self.values["WEP_Now"] = None
        elif self.ix == "7":
            self.values["WEP_Now"] = 100.0 + int(ww)  # wawa (table 4680) as BUFR 020003
        else:
            self.values["WEP_Now"] = float(int(ww))  # ww (table 4677)

    # --- section 3 ---------------------------------------------------------------------------

    def _section3(self) -> None:
        last = -1
        radiation = False  # inside the j5FFFF groups that follow 55SSS / 553SS
        while (group := self._peek()) is not None and group not in ("444", "555"):
            self.pos += 1
            g = self._check(group, "section 3 group")
            if radiation and g == "/////":
                continue  # a radiation group reported wholly missing
            if not g[0].isdigit():
                raise _GroupError(g, "section 3 group", "no group indicator")
            header = int(g[0])
            if radiation and header <= 6 and header != 5:
                if header < 6 or not self._is_precipitation_after_radiation():
                    continue
                radiation = False
            elif header < last or (header == last and header not in (5, 8, 9)):
                raise _GroupError(g, "section 3 group", "out of order")
            last = header
            if header == 1:
                self.values["TEM_Max"] = _temperature(g)
            elif header == 2:
                self.values["TEM_Min"] = _temperature(g)
            elif header == 4:
                self.values["Snow_Depth"] = _snow_depth(g)
            elif header == 5:
                radiation = g[1] == "5"
            elif header == 6:
                self._precipitation(g)
            elif header == 7 and not self.antarctic:
                if "/" in g[1:]:
                    self.values["PRE_24h"] = None
                else:
                    tenths = int(g[1:])
                    self.values["PRE_24h"] = 0.0 if tenths == 9999 else tenths / 10
            elif header == 9:
                self._group9(g)

    def _is_precipitation_after_radiation(self) -> bool:
        """A 6-group after radiation groups is 6RRRtR when section 3 is to carry precipitation
        (iR 0 or 2) and no further 6-group follows (the first of two is short-wave radiation)."""
        following = self._peek()
        if following is not None and following.startswith("6"):
            return False
        return self.ir in ("0", "2")

    def _group9(self, g: str) -> None:
        kind, ff = g[1:3], g[3:5]
        if kind not in ("10", "11"):
            return
        speed = None if "/" in ff else int(ff)
        if speed == 99 and (ext := self._peek()) and re.fullmatch(r"00\d{3}", ext):
            self.pos += 1
            speed = int(ext[2:])
        value = self._speed("WIN_S_Inst_Max", speed)
        if kind == "10":
            self.gust_10min = value
        else:
            self.gust_period = value


def _range(group: str, what: str, value: int, low: int, high: int) -> float:
    if not low <= value <= high:
        raise _GroupError(group, what, f"{value} outside {low}-{high}")
    return float(value)


def _visibility(g: str) -> float | None:
    """VV of ``iRixhVV`` in metres (code table 4377); "less than" codes give their bound
    (00 -> 100 m, 90 -> 50 m) and 89 (> 70 km) gives 70 km, as synop2bufr encodes them."""
    vv = g[3:5]
    if "/" in vv:
        return None
    code = int(vv)
    if code == 0:
        return 100.0
    if code <= 50:
        return code * 100.0
    if 56 <= code <= 80:
        return (code - 50) * 1000.0
    if 81 <= code <= 89:
        return min(code - 74, 14) * 5000.0
    if code >= 90:
        return (50.0, 50.0, 200.0, 500.0, 1000.0, 2000.0, 4000.0, 10000.0, 20000.0, 50000.0)[code - 90]
    raise _GroupError(g, "iRixhVV", f"visibility code {vv} is not used (51-55)")


def _temperature(g: str) -> float | None:
    """``xsTTT``: sign 0 positive, 1 negative, tenths of a degree Celsius."""
    sign, tenths = g[1], g[2:5]
    if sign == "/" or "/" in tenths:
        return None
    if sign not in "01":
        raise _GroupError(g, "temperature", f"sign {sign} is not 0 or 1")
    value = int(tenths) / 10
    return -value if sign == "1" else value


def _pressure(g: str) -> float | None:
    """``xPPPP`` in tenths of hPa, the thousands digit dropped (``0152`` is 1015.2 hPa)."""
    if "/" in g[1:]:
        return None
    tenths = int(g[1:])
    return (tenths + (10000 if tenths < 5000 else 0)) / 10


def _precipitation_amount(rrr: str) -> float:
    """RRR (code table 3590) in mm: 990 is a trace (0.0), 991-999 tenths, 989 means >= 989."""
    code = int(rrr)
    if code == 990:
        return 0.0
    if code > 990:
        return (code - 990) / 10
    return float(code)


def _snow_depth(g: str) -> float | None:
    """``4E'sss`` snow depth in cm (code table 3889): 997 < 0.5 cm -> 0; 998/999 -> None."""
    sss = g[2:5]
    if "/" in sss:
        return None
    code = int(sss)
    if code == 997:
        return 0.0
    if code >= 998:
        return None  # cover not continuous, or measurement impossible
    return float(code)  # 000 is reported for "no snow" in practice (synop2bufr reads it so)
