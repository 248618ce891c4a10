"""Bulk loading into a per-connection staging table: the fast path under the observation store.

Writing row by row through the ORM costs more than the decoding. Instead each batch is loaded
into a temporary staging table in one call — ``executemany`` on SQLite, ``COPY ... FROM STDIN``
on PostgreSQL — and moved into the real tables with a few set-based statements that read the
same on both databases. Staging tables live for the connection and are emptied before each load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db.backends.base.base import BaseDatabaseWrapper

log = logging.getLogger(__name__)

# Column kinds and their SQL type per database vendor.
_TYPES = {
    "sqlite": {"text": "TEXT", "float": "REAL", "int": "INTEGER", "time": "TEXT",
               "bool": "INTEGER", "bytes": "BLOB"},
    "postgresql": {"text": "text", "float": "double precision", "int": "bigint",
                   "time": "timestamptz", "bool": "boolean", "bytes": "bytea"},
}


def vendor(connection: BaseDatabaseWrapper) -> str:
    """``"sqlite"`` or ``"postgresql"``; any other database is refused with the reason."""
    if connection.vendor not in _TYPES:
        raise NotImplementedError(f"the observation store supports SQLite and PostgreSQL, "
                                  f"not {connection.vendor}")
    return connection.vendor


def time_adapter(connection: BaseDatabaseWrapper):
    """A function turning an aware datetime into what this database stores for a DateTimeField.

    SQLite keeps Django's text form of the UTC time (``2026-11-21 06:00:00``), so raw SQL must
    write exactly that form for the ORM's comparisons and the unique keys to match.
    PostgreSQL takes the datetime itself.
    """
    if vendor(connection) == "postgresql":
        return lambda value: value
    cache: dict[datetime, str] = {}

    def adapt(value: datetime) -> str:
        text = cache.get(value)
        if text is None:
            text = str(value.astimezone(UTC).replace(tzinfo=None))
            cache[value] = text
        return text

    return adapt


def stage(connection: BaseDatabaseWrapper, table: str, columns: Sequence[tuple[str, str]],
          rows: Iterable[Sequence]) -> None:
    """Empty staging table ``table`` (created on first use) and load ``rows`` into it.

    ``columns`` are ``(name, kind)`` pairs, kind one of text, float, int, time, bool, bytes;
    ``time`` values must already be adapted with :func:`time_adapter`. Call inside the batch's
    transaction.
    """
    kind = vendor(connection)
    types = _TYPES[kind]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    ddl = ", ".join(f'"{name}" {types[t]}' for name, t in columns)
    with connection.cursor() as cursor:
        if kind == "postgresql":
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({ddl}) ON COMMIT DELETE ROWS")
            cursor.execute(f"DELETE FROM {table}")  # cheaper than TRUNCATE for a small table
            count = 0
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            log.debug("staged %d rows into %s by COPY", count, table)
        else:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({ddl})")
            cursor.execute(f"DELETE FROM {table}")
            marks = ", ".join("%s" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            log.debug("staged %d rows into %s by executemany", cursor.rowcount, table)
