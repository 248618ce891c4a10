"""Rows of a CSV or Excel (.xlsx) file as ``(line, {column: text})``, header names lowered.

Excel cells are turned into the text a person sees: dates as ISO dates, whole numbers without
``.0``. A long identifier typed into a numeric Excel cell has already lost its last digits
(Excel keeps 15), so such a cell is passed on as ``#NUMBER`` and the importer refuses it with a
hint to format the column as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from qixiang.stations.importers import decode_text

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
LOST_DIGITS = "#NUMBER"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return LOST_DIGITS
    return str(value).strip()


def rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header (lower case) and the non-empty rows of the first sheet or the CSV file."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_rows(path)
    return _csv_rows(path)


def _keyed(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name}


def _csv_rows(path: Path):
    reader = csv.reader(io.StringIO(decode_text(path.read_bytes())))
    header = [h.strip().lower() for h in next(reader, [])]

    def generate():
        for cells in reader:
            if any(c.strip() for c in cells):
                yield reader.line_num, _keyed(header, [c.strip() for c in cells])
    return header, generate()


def _excel_rows(path: Path):
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    sheet = book.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = [_cell(h).lower() for h in next(iterator, ())]

    def generate():
        try:
            for line, values in enumerate(iterator, start=2):
                cells = [_cell(v) for v in values]
                if any(cells):
                    yield line, _keyed(header, cells)
        finally:
            book.close()
    return header, generate()
