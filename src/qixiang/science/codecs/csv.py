"""CSV observations read through a declared column mapping (see :mod:`.csvmapping`).

Each data row is one message. Its ``raw`` is the column-name line, a newline and the row as it
stands in the file, so an identical row re-sent hashes the same and a dead letter explains itself.
A row with a bad cell (a number that is not one, an impossible time, no station) is rejected with
a reason naming the file, the line and the column; the other rows still decode.

Options of :func:`decode`:

``mapping``
    a built-in mapping name (``"wis2box-campbell"``, ``"qixiang"``), a TOML file path, a dict or a
    :class:`~.csvmapping.Mapping`. Absent: the built-in whose header the file matches.
``stations``
    optional collection of known station identifiers; a row naming another is rejected.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Collection, Iterator
from datetime import UTC, datetime

from qixiang.science import elements
from qixiang.science.codecs import csvmapping
from qixiang.science.codecs.csvmapping import Mapping, MappingError
from qixiang.science.observation import Message, Report, Status, rejected

NAME = "csv"

_WIGOS = re.compile(r"^\d{1,5}-\d{1,5}-\d{1,5}-[0-9A-Za-z]{1,16}$")


class RowError(ValueError):
    """A cell that cannot be read; ``column`` names it."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def sniff(data: bytes, filename: str = "") -> bool:
    """True for text whose first line has commas or quotes and whose header a built-in maps."""
    head = data[:8192]
    if b"\x00" in head:
        return False
    text, _ = _text(head)
    lines = text.splitlines()[:12]
    if not lines or ("," not in lines[0] and '"' not in lines[0]):
        return False
    if len(head) == 8192 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    return csvmapping.detect(lines) is not None


def decode(data: bytes, filename: str = "", **options) -> Iterator[Message]:
    """One message per data row; see the module docstring for the options."""
    label = filename or "<csv>"
    text, encoding = _text(data)
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        yield rejected(1, data, NAME, f"{label}: empty file, no CSV header")
        return
    try:
        spec = options.get("mapping")
        mapping = csvmapping.load(spec) if spec is not None else csvmapping.detect(lines)
    except MappingError as exc:
        yield rejected(1, data, NAME, f"{label}: {exc}")
        return
    if mapping is None:
        yield rejected(1, data, NAME, f"{label}: no CSV mapping matches the header "
                       f"{lines[0][:120]!r}; built-in mappings: "
                       f"{', '.join(csvmapping.builtins())} (pass mapping=...)")
        return
    header_at = mapping.header_index(lines)
    if header_at is None:
        yield rejected(1, data, NAME, f"{label}: no column-name line (mapping {mapping.name!r} "
                       f"expects it at line {mapping.header_row + 1} after any preamble)")
        return
    yield from _rows(lines, header_at, mapping, label, encoding, options.get("stations"))


def _text(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else GB 18030 (Chinese exports)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace"), "gb18030"


def _rows(lines: list[str], header_at: int, mapping: Mapping, label: str, encoding: str,
          stations: Collection[str] | None) -> Iterator[Message]:
    header_line = lines[header_at]
    header = csvmapping.split_line(header_line, mapping.delimiter)
    absent = mapping.missing_columns(header)
    reader = _Row(mapping, header, stations)
    start = header_at + 1
    while (start < len(lines) and mapping.skip
           and csvmapping.first_cell(lines[start], mapping.delimiter) in mapping.skip):
        start += 1
    index = 0
    for line_no, row_text, cells in _records(lines, start, mapping.delimiter):
        index += 1
        raw = f"{header_line}\n{row_text}".encode(encoding)
        where = f"{label}: line {line_no} (data row {index})"
        if absent:
            yield rejected(index, raw, NAME, f"{where}: column {absent[0]!r} missing from the "
                           f"header on line {header_at + 1} (mapping {mapping.name!r})")
            continue
        try:
            report = reader.read(cells)
        except RowError as exc:
            yield rejected(index, raw, NAME, f"{where}, column {exc.column!r}: {exc}")
            continue
        yield Message(index=index, raw=raw, codec=NAME, status=Status.DECODED, reports=[report])


def _records(lines: list[str], start: int, delimiter: str) -> Iterator[tuple[int, str, list[str]]]:
    """(1-based line number, the record's text, its cells) for each non-blank record.

    A quoted cell may span lines; the record's text is then all of its lines.
    """
    consumed: list[int] = []

    def feed() -> Iterator[str]:
        for n in range(start, len(lines)):
            consumed.append(n)
            yield lines[n]

    for cells in csv.reader(feed(), delimiter=delimiter):
        taken, consumed[:] = list(consumed), []
        if not cells or all(not c.strip() for c in cells):
            continue
        yield taken[0] + 1, "\n".join(lines[n] for n in taken), cells


class _Row:
    """Reads one row's cells into a Report under a mapping; raises RowError naming the column."""

    def __init__(self, mapping: Mapping, header: list[str],
                 stations: Collection[str] | None) -> None:
        self.m = mapping
        self.header = header
        self.width = len(header)
        self.pos = {h.strip().lower(): i for i, h in reversed(list(enumerate(header)))}
        self.stations = stations
        self.elements = [(e.column, e.code, e.unit, e.period_column, e.period_minutes_per_unit)
                         for e in mapping.elements]
        if mapping.codes_as_columns:
            declared = {e.column.lower() for e in mapping.elements}
            for i, code in csvmapping.code_columns(header).items():
                if header[i].strip().lower() not in declared:
                    self.elements.append((header[i].strip(), code, elements.get(code).unit, None, 1))

    def cell(self, cells: list[str], column: str | None) -> str | None:
        if column is None or (i := self.pos.get(column.lower())) is None:
            return None
        return cells[i].strip()

    def number(self, cells: list[str], column: str | None) -> float | None:
        text = self.cell(cells, column)
        if text is None or text in self.m.missing:
            return None
        try:
            value = float(text)
        except ValueError:
            raise RowError(column, f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise RowError(column, f"{text!r} is not a finite number")
        return value

    def read(self, cells: list[str]) -> Report:
        if len(cells) != self.width:
            column = self.header[len(cells)] if len(cells) < self.width else f"#{self.width + 1}"
            raise RowError(column, f"the row has {len(cells)} cells, the header {self.width}")
        station = self.m.station_id or self.cell(cells, self.m.station_column) or ""
        if not station:
            raise RowError(self.m.station_column or "station", "no station identifier")
        if self.stations is not None and station not in self.stations:
            raise RowError(self.m.station_column or "station", f"unknown station {station!r}")
        when = self.time(cells)
        values: dict[str, float | None] = {}
        for column, code, unit, period_column, per_unit in self.elements:
            value = self.number(cells, column)
            if period_column is not None:
                code = self.by_period(cells, column, code, period_column, per_unit)
            values[code] = None if value is None else _clean(elements.to_canonical(code, value, unit))
        lat = self.number(cells, self.m.latitude)
        lon = self.number(cells, self.m.longitude)
        if lat is not None and not -90 <= lat <= 90:
            raise RowError(self.m.latitude, f"latitude {lat} is outside -90..90")
        if lon is not None and not -180 <= lon <= 180:
            raise RowError(self.m.longitude, f"longitude {lon} is outside -180..180")
        return Report(station=station, time=when, values=values, lat=lat, lon=lon,
                      elevation=self.number(cells, self.m.elevation),
                      wigos_id=station if _WIGOS.match(station) else None,
                      name=self.cell(cells, self.m.name_column) or None)

    def time(self, cells: list[str]) -> datetime:
        m = self.m
        if m.time_column is not None:
            try:
                return csvmapping.parse_time(self.cell(cells, m.time_column) or "", m.time_format,
                                             m.timezone)
            except ValueError as exc:
                raise RowError(m.time_column, f"bad time: {exc}") from None
        parts = {}
        for part, column in m.time_parts.items():
            text = self.cell(cells, column) or ""
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not number.is_integer():
                raise RowError(column, f"bad time: {part} {text!r} is not a whole number")
            parts[part] = int(number)
        try:
            return datetime(**parts, tzinfo=m.timezone).astimezone(UTC)
        except ValueError as exc:
            raise RowError(", ".join(m.time_parts.values()), f"bad time: {exc}") from None

    def by_period(self, cells: list[str], column: str, code: str, period_column: str,
                  per_unit: int) -> str:
        """The element of ``code``'s family whose period the period column gives."""
        period = self.number(cells, period_column)
        if period is None:
            return code
        minutes = abs(period) * per_unit
        family = elements.get(code).bufr
        for element in elements.ELEMENTS:
            if element.bufr == family and element.period == minutes:
                return element.code
        raise RowError(period_column, f"period {period:g} gives {minutes:g} min; no element like "
                       f"{code} has that period, so column {column!r} cannot be stored")


def _clean(value: float) -> float:
    """Drop the binary noise a unit conversion adds (309.5 K is 36.35 degC, not 36.35000000000002)."""
    return float(f"{value:.12g}")
