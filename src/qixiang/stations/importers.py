"""Readers for station lists: text in, station records and row errors out (no database).

Formats (see docs/stations.md):

``csv``
    A header line and one station per line. The columns (any order, names case-insensitive):
    ``cma_id`` (or ``station_id``), ``wmo_index``, ``wigos_id``, ``name``, ``province``,
    ``division_code``, ``latitude``, ``longitude``, ``elevation``. The wis2box station list
    (``station_name, wigos_station_identifier, traditional_station_identifier, ..., latitude,
    longitude, elevation, ...``) is read by the same reader: its traditional identifier is the
    cma_id (and the WMO index when it has five digits), or else the WIGOS local identifier.
``micaps3``
    A MICAPS diamond 3 file (``diamond 3 desc`` / date, level, contours, clip area,
    ``nelem nsta`` / rows ``id lon lat alt value...``), the form of the national station lists.

Each reader returns a :class:`StationList`: records as dicts with the model's field names (values
absent from the source are left out, so an import never blanks what another source gave) and one
:class:`RowError` per rejected row, naming its line and field. A bad row never stops the others.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

from qixiang.stations import divisions

FORMATS = ("csv", "micaps3")

# Column names accepted for each field (lower case), qixiang's own first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "cma_id": ("cma_id", "station_id", "traditional_station_identifier", "区站号", "站号"),
    "wmo_index": ("wmo_index", "wmo_id"),
    "wigos_id": ("wigos_id", "wigos_station_identifier"),
    "name": ("name", "station_name", "站名"),
    "province": ("province", "省份"),
    "division_code": ("division_code", "adcode", "行政区划代码"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lon", "经度"),
    "elevation": ("elevation", "altitude", "海拔高度"),
}
MAX_LENGTH = {"cma_id": 16, "wmo_index": 5, "wigos_id": 64, "name": 128, "province": 64}

_STATION_ID = re.compile(r"^[0-9A-Za-z_-]{1,16}$")
_WIGOS_ID = re.compile(r"^(\d{1,5})-(\d{1,5})-(\d{1,5})-([0-9A-Za-z]{1,16})$")
_MICAPS_MISSING = {9999.0, 99999.0, -9999.0}


@dataclass(frozen=True, slots=True)
class RowError:
    """A rejected row: its 1-based line in the file, the field at fault and why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass(slots=True)
class StationList:
    """What a reader found in one file."""

    source: str
    format: str
    read: int = 0  # station rows read (accepted + rejected)
    stations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-level remarks that reject nothing


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB 18030: MICAPS and Chinese CSV exports are often GBK."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def detect_format(text: str) -> str:
    """``micaps3`` for a file starting with ``diamond 3``, else ``csv``."""
    first = text.lstrip().split(None, 2)[:2]
    return "micaps3" if [t.lower() for t in first] == ["diamond", "3"] else "csv"


def read(text: str, source: str, fmt: str | None = None) -> StationList:
    """Read ``text`` in format ``fmt`` (detected when None)."""
    fmt = fmt or detect_format(text)
    if fmt == "csv":
        return read_csv(text, source)
    if fmt == "micaps3":
        return read_micaps3(text, source)
    raise ValueError(f"unknown station list format {fmt!r}; known: {', '.join(FORMATS)}")


def micaps_station_id(token: str) -> str:
    """A MICAPS station number as the CMA id it stands for.

    MICAPS files carry numeric ids only, so a regional station id of a letter and four digits is
    written with the letter's ASCII code: ``651051`` is ``A1051``, ``751234`` is ``K1234``.
    """
    if len(token) == 6 and token.isdigit() and 65 <= int(token[:2]) <= 90:
        return chr(int(token[:2])) + token[2:]
    return token


# --- CSV ------------------------------------------------------------------------------------


def read_csv(text: str, source: str) -> StationList:
    """A CSV station list: qixiang's columns or the wis2box station list."""
    result = StationList(source=source, format="csv")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        result.errors.append(RowError(1, "header", "empty file"))
        return result
    position = _columns(header)
    if "cma_id" not in position and "wigos_id" not in position:
        result.errors.append(RowError(1, "header", "no cma_id (or station_id) nor wigos_id column; "
                                      f"columns are {', '.join(header)}"))
        return result
    wis2box = header[position.get("cma_id", -1)].strip().lower() == "traditional_station_identifier"
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        result.read += 1
        if len(cells) != len(header):
            result.errors.append(RowError(line, "row", f"{len(cells)} cells, the header has "
                                          f"{len(header)}"))
            continue
        given = {f: cells[i].strip() for f, i in position.items()}
        try:
            record = _record(given, wis2box)
        except _FieldError as exc:
            result.errors.append(RowError(line, exc.field, str(exc)))
            continue
        _add(result, seen, record, line)
    return result


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    position = {}
    for fieldname, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                position[fieldname] = names.index(alias)
                break
    return position


class _FieldError(ValueError):
    def __init__(self, fieldname: str, message: str) -> None:
        super().__init__(message)
        self.field = fieldname


def _record(given: dict[str, str], wis2box: bool) -> dict[str, Any]:
    """One row's fields validated into model values; raises _FieldError naming the field."""
    record: dict[str, Any] = {}
    local_id = ""
    if wigos := given.get("wigos_id", ""):
        match = _WIGOS_ID.match(wigos)
        if not match:
            raise _FieldError("wigos_id", f"{wigos!r} is not a WIGOS id (e.g. 0-20000-0-54511)")
        record["wigos_id"] = wigos
        local_id = match.group(4)
    cma_id = given.get("cma_id", "") or local_id
    if not cma_id:
        raise _FieldError("cma_id", "missing")
    if not _STATION_ID.match(cma_id):
        raise _FieldError("cma_id", f"{cma_id!r} is not a station id (letters, digits, up to 16)")
    record["cma_id"] = cma_id
    wmo = given.get("wmo_index", "") or (cma_id if wis2box and _is_wmo_index(cma_id) else "")
    if wmo:
        if not _is_wmo_index(wmo):
            raise _FieldError("wmo_index", f"{wmo!r} is not a five-digit WMO index")
        record["wmo_index"] = wmo
    for text_field in ("name", "province"):
        if value := given.get(text_field, ""):
            if len(value) > MAX_LENGTH[text_field]:
                raise _FieldError(text_field, f"longer than {MAX_LENGTH[text_field]} characters")
            record[text_field] = value
    if code := given.get("division_code", ""):
        if not (code.isdigit() and len(code) == 6):
            raise _FieldError("division_code", f"{code!r} is not a six-digit GB/T 2260 code")
        record["division_code"] = code
    record["latitude"] = _number(given.get("latitude", ""), "latitude", -90.0, 90.0, required=True)
    record["longitude"] = _number(given.get("longitude", ""), "longitude", -180.0, 180.0,
                                  required=True)
    elevation = _number(given.get("elevation", ""), "elevation", -500.0, 9000.0, required=False)
    if elevation is not None:
        record["elevation"] = elevation
    return record


def _is_wmo_index(text: str) -> bool:
    return len(text) == 5 and text.isdigit()


def _number(text: str, name: str, low: float, high: float, *, required: bool) -> float | None:
    if not text:
        if required:
            raise _FieldError(name, "missing")
        return None
    try:
        value = float(text)
    except ValueError:
        raise _FieldError(name, f"{text!r} is not a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise _FieldError(name, f"{text} is outside {low:g}..{high:g}")
    return value


def _add(result: StationList, seen: dict[str, int], record: dict[str, Any], line: int) -> None:
    first = seen.get(record["cma_id"])
    if first is not None:
        result.errors.append(RowError(line, "cma_id", f"{record['cma_id']} is already on line "
                                      f"{first}"))
        return
    seen[record["cma_id"]] = line
    result.stations.append(record)


# --- MICAPS diamond 3 ------------------------------------------------------------------------


def read_micaps3(text: str, source: str) -> StationList:
    """A MICAPS diamond 3 station file; the value columns are ignored."""
    result = StationList(source=source, format="micaps3")
    lines = text.splitlines()
    first = lines[0].split() if lines else []
    if [t.lower() for t in first[:2]] != ["diamond", "3"]:
        result.errors.append(RowError(1, "header", "not a MICAPS diamond 3 file (the first line "
                                      "must start with 'diamond 3')"))
        return result
    tokens = [(n, t) for n, line in enumerate(lines[1:], start=2) for t in line.split()]
    try:
        nsta, data_line = _micaps3_header(tokens)
    except _FieldError as exc:
        line = tokens[-1][0] if tokens else 1
        result.errors.append(RowError(line, exc.field, str(exc)))
        return result
    seen: dict[str, int] = {}
    for n in range(data_line, len(lines) + 1):
        cells = lines[n - 1].split()
        if not cells:
            continue
        result.read += 1
        if len(cells) < 4:
            result.errors.append(RowError(n, "row", f"{len(cells)} values; a station row is "
                                          "id lon lat alt [values...]"))
            continue
        try:
            record = _micaps3_record(cells)
        except _FieldError as exc:
            result.errors.append(RowError(n, exc.field, str(exc)))
            continue
        _add(result, seen, record, n)
    if result.read != nsta:
        result.notes.append(f"the header declares {nsta} stations, the file has {result.read} rows")
    return result


def _micaps3_header(tokens: list[tuple[int, str]]) -> tuple[int, int]:
    """``(nsta, line where the station rows start)`` from the tokens after the first line.

    After ``diamond 3 description`` come: year month day hour level, the number of contour
    values and the values, smooth and bold, the number of clip-area points and their lon lat
    pairs, then ``nelem nsta``.
    """
    position = 0

    def take(name: str) -> float:
        nonlocal position
        if position >= len(tokens):
            raise _FieldError(name, "the header ends early")
        line, token = tokens[position]
        position += 1
        try:
            return float(token)
        except ValueError:
            raise _FieldError(name, f"{token!r} on line {line} is not a number") from None

    for name in ("year", "month", "day", "hour", "level"):
        take(name)
    for _ in range(int(take("contour count"))):
        take("contour value")
    take("smooth")
    take("bold")
    for _ in range(int(take("clip point count"))):
        take("clip lon")
        take("clip lat")
    take("nelem")
    nsta = int(take("nsta"))
    line_of_nsta = tokens[position - 1][0]
    return nsta, line_of_nsta + 1


def _micaps3_record(cells: list[str]) -> dict[str, Any]:
    cma_id = micaps_station_id(cells[0])
    if not _STATION_ID.match(cma_id):
        raise _FieldError("id", f"{cells[0]!r} is not a station id")
    record: dict[str, Any] = {"cma_id": cma_id}
    record["longitude"] = _number(cells[1], "lon", -180.0, 180.0, required=True)
    record["latitude"] = _number(cells[2], "lat", -90.0, 90.0, required=True)
    try:
        altitude = float(cells[3])
    except ValueError:
        raise _FieldError("alt", f"{cells[3]!r} is not a number") from None
    if altitude not in _MICAPS_MISSING:
        record["elevation"] = _number(cells[3], "alt", -500.0, 9000.0, required=True)
    return record


# --- province / division enrichment -----------------------------------------------------------


def read_divisions(text: str, source: str) -> tuple[dict[str, dict[str, str]], list[RowError]]:
    """Station id -> ``{province, division_code, name}`` from a divisions file.

    Two forms: a CSV with ``cma_id`` (or ``station_id``) and ``province`` and/or
    ``division_code`` (and optionally ``name``) columns; or the whitespace table
    ``id province name`` of meteva's ``station_id_pro_county.txt``, whose lines for stations
    outside China (name, then country) are skipped. Provinces are normalised to their full name
    and province-level GB/T 2260 code.
    """
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "," in first:
        return _divisions_csv(text)
    table: dict[str, dict[str, str]] = {}
    errors: list[RowError] = []
    for n, line in enumerate(text.splitlines(), start=1):
        cells = line.split()
        if len(cells) != 3:
            continue
        station, where, name = cells
        entry = {"name": name}
        if found := divisions.province(where):
            entry["province"], entry["division_code"] = found
        elif where != "中国":
            continue  # a station abroad: "id NAME country"
        cma_id = micaps_station_id(station)
        if not _STATION_ID.match(cma_id):
            errors.append(RowError(n, "id", f"{station!r} is not a station id"))
            continue
        table[cma_id] = entry
    return table, errors


def _divisions_csv(text: str) -> tuple[dict[str, dict[str, str]], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    position = _columns(header)
    if "cma_id" not in position:
        return {}, [RowError(1, "header", "no cma_id (or station_id) column")]
    table: dict[str, dict[str, str]] = {}
    errors: list[RowError] = []
    for cells in reader:
        if len(cells) != len(header):
            if any(c.strip() for c in cells):
                errors.append(RowError(reader.line_num, "row", f"{len(cells)} cells, the header "
                                       f"has {len(header)}"))
            continue
        given = {f: cells[i].strip() for f, i in position.items()}
        entry = {k: given[k] for k in ("name", "province", "division_code") if given.get(k)}
        code = entry.get("division_code", "")
        if code and not (code.isdigit() and len(code) == 6):
            errors.append(RowError(reader.line_num, "division_code",
                                   f"{code!r} is not a six-digit GB/T 2260 code"))
            continue
        table[given["cma_id"]] = entry
    return table, errors


def enrich(record: dict[str, Any], table: dict[str, dict[str, str]] | None,
           province: str | None) -> dict[str, Any]:
    """Fill a record's missing name, province and division code.

    From the divisions table first, then the ``province`` default; a recognised province is
    written as its full name, and a station with no division code gets its province's code.
    """
    out = dict(record)
    for key, value in ((table or {}).get(out["cma_id"], {})).items():
        out.setdefault(key, value)
    if province and "province" not in out:
        out["province"] = province
    if out.get("province"):
        if found := divisions.province(out["province"]):
            out["province"] = found[0]
            out.setdefault("division_code", found[1])
    elif out.get("division_code") and (found := divisions.province(out["division_code"])):
        out["province"] = found[0]
    return out
