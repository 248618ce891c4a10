"""Writing the access log: one row per data response, synchronously or in batches.

By default (``QIXIANG_ACCESS_LOG_BUFFER_SECONDS=0``) each row is inserted before the response
leaves: a crash loses nothing, but under load every answer waits for the database's write lock
(SQLite has one writer). With a buffer of, say, 0.2 s, rows are queued in memory and a
background thread inserts them in one transaction per interval; a record is served from the
queue by the process that made it at once, and from the database by every process after the next
flush. What a killed process had not flushed is lost (at most one interval); a clean stop
flushes. Choose the buffer for a busy public service, 0 where every row must survive a crash.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from functools import cache

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from qixiang.dataservice.models import AccessLog

log = logging.getLogger(__name__)
MAX_QUEUE = 100_000  # rows kept when the database refuses them for a while


@cache
def _insert_sql(returning: bool) -> tuple[str, tuple[str, ...]]:
    fields = tuple(f.attname for f in AccessLog._meta.concrete_fields if f.attname != "id")
    columns = ", ".join(connection.ops.quote_name(name) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {AccessLog._meta.db_table} ({columns}) VALUES ({marks})"
    return sql + (" RETURNING id" if returning else ""), fields


def _params(row: AccessLog, fields: tuple[str, ...]) -> list:
    time_field = AccessLog._meta.get_field("time")
    return [time_field.get_db_prep_save(row.time, connection) if name == "time"
            else getattr(row, name) for name in fields]


def insert(row: AccessLog) -> None:
    """Insert one row now, in one statement (the ORM's save costs more than the signature)."""
    sql, fields = _insert_sql(True)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(row, fields))
        row.pk = cursor.fetchone()[0]
    row._state.adding = False


class Writer:
    """Queues rows when ``QIXIANG_ACCESS_LOG_BUFFER_SECONDS`` > 0, else inserts them at once."""

    def __init__(self) -> None:
        self._queue: list[AccessLog] = []
        self._by_id: dict[str, AccessLog] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def write(self, row: AccessLog) -> None:
        interval = settings.QIXIANG_ACCESS_LOG_BUFFER_SECONDS
        if interval <= 0:
            insert(row)
            return
        with self._lock:
            if len(self._queue) >= MAX_QUEUE:
                log.error("access log queue full (%d rows): dropping the oldest", MAX_QUEUE)
                self._by_id.pop(self._queue.pop(0).data_id, None)
            self._queue.append(row)
            self._by_id[row.data_id] = row
        self._start(interval)

    def queued(self, data_id: str) -> AccessLog | None:
        """A row this process made and has not written yet."""
        with self._lock:
            return self._by_id.get(data_id)

    def flush(self) -> int:
        """Insert every queued row in one transaction; how many were written."""
        with self._lock:
            rows, self._queue = self._queue, []
        if not rows:
            return 0
        sql, fields = _insert_sql(False)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, [_params(row, fields) for row in rows])
        except Exception:
            with self._lock:  # keep them for the next attempt, oldest first
                self._queue = rows + self._queue
            raise
        with self._lock:
            for row in rows:
                self._by_id.pop(row.data_id, None)
        return len(rows)

    def _start(self, interval: float) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, args=(interval,),
                                             name="qixiang-access-log", daemon=True)
            self._thread.start()

    def _run(self, interval: float) -> None:
        while True:
            time.sleep(interval)
            try:
                self.flush()
            except Exception:
                log.exception("access log: could not write %d queued rows; will retry",
                              len(self._queue))
            finally:
                close_old_connections()


writer = Writer()


@atexit.register
def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # the database may already be gone at exit
        writer.flush()
