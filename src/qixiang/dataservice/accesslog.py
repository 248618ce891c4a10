"""The access log — one row per data response, "who downloaded what, when" — through the
journal (:mod:`qixiang.dataservice.journal`).

:func:`record` appends the row as a journal line before the answer leaves (a few microseconds, no
database write); the journal's loader inserts it into :class:`AccessLog` within
``QIXIANG_JOURNAL_SECONDS``, and a killed process's lines are loaded by the next process that
starts. Until then :func:`pending` finds it in the journal, so ``/provenance/<id>`` answers at
once from any process.

A streamed answer records twice under one data id: ``streaming`` when it starts, then
``complete`` (with its record) or ``aborted``. Loading is idempotent by data id, and a
``streaming`` line never overwrites a final one.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection

from qixiang.dataservice import journal
from qixiang.dataservice.models import AccessLog

KIND = "access"
# A journal line holds these fields, named as the model's columns.
FIELDS = ("data_id", "time", "user_id", "requester", "client_ip", "api", "dataset", "query",
          "media_type", "size", "sha256", "cost", "state", "kid", "record")
FINAL_FIELDS = ("state", "size", "sha256", "kid", "record")
_TIME = FIELDS.index("time")


def record(**row) -> None:
    """Journal one access-log row (keys: :data:`FIELDS`; ``time`` a datetime in UTC)."""
    row["time"] = row["time"].isoformat()
    journal.append({"kind": KIND, **row})


@cache
def _upsert_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in FIELDS)
    user_table = quote(get_user_model()._meta.db_table)
    # A user deleted before the line loads leaves the row without one, as SET_NULL would.
    marks = ", ".join(f"(SELECT id FROM {user_table} WHERE id = %s)" if name == "user_id"
                      else "%s" for name in FIELDS)
    final = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in FINAL_FIELDS)
    return (f"INSERT INTO {quote(AccessLog._meta.db_table)} ({columns}) VALUES ({marks}) "
            f"ON CONFLICT ({quote('data_id')}) DO UPDATE SET {final} "
            f"WHERE excluded.{quote('state')} <> '{AccessLog.State.STREAMING}'")


def load(entries: list[dict], own: bool) -> None:
    """Journal loader: insert (or complete) the rows of ``entries``."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for entry in entries:  # left as they are: a batch the database refuses is retried
        row = [entry.get(name) for name in FIELDS]
        row[_TIME] = adapt(datetime.fromisoformat(entry["time"]))
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), rows)


def as_row(entry: dict) -> AccessLog:
    """An (unsaved) :class:`AccessLog` of a journal entry."""
    values = {name: entry.get(name) for name in FIELDS}
    values["time"] = datetime.fromisoformat(entry["time"])
    return AccessLog(**values)


def pending(data_id: str) -> AccessLog | None:
    """The newest row of ``data_id`` still in a journal (not loaded yet), or None."""
    needle = b'"data_id":"' + data_id.encode("ascii", "replace") + b'"'
    entry = journal.journal.pending(
        lambda e: e.get("kind") == KIND and e.get("data_id") == data_id, needle)
    return as_row(entry) if entry is not None else None
