"""Column mappings for CSV observation files: which column holds what, in which unit.

Loggers and databases export CSV in countless layouts, so the CSV decoder reads none of them by
itself: a *mapping*, a small TOML document, declares the layout. Built-in mappings live in
``codecs/mappings/*.toml``; a deployer adds their own as a file or passes a dict. The keys::

    name = "my-logger"                # how users select it (mapping="my-logger")
    description = "..."
    delimiter = ","                   # optional, default ","
    missing = ["", "NAN", "-9999"]    # optional: cell texts that mean "not observed"
    codes_as_columns = false          # true: any column named after a CMA element code holds
                                      # that element in its canonical unit

    [header]
    row = 0              # line of column names, counted from 0 after any preamble lines
    preamble = ["TOA5"]  # leading lines whose first cell is one of these are skipped
    skip = ["TS", ""]    # lines right after the names whose first cell is one of these are
                         # not data (a logger's units and aggregation rows)

    [station]
    column = "Station_ID"   # or id = "54511" for a file of one station
    name = "Station_Name"   # optional

    [time]                  # one timestamp column ...
    column = "TIMESTAMP"
    format = "iso"          # or a strptime format such as "%Y-%m-%d %H:%M:%S"
    timezone = "Asia/Shanghai"   # applied to times without an offset; absent: offset required
    # ... or year/month/day/hour/minute[/second] columns:
    # year = "M_Year"  month = "M_Month"  day = "M_DayOfMonth"  hour = "M_HourOfDay" ...

    [location]              # optional columns, used when present
    latitude = "Latitude"
    longitude = "Longitude"
    elevation = "Elevation"

    [elements]              # column -> CMA element code and the unit the column is in
    AirTempK = { code = "TEM", unit = "K" }
    Rain_mm_Tot = { code = "PRE_1h", unit = "mm", period = "Rain_hr", period_unit = "h" }

``period`` names a column giving the length of the accumulation or averaging period (its sign is
ignored: loggers write -1 for "the past hour"); the value is then stored under the element of the
same BUFR descriptor whose period matches (``PRE_1h``, ``PRE_3h`` ...), and a period no element
has rejects the row. Station, time and element columns are required; location and name columns
are read when the header has them. Column names match case-insensitively.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from qixiang.science import elements, units

DEFAULT_MISSING = ("", "NAN", "NaN", "nan", "None", "NULL", "null", "NA", "N/A", "-", "///")
_TIME_PARTS = ("year", "month", "day", "hour", "minute", "second")
_PERIOD_UNITS = {"min": 1, "minute": 1, "minutes": 1, "h": 60, "hour": 60, "hours": 60}
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the mapping and the key."""


@dataclass(frozen=True, slots=True)
class ElementColumn:
    column: str
    code: str
    unit: str
    period_column: str | None = None
    period_minutes_per_unit: int = 1


@dataclass(frozen=True, slots=True)
class Mapping:
    name: str
    source: str  # where it was read from, for error messages
    description: str = ""
    delimiter: str = ","
    missing: frozenset[str] = frozenset(DEFAULT_MISSING)
    header_row: int = 0
    preamble: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    station_column: str | None = None
    station_id: str | None = None
    name_column: str | None = None
    time_column: str | None = None
    time_format: str = "iso"
    time_parts: dict[str, str] = field(default_factory=dict)
    timezone: tzinfo | None = None  # None: times must carry their own offset
    latitude: str | None = None
    longitude: str | None = None
    elevation: str | None = None
    elements: tuple[ElementColumn, ...] = ()
    codes_as_columns: bool = False

    def required_columns(self) -> list[str]:
        """Columns the header must have for this mapping to read a file."""
        cols = [self.station_column] if self.station_column else []
        cols += [self.time_column] if self.time_column else list(self.time_parts.values())
        cols += [e.column for e in self.elements]
        cols += [e.period_column for e in self.elements if e.period_column]
        return list(dict.fromkeys(cols))

    def missing_columns(self, header: list[str]) -> list[str]:
        """Required columns absent from ``header``; for code columns, a note when none is there."""
        have = {h.strip().lower() for h in header}
        absent = [c for c in self.required_columns() if c.lower() not in have]
        if self.codes_as_columns and not code_columns(header):
            absent.append("<a CMA element code>")
        return absent

    def header_index(self, lines: list[str]) -> int | None:
        """Index in ``lines`` of the column-name line, past preamble lines; None if too short."""
        i = 0
        while i < len(lines) and self.preamble and first_cell(lines[i], self.delimiter) in self.preamble:
            i += 1
        i += self.header_row
        return i if i < len(lines) else None

    def matches(self, lines: list[str]) -> bool:
        """True when the header of ``lines`` has every column this mapping requires."""
        i = self.header_index(lines)
        if i is None:
            return False
        header = split_line(lines[i], self.delimiter)
        return len(header) > 1 and not self.missing_columns(header)


def first_cell(line: str, delimiter: str = ",") -> str:
    cells = split_line(line, delimiter)
    return cells[0].strip() if cells else ""


def split_line(line: str, delimiter: str = ",") -> list[str]:
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


def code_columns(header: list[str]) -> dict[int, str]:
    """Header positions whose name is a CMA element code (case-insensitive) -> the code."""
    by_lower = {code.lower(): code for code in elements.BY_CODE}
    return {i: by_lower[h.strip().lower()] for i, h in enumerate(header) if h.strip().lower() in by_lower}


def parse_timezone(text: str, where: str) -> tzinfo:
    """``"UTC"``, an IANA name (``"Asia/Shanghai"``) or an offset (``"+08:00"``)."""
    text = text.strip()
    if text.upper() in {"UTC", "Z", "GMT"}:
        return UTC
    if match := _OFFSET.match(text):
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"{where}: unknown time zone {text!r}") from None


def from_dict(doc: dict[str, Any], source: str = "<dict>") -> Mapping:
    """Validate a mapping document (parsed TOML or a dict) into a :class:`Mapping`."""

    def table(key: str) -> dict[str, Any]:
        value = doc.get(key, {})
        if not isinstance(value, dict):
            raise MappingError(f"{source}: [{key}] must be a table")
        return value

    def text(value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise MappingError(f"{source}: {where} must be a non-empty string")
        return value.strip()

    known = {"name", "description", "delimiter", "missing", "codes_as_columns", "header",
             "station", "time", "location", "elements"}
    if unknown := sorted(set(doc) - known):
        raise MappingError(f"{source}: unknown key(s) {', '.join(unknown)}")
    name = text(doc.get("name", Path(source).stem), "name")
    header, station, time, location, cols = (table(k) for k in
                                            ("header", "station", "time", "location", "elements"))
    delimiter = doc.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError(f"{source}: delimiter must be one character")
    missing = doc.get("missing", list(DEFAULT_MISSING))
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise MappingError(f"{source}: missing must be a list of strings")
    row = header.get("row", 0)
    if not isinstance(row, int) or row < 0:
        raise MappingError(f"{source}: header.row must be a whole number >= 0")

    if ("column" in station) == ("id" in station):
        raise MappingError(f"{source}: [station] needs exactly one of column or id")
    time_parts = {p: text(time[p], f"time.{p}") for p in _TIME_PARTS if p in time}
    if ("column" in time) == bool(time_parts):
        raise MappingError(f"{source}: [time] needs either column or year/month/day/hour columns")
    if time_parts and not {"year", "month", "day", "hour"} <= set(time_parts):
        raise MappingError(f"{source}: [time] needs year, month, day and hour columns")
    tz = parse_timezone(text(time["timezone"], "time.timezone"), f"{source}: time.timezone") \
        if "timezone" in time else None
    if time_parts and tz is None:
        raise MappingError(f"{source}: [time] with year/month/day columns needs a timezone")

    element_columns = []
    for column, spec in cols.items():
        where = f"elements.{column}"
        if not isinstance(spec, dict):
            raise MappingError(f"{source}: {where} must be a table {{ code = ..., unit = ... }}")
        code = text(spec.get("code"), f"{where}.code")
        try:
            element = elements.get(code)
        except elements.UnknownElement as exc:
            raise MappingError(f"{source}: {where}.code: {exc.args[0]}") from None
        unit = text(spec.get("unit", element.unit), f"{where}.unit")
        try:
            units.factors(unit, element.unit)
        except units.UnitError as exc:
            raise MappingError(f"{source}: {where}.unit: {exc}") from None
        period = spec.get("period")
        if period is not None and element.period is None:
            raise MappingError(f"{source}: {where}.period: {code} has no period")
        per_unit = spec.get("period_unit", "min")
        if per_unit not in _PERIOD_UNITS:
            raise MappingError(f"{source}: {where}.period_unit must be 'min' or 'h'")
        element_columns.append(ElementColumn(
            column=column, code=code, unit=unit,
            period_column=text(period, f"{where}.period") if period is not None else None,
            period_minutes_per_unit=_PERIOD_UNITS[per_unit]))
    codes_as_columns = bool(doc.get("codes_as_columns", False))
    if not element_columns and not codes_as_columns:
        raise MappingError(f"{source}: no [elements] and codes_as_columns is not set")

    return Mapping(
        name=name, source=source, description=str(doc.get("description", "")).strip(),
        delimiter=delimiter, missing=frozenset(m.strip() for m in missing), header_row=row,
        preamble=tuple(header.get("preamble", ())), skip=tuple(header.get("skip", ())),
        station_column=text(station["column"], "station.column") if "column" in station else None,
        station_id=text(station["id"], "station.id") if "id" in station else None,
        name_column=text(station["name"], "station.name") if "name" in station else None,
        time_column=text(time["column"], "time.column") if "column" in time else None,
        time_format=text(time.get("format", "iso"), "time.format"),
        time_parts=time_parts, timezone=tz,
        latitude=location.get("latitude"), longitude=location.get("longitude"),
        elevation=location.get("elevation"),
        elements=tuple(element_columns), codes_as_columns=codes_as_columns,
    )


def load_file(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot read mapping: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None
    return from_dict(doc, str(path))


@functools.cache
def builtins() -> dict[str, Mapping]:
    """The mappings shipped in ``codecs/mappings/``, by name."""
    found = {}
    for entry in sorted(resources.files("qixiang.science.codecs").joinpath("mappings").iterdir(),
                        key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            mapping = from_dict(tomllib.loads(entry.read_text(encoding="utf-8")),
                                f"built-in mapping {entry.name}")
            found[mapping.name] = mapping
    return found


def load(spec: str | Path | dict | Mapping) -> Mapping:
    """A mapping from a built-in name, a TOML file path, a dict, or a Mapping as is."""
    if isinstance(spec, Mapping):
        return spec
    if isinstance(spec, dict):
        return from_dict(spec)
    if isinstance(spec, str) and spec in builtins():
        return builtins()[spec]
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        return load_file(path)
    raise MappingError(f"no CSV mapping {str(spec)!r}: not a built-in ({', '.join(builtins())}) "
                       "nor a TOML file")


def detect(lines: list[str]) -> Mapping | None:
    """The first built-in mapping whose header the lines match, or None."""
    return next((m for m in builtins().values() if m.matches(lines)), None)


def parse_time(text: str, fmt: str, tz: tzinfo | None) -> datetime:
    """A timestamp cell as aware UTC; raises ValueError saying what is wrong."""
    text = text.strip()
    if not text:
        raise ValueError("no time given")
    if fmt == "iso":
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "zZ" else text)
    else:
        when = datetime.strptime(text, fmt)
    if when.tzinfo is None:
        if tz is None:
            raise ValueError(f"{text!r} has no UTC offset (write e.g. {text}Z or {text}+08:00)")
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)
