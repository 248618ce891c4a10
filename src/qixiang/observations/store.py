"""Writing a batch of values: one upsert per batch, the replaced values kept as revisions.

The current table holds one row per (station, element, time). For a batch the store

1. loads the values into a staging table (:mod:`.bulk`: ``executemany`` on SQLite, ``COPY`` on
   PostgreSQL);
2. drops incoming *missing* values where a value is already stored, unless they come from a
   correction: a later report that lacks an element does not erase it;
3. copies every stored row whose value the batch changes to ``Revision`` (with the message that
   replaced it);
4. ``INSERT ... ON CONFLICT (station_id, element, time) DO UPDATE`` the batch, updating only the
   rows whose value changed — an identical value leaves the row, its flag and its source message
   as they were.

Values are compared with a tolerance of :data:`TOLERANCE` (in the element's canonical unit), so
one value reached by two unit conversions is not a change. The same SQL runs on SQLite and
PostgreSQL. Call :func:`store_values` inside the batch's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from django.db import connection

from qixiang.observations import bulk

TOLERANCE = 1e-6

_STAGING = "qx_obs_in_v2"
_COLUMNS = (("station_id", "text"), ("element", "text"), ("time", "time"), ("value", "float"),
            ("qc_flag", "int"), ("qc_checks", "int"), ("qc_reason", "text"), ("message_id", "int"),
            ("received_at", "time"), ("correction", "bool"))

_OBS = "observations_observation"
_SAME_KEY = 'o.station_id = i.station_id AND o.element = i.element AND o."time" = i."time"'


def _differs(old: str, new: str) -> str:
    return (f"(({old}.value IS NULL) <> ({new}.value IS NULL) "
            f"OR ABS({old}.value - {new}.value) > {TOLERANCE!r})")


_DROP_MISSING = f"""
DELETE FROM {_STAGING} WHERE value IS NULL AND NOT correction AND EXISTS (
    SELECT 1 FROM {_OBS} o
    WHERE o.station_id = {_STAGING}.station_id AND o.element = {_STAGING}.element
      AND o."time" = {_STAGING}."time" AND o.value IS NOT NULL)
"""

_KEEP_REVISIONS = f"""
INSERT INTO observations_revision
    (station_id, "time", element, value, qc_flag, message_id, replaced_by_id, replaced_at)
SELECT o.station_id, o."time", o.element, o.value, o.qc_flag, o.message_id, i.message_id, %s
FROM {_STAGING} i JOIN {_OBS} o ON {_SAME_KEY}
WHERE {_differs("o", "i")}
"""

_UPSERT = f"""
INSERT INTO {_OBS}
    (station_id, element, "time", value, qc_flag, qc_checks, qc_reason, message_id, received_at)
SELECT station_id, element, "time", value, qc_flag, qc_checks, qc_reason, message_id, received_at
FROM {_STAGING} WHERE true
ON CONFLICT (station_id, element, "time") DO UPDATE SET
    value = excluded.value, qc_flag = excluded.qc_flag, qc_checks = excluded.qc_checks,
    qc_reason = excluded.qc_reason, message_id = excluded.message_id,
    received_at = excluded.received_at
WHERE {_differs(_OBS, "excluded")}
"""


@dataclass(slots=True)
class ValueRows:
    """One batch of values to store, column by column, in message order.

    ``lats``, ``lons`` and ``elevations`` are the positions the reports gave (None where they gave
    none), for the position check. ``qc_flags``, ``qc_checks`` (bit mask of the checks that
    fired) and ``qc_reasons`` ("check: reason" lines, "" for none) are filled by
    :func:`qixiang.observations.flags.assign` before storing.
    """

    station_ids: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    corrections: list[bool] = field(default_factory=list)
    lats: list[float | None] = field(default_factory=list)
    lons: list[float | None] = field(default_factory=list)
    elevations: list[float | None] = field(default_factory=list)
    qc_flags: list[int] = field(default_factory=list)
    qc_checks: list[int] = field(default_factory=list)
    qc_reasons: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    def append(self, station_id: str, element: str, time: datetime, value: float | None,
               message_id: int, correction: bool, lat: float | None = None,
               lon: float | None = None, elevation: float | None = None) -> None:
        self.station_ids.append(station_id)
        self.elements.append(element)
        self.times.append(time)
        self.values.append(value)
        self.message_ids.append(message_id)
        self.corrections.append(correction)
        self.lats.append(lat)
        self.lons.append(lon)
        self.elevations.append(elevation)

    def take(self, indices: list[int]) -> ValueRows:
        """The rows at ``indices``, in that order, with their QC columns where assigned."""
        out = ValueRows()
        for column in fields(ValueRows):
            values = getattr(self, column.name)
            if len(values) == len(self):
                setattr(out, column.name, [values[k] for k in indices])
        return out


@dataclass(slots=True)
class StoreOutcome:
    """What one batch did to the current table."""

    written: int = 0  # rows inserted or changed
    revised: int = 0  # of which changed an earlier value (the old one is in Revision)

    @property
    def inserted(self) -> int:
        return self.written - self.revised


def store_values(rows: ValueRows, *, received_at: datetime, now: datetime) -> StoreOutcome:
    """Upsert ``rows`` (flags already assigned), keeping replaced values as revisions."""
    if len(rows.qc_flags) != len(rows):
        raise ValueError("store_values: assign QC flags before storing")
    checks = rows.qc_checks if len(rows.qc_checks) == len(rows) else [0] * len(rows)
    reasons = rows.qc_reasons if len(rows.qc_reasons) == len(rows) else [""] * len(rows)
    outcome = StoreOutcome()
    if not len(rows):
        return outcome
    adapt = bulk.time_adapter(connection)
    received, replaced_at = adapt(received_at), adapt(now)
    for indices in _passes(rows):
        staged = (
            (rows.station_ids[k], rows.elements[k], adapt(rows.times[k]), rows.values[k],
             rows.qc_flags[k], checks[k], reasons[k] or None, rows.message_ids[k], received,
             rows.corrections[k])
            for k in indices
        )
        bulk.stage(connection, _STAGING, _COLUMNS, staged)
        with connection.cursor() as cursor:
            postgresql = connection.vendor == "postgresql"
            if postgresql:
                # A batch is small and the table large: look each key up in its unique index.
                # Left to its statistics (stale while the table grows) the planner may instead
                # hash the batch and scan the whole table.
                cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
            cursor.execute(_DROP_MISSING)
            cursor.execute(_KEEP_REVISIONS, [replaced_at])
            outcome.revised += max(cursor.rowcount, 0)
            if postgresql:
                cursor.execute("RESET enable_hashjoin; RESET enable_mergejoin")
            cursor.execute(_UPSERT)
            outcome.written += max(cursor.rowcount, 0)
    return outcome


def _passes(rows: ValueRows) -> list[list[int]]:
    """Row indices split so no pass holds a key twice; later occurrences go in later passes.

    One upsert statement may not touch a row twice (PostgreSQL refuses; SQLite would lose the
    intermediate revision), so a batch holding an original and its correction is written in
    order, one pass per occurrence. Almost every batch is a single pass.
    """
    seen: dict[tuple, int] = {}
    passes: list[list[int]] = [[]]
    for k, key in enumerate(zip(rows.station_ids, rows.elements, rows.times, strict=True)):
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n == len(passes):
            passes.append([])
        passes[n].append(k)
    return passes
