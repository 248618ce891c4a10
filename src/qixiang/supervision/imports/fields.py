"""Parsing one cell into a model value, or a :class:`RowError` naming the field and why."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.utils.translation import override

from qixiang.supervision.imports.table import LOST_DIGITS


class RowError(ValueError):
    """A row refused: the field at fault and the reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


TRUE = {"1", "true", "yes", "y", "是", "有", "√"}
FALSE = {"0", "false", "no", "n", "否", "无", "×", ""}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def text(row: dict, field: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = row.get(field, "")
    if value == LOST_DIGITS:
        raise RowError(field, "a number of 16 or more digits lost its last digits in Excel; "
                              "format the column as text")
    if required and not value:
        raise RowError(field, "missing")
    if max_length and len(value) > max_length:
        raise RowError(field, f"longer than {max_length} characters")
    return value


def boolean(row: dict, field: str) -> bool:
    value = text(row, field).lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise RowError(field, f"{value!r} is not yes/no")


def date(row: dict, field: str, *, required: bool = False) -> dt.date | None:
    value = text(row, field, required=required)
    if not value:
        return None
    if value.isdigit() and len(value) == 8:
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = _DATE.match(value)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups()))
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise RowError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def number(row: dict, field: str, *, low: float | None = None, high: float | None = None,
           integer: bool = False) -> float | int | None:
    value = text(row, field)
    if not value:
        return None
    try:
        parsed = int(value) if integer else float(value)
    except ValueError:
        raise RowError(field, f"{value!r} is not a number") from None
    if (low is not None and parsed < low) or (high is not None and parsed > high):
        raise RowError(field, f"{parsed} outside {low}..{high}")
    return parsed


def choice(row: dict, field: str, model_field: models.Field, *, required: bool = False):
    """A choice given by its code or its label in English or Chinese."""
    value = text(row, field, required=required)
    if not value:
        return None
    lookup = {}
    for code, label in model_field.flatchoices:
        lookup[str(code).lower()] = code
        for language in ("en", "zh-hans"):
            with override(language):
                lookup[str(label).lower()] = code
    if value.lower() not in lookup:
        known = ", ".join(str(c) for c, _ in model_field.flatchoices)
        raise RowError(field, f"{value!r} is not one of {known}")
    return lookup[value.lower()]


def region(row: dict, field: str = "region_code", *, required: bool = True) -> str:
    value = text(row, field, required=required)
    if value and not (value.isdigit() and len(value) == 6):
        raise RowError(field, f"{value!r} is not a six-digit GB/T 2260 code")
    return value
