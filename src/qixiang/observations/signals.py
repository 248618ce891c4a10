"""Signals the observation store sends, so caches and live pages follow new data without polling.

``observations_stored`` is sent after each committed ingest batch that stored values, with
``sender=None`` and the keyword arguments:

``station_ids: set[str]``
    The (resolved) station ids whose values were written.
``elements: set[str]``
    The CMA element codes written.
``times: tuple[datetime, datetime]``
    The earliest and latest observation time written (UTC).
"""

from __future__ import annotations

from django.dispatch import Signal

observations_stored = Signal()
