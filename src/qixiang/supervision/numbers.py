"""Human-readable record numbers: a prefix, the year and a running number (``YH2026000123``).

Numbers are what people quote on paper and the phone, so they are short and sequential per
prefix and year; the unique constraint on the column is the final guard against two writers
taking the same number at once.
"""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone


def next_number(model: type[Model], field: str, prefix: str, width: int = 6) -> str:
    """The next free number ``<prefix><year><running number>`` of ``model.field``."""
    stem = f"{prefix}{timezone.localdate().year}"
    last = (model.objects.filter(**{f"{field}__startswith": stem})
            .order_by(f"-{field}").values_list(field, flat=True).first())
    running = int(last[len(stem):]) + 1 if last and last[len(stem):].isdigit() else 1
    return f"{stem}{running:0{width}d}"
