"""METAR and SPECI text (FM-15/16): one message per aerodrome report of a collective.

Reports are read by ``python-metar`` (BSD licence), which knows the many national habits of the
code; this module finds the reports in a bulletin, checks the station and time groups itself (so
a rejection can name the token) and maps the result to CMA elements in canonical units:

==============  ===================================================================
WIN_D_Avg_10mi  ``dddffGfffKT``: direction (None for VRB or ///; calm ``00000KT`` is 0, 0)
WIN_S_Avg_10mi  mean speed; KT, MPS and KMH converted to m/s
WIN_S_Inst_Max  RMK ``PK WND`` (peak of the past hour) when given, else the ``G`` gust
VIS             prevailing visibility in metres (``9999`` and ``CAVOK`` -> 10 km; SM -> m)
TEM, DPT        ``TT/TdTd``, replaced by the RMK ``T`` group's tenths when present (a T group
                more than 1 degC from the body's value rejects the report: one of them is wrong)
PRS_Sea         RMK ``SLPppp`` only. QNH (``Q1013``/``A2992``) is *not* stored: it reduces the
                pressure with the standard atmosphere, not the observed temperature, so at
                elevated aerodromes it differs from mean sea-level pressure by several hPa
                and would corrupt a sea-level analysis. No CMA element holds QNH.
PRE_1h ...      RMK ``Prrrr`` (1 h), ``6rrrr`` (3 or 6 h), ``7rrrr`` (24 h); inches -> mm; a
                trace (``P0000``) is 0.0 mm
==============  ===================================================================

Present weather is not stored: METAR letters (``+TSRA``) have no one-to-one WMO 4677 number.

Each report is one :class:`Message` with ``raw`` = the report's text as it stands (``=``
included); ``header`` is the bulletin heading, ``correction`` true for ``CCx`` bulletins and
``COR`` reports. A ``NIL`` report is REJECTED ("NIL report"); a report whose station, time or any
body group cannot be read is REJECTED naming file, report index and token. Duplicates within a
collective give identical messages (the pipeline deduplicates by hash).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from metar import Metar

from qixiang.science.codecs import gts
from qixiang.science.elements import to_canonical
from qixiang.science.observation import Message, Report, Status

NAME = "metar"

_TYPES = ("METAR", "SPECI")
_STATION = re.compile(r"[A-Z][A-Z0-9]{3}")
_TIME = re.compile(r"(\d\d)(\d\d)(\d\d)Z")
_REPORT_START = re.compile(r"(?:METAR|SPECI)\s|[A-Z][A-Z0-9]{3}\s+\d{6}Z(?:\s|=|$)")
_SNIFF_REPORT = re.compile(
    rb"^(?:(?:METAR|SPECI)(?:\s|$)|[A-Z][A-Z0-9]{3} \d{6}Z (?:AUTO )?(?:\d{3}|VRB|///)\d{2,3}"
    rb"(?:G\d{2,3})?(?:KT|MPS|KMH))", re.MULTILINE)
_SNIFF_HEADING = re.compile(rb"^[\x01\s\d]*S[AP][A-Z]{2}\d{0,2} [A-Z]{4} \d{6}", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BODY_WIND = re.compile(r"(\d{3}|VRB|///)(\d{2,3}|//)(G\d{2,3})?(KT|MPS|KMH)")
_BODY_TEMP = re.compile(r"(M?\d\d|//)/(M?\d\d|//)?")
_BODY_END = {"RMK", "TEMPO", "BECMG", "NOSIG"}
_RMK_TEMP = re.compile(r"T([01])(\d{3})(?:([01])(\d{3}))?")
_SPEED_UNITS = {"KT": "kt", "MPS": "m/s", "KMH": "km/h"}


def sniff(data: bytes, filename: str) -> bool:
    """A METAR/SPECI line, an aerodrome report line, or an ``SA``/``SP`` bulletin heading."""
    head = data[:2048]
    return bool(_SNIFF_REPORT.search(head) or _SNIFF_HEADING.search(head))


@dataclass(slots=True)
class _Span:
    kind: str  # METAR or SPECI, from the collective's type line or the heading
    start: int = -1
    end: int = -1
    closed: bool = False  # ended by "="


def decode(data: bytes, filename: str = "", **options) -> Iterator[Message]:
    """Yield one message per report; option ``reference_time`` as in :mod:`.synop`."""
    text = data.decode("latin-1")
    reference = gts.reference_time(filename, options.get("reference_time"))
    source = filename or "<payload>"
    index = 0
    for bulletin in gts.bulletins(text):
        for span in _spans(bulletin):
            index += 1
            raw = data[span.start:span.end]
            message = Message(index=index, raw=raw, codec=NAME, header=bulletin.heading,
                              correction=bulletin.correction)
            try:
                report, corrected = _decode_report(raw, span.kind, reference)
            except _Rejected as exc:
                message.status = Status.REJECTED
                message.reason = f"{source}: report {index}{exc.station}: {exc}"
            except Exception as exc:  # noqa: BLE001 - one odd report must not sink the file
                message.status = Status.REJECTED
                message.reason = f"{source}: report {index}: unreadable " \
                                 f"({type(exc).__name__}: {exc})"
            else:
                message.reports.append(report)
                message.correction = message.correction or corrected
            yield message


def _spans(bulletin: gts.Bulletin) -> Iterator[_Span]:
    """The reports of a bulletin: ended by ``=``, or by the start of the next report's line."""
    kind = "SPECI" if bulletin.data_type == "SP" else "METAR"
    span: _Span | None = None
    for line in bulletin.lines:
        text = line.text
        stripped = _CONTROL.sub(" ", text).strip()
        if stripped.upper() in _TYPES:  # the collective's type line
            kind = stripped.upper()
            if span is not None:
                yield span
                span = None
            continue
        starts_report = not text[:1].isspace() and _REPORT_START.match(stripped)
        if span is not None and (span.closed or starts_report):
            yield span
            span = None
        for chunk in re.finditer(r"[^=]*=|[^=]+", text):
            body = _CONTROL.sub(" ", chunk.group())
            if not body.strip():
                continue
            first = chunk.start() + len(body) - len(body.lstrip())
            last = chunk.start() + len(body.rstrip())
            if body.strip() == "=" and span is not None and not span.closed:
                span.end, span.closed = line.start + last, True
                continue
            if span is None or span.closed:
                if span is not None:
                    yield span
                span = _Span(kind=kind, start=line.start + first)
            span.end, span.closed = line.start + last, body.rstrip().endswith("=")
    if span is not None:
        yield span


class _Rejected(ValueError):
    def __init__(self, problem: str, station: str = ""):
        super().__init__(problem)
        self.station = f" (station {station})" if station else ""


def _decode_report(raw: bytes, kind: str, reference: datetime) -> tuple[Report, bool]:
    """The report in ``raw`` and whether it is a ``COR`` report; raises :class:`_Rejected`."""
    text = _CONTROL.sub(" ", raw.decode("utf-8", errors="replace")).replace("=", " ")
    tokens = text.split()  # str.split also drops no-break spaces that relays leave behind
    if tokens and tokens[0] in _TYPES:
        kind = tokens.pop(0)
    corrected = bool(tokens) and tokens[0] == "COR"
    if corrected:
        tokens.pop(0)
    if not tokens or not _STATION.fullmatch(tokens[0]):
        raise _Rejected(f"token {tokens[0] if tokens else ''!r} is not an ICAO location "
                        "indicator (4 letters)")
    station = tokens[0]
    time_token = tokens[1] if len(tokens) > 1 else ""
    if not (match := _TIME.fullmatch(time_token)):
        raise _Rejected(f"token {time_token!r} is not an observation time DDHHMMZ", station)
    try:
        time = gts.resolve_time(*(int(g) for g in match.groups()), reference)
    except ValueError as exc:
        raise _Rejected(f"token {time_token!r}: {exc}", station) from None
    rest = tokens[2:]
    if rest[:1] == ["NIL"]:
        raise _Rejected("NIL report: the station sent no observation", station)
    if not rest:
        raise _Rejected("no groups after the observation time", station)
    code = " ".join([kind, station, time_token, *rest])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = Metar.Metar(code, month=time.month, year=time.year, strict=True)
    except Metar.ParserError as exc:
        raise _Rejected(_unparsed(code, time, exc), station) from None
    values = _values(parsed)
    _apply_body_missing(rest, values)
    _check_remark_temperature(rest, values, station)
    return Report(station=station, time=time, values=values), corrected


def _body(groups: list[str]) -> list[str]:
    """The groups before remarks and trend forecasts."""
    end = next((i for i, g in enumerate(groups) if g in _BODY_END), len(groups))
    return groups[:end]


def _apply_body_missing(groups: list[str], values: dict[str, float | None]) -> None:
    """Slashed wind (``/////KT``) or temperature (``//`` / ``///``) groups: reported missing."""
    for group in _body(groups):
        if (wind := _BODY_WIND.fullmatch(group)) and "/" in wind.group(2):
            values["WIN_S_Avg_10mi"] = values["WIN_D_Avg_10mi"] = None
        elif temp := _BODY_TEMP.fullmatch(group):
            if temp.group(1) == "//":
                values["TEM"] = None
            if temp.group(2) in (None, "//"):
                values["DPT"] = None


def _check_remark_temperature(groups: list[str], values: dict[str, float | None],
                              station: str) -> None:
    """The RMK ``T`` group's tenths replace ``TT/TdTd``; both must tell the same temperature."""
    body_groups = _body(groups)
    body = next((g for g in body_groups if _BODY_TEMP.fullmatch(g)), None)
    remark = next((g for g in groups[len(body_groups):] if _RMK_TEMP.fullmatch(g)), None)
    if body is None or remark is None:
        return
    coarse = [_whole_degrees(part) for part in (body.split("/") + [""])[:2]]
    for code, rough in zip(("TEM", "DPT"), coarse, strict=True):
        fine = values.get(code)
        if fine is not None and rough is not None and abs(fine - rough) > 1.0:
            raise _Rejected(f"RMK token {remark!r} contradicts body token {body!r}", station)


def _whole_degrees(text: str) -> float | None:
    if not re.fullmatch(r"M?\d\d", text):
        return None
    return -float(text[1:]) if text.startswith("M") else float(text)


def _unparsed(code: str, time: datetime, error: Exception) -> str:
    """Name the groups python-metar could not read (it lists them on a lenient re-parse)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lenient = Metar.Metar(code, month=time.month, year=time.year, strict=False)
        groups = " ".join(lenient._unparsed_groups)  # noqa: SLF001 - the library keeps them here
    except Exception:  # noqa: BLE001 - the strict error below still names the report
        groups = ""
    if groups:
        return f"token {groups!r} is not a METAR group"
    return f"unreadable report: {error}"


def _speed(code: str, speed) -> float:
    """A python-metar speed in m/s, converted from the unit the report used."""
    unit = getattr(speed, "_units", "KT")
    if unit in _SPEED_UNITS:
        return to_canonical(code, speed.value(unit), _SPEED_UNITS[unit])
    return speed.value("MPS")


def _values(parsed: Metar.Metar) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    if parsed.wind_speed is not None:
        values["WIN_S_Avg_10mi"] = _speed("WIN_S_Avg_10mi", parsed.wind_speed)
        values["WIN_D_Avg_10mi"] = None if parsed.wind_dir is None else parsed.wind_dir.value()
    gust = parsed.wind_speed_peak or parsed.wind_gust
    if gust is not None:
        values["WIN_S_Inst_Max"] = _speed("WIN_S_Inst_Max", gust)
    if parsed.vis is not None:
        values["VIS"] = round(parsed.vis.value("M"), 1)
    if parsed.temp is not None:
        values["TEM"] = parsed.temp.value("C")
    if parsed.dewpt is not None:
        values["DPT"] = parsed.dewpt.value("C")
    if parsed.press_sea_level is not None:
        values["PRS_Sea"] = round(parsed.press_sea_level.value("HPA"), 1)
    for code, amount in (("PRE_1h", parsed.precip_1hr), ("PRE_3h", parsed.precip_3hr),
                         ("PRE_6h", parsed.precip_6hr), ("PRE_24h", parsed.precip_24hr)):
        if amount is not None:
            values[code] = round(to_canonical(code, amount.value("CM"), "cm"), 2)
    return values
