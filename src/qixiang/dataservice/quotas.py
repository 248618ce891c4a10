"""Rate per minute and weighted calls per day, per principal.

**Rate** is a token bucket per principal and process: ``rate_per_minute`` tokens at most, one
taken per request, refilled continuously. It lives in memory (a request costs no database
write); with N worker processes a principal may reach N times the rate, so set the tier rate
per worker or run one process per core behind a proxy that pins clients.

**Daily quota** counts weighted calls (the cost the query layer estimates: one call per 10
elements x 14 days x 1 station, as Open-Meteo weighs its calls) per Beijing day, in
:class:`DailyUsage`. A charge is a journal line (:mod:`.journal`), never a database write on the
request's path: the journal's loader adds the lines to the day's row in batches, exactly once, and
a killed process's lines are added by the next start. The line goes out in the same write as
the answer's access-log row, or is released by the data view before its answer leaves. Each process knows the day's total as
``stored`` (the row as last read: at first use, after each of its loads, and at most
``QIXIANG_JOURNAL_SECONDS`` old while it is charging) plus ``unloaded`` (its own charges not in the
row yet), so the quota holds across processes to within that interval of the others' traffic.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from qixiang.dataservice import journal

BEIJING = ZoneInfo("Asia/Shanghai")
# One weighted call: up to this many elements over up to this span at one station.
CALL_ELEMENTS = 10
CALL_SPAN_SECONDS = 14 * 86400


def weighted_calls(stations: int, elements: int, span_seconds: float) -> float:
    """What a request costs against the daily quota, as Open-Meteo weighs its calls: one call
    per station, times ``elements / 10`` and ``span / 14 days`` where those pass 1; never less
    than one call. A latest-value query has a span of one time step."""
    return max(1.0, max(stations, 1) * max(1.0, elements / CALL_ELEMENTS)
               * max(1.0, span_seconds / CALL_SPAN_SECONDS))


def plan_cost(plan) -> float:
    """:func:`weighted_calls` of a :class:`qixiang.dataservice.query.Plan`."""
    selection = plan.selection
    span = plan.time_steps * selection.dataset.step
    return weighted_calls(len(plan.stations), len(selection.elements), span)


class OverLimit(Exception):
    """A request over the rate or the daily quota; ``retry_after`` in whole seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


def beijing_day(now: datetime | None = None) -> date:
    return (now or datetime.now(BEIJING)).astimezone(BEIJING).date()


def seconds_to_next_day(now: datetime | None = None) -> int:
    now = (now or datetime.now(BEIJING)).astimezone(BEIJING)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), BEIJING)
    return math.ceil((midnight - now).total_seconds())


class RateLimiter:
    """Token buckets keyed by principal, ``rate`` tokens per minute, burst ``rate``."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, monotonic time)
        self._lock = threading.Lock()

    def take(self, key: str, rate_per_minute: int | None) -> None:
        """Take one token or raise :class:`OverLimit` saying when the next one comes."""
        if not rate_per_minute:
            return
        per_second = rate_per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(rate_per_minute), now))
            tokens = min(float(rate_per_minute), tokens + (now - then) * per_second)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / per_second)
                raise OverLimit(_("Rate limit of %(rate)d requests per minute reached.")
                                % {"rate": rate_per_minute}, wait)
            self._buckets[key] = (tokens - 1.0, now)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


@dataclass
class _Account:
    day: date
    stored: float = 0.0  # the day's row as last read (every process's loaded charges)
    unloaded: float = 0.0  # this process's charges still in its journal
    read_at: float = field(default=-math.inf)  # monotonic; -inf: never

    @property
    def total(self) -> float:
        return self.stored + self.unloaded


USAGE = "usage"  # the journal kind of a charge


class UsageMeter:
    """Weighted calls per principal and Beijing day, shared through :class:`DailyUsage`."""

    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()

    def charge(self, key: str, cost: float, daily_quota: float | None) -> float:
        """Add ``cost`` to ``key``'s day and return the day's total, or raise
        :class:`OverLimit` (nothing charged) when it would pass ``daily_quota``."""
        cost = max(float(cost), 0.0)
        with self._lock:
            account = self._account(key)
            if daily_quota is not None and cost > daily_quota:
                raise OverLimit(
                    _("This request costs %(cost)g weighted calls, more than the daily quota "
                      "of %(quota)g: ask for fewer stations, elements or days at a time.")
                    % {"cost": cost, "quota": daily_quota}, seconds_to_next_day())
            if daily_quota is not None and account.total + cost > daily_quota:
                raise OverLimit(
                    _("Daily quota of %(quota)g weighted calls reached (%(spent)g spent today, "
                      "this request costs %(cost)g); it resets at midnight Beijing time.")
                    % {"quota": daily_quota, "spent": account.total, "cost": cost},
                    seconds_to_next_day())
            journal.hold({"kind": USAGE, "principal": key, "day": account.day.isoformat(),
                          "cost": cost})  # written with the answer's access row, or released
            account.unloaded += cost
            return account.total

    def spent(self, key: str) -> float:
        """Weighted calls ``key`` spent today, as far as this process knows."""
        with self._lock:
            return self._account(key).total

    def reset(self) -> None:
        """Forget everything in memory (tests; the database and journal keep the rest)."""
        with self._lock:
            self._accounts.clear()

    def loaded(self, own: dict[tuple[str, str], float], totals: dict[tuple[str, str], float]
               ) -> None:
        """The journal loaded ``own`` (this process's charges) and the rows now hold
        ``totals`` (both by principal and ISO day)."""
        now = time.monotonic()
        with self._lock:
            for (key, day), total in totals.items():
                account = self._accounts.get(key)
                if account is None or account.day.isoformat() != day:
                    continue
                account.stored = total
                account.unloaded = max(0.0, account.unloaded - own.get((key, day), 0.0))
                account.read_at = now

    def _account(self, key: str) -> _Account:
        """``key``'s account of today, its stored total re-read when stale (under the lock)."""
        today = beijing_day()
        account = self._accounts.get(key)
        if account is None or account.day != today:
            account = self._accounts[key] = _Account(day=today)
        now = time.monotonic()
        if now - account.read_at >= settings.QIXIANG_JOURNAL_SECONDS:
            account.stored = _stored(key, today)
            account.read_at = now
        return account


def _table() -> str:
    from qixiang.dataservice.models import DailyUsage

    return DailyUsage._meta.db_table


def _stored(key: str, day: date) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cost FROM {_table()} WHERE principal = %s AND day = %s",
                       [key, day])
        row = cursor.fetchone()
    return row[0] if row else 0.0


def load(entries: list[dict], own: bool):
    """Journal loader: add the charges of ``entries`` to their days' rows (one upsert per
    principal and day); once committed, this process's accounts learn the new totals."""
    sums: dict[tuple[str, str], list] = {}
    for entry in entries:
        spent = sums.setdefault((entry["principal"], entry["day"]), [0.0, 0])
        spent[0] += entry["cost"]
        spent[1] += 1
    table = _table()
    totals = {}
    with connection.cursor() as cursor:
        for (key, day), (cost, requests) in sums.items():
            cursor.execute(
                f"INSERT INTO {table} (principal, day, cost, requests) "
                f"VALUES (%s, %s, %s, %s) ON CONFLICT (principal, day) DO UPDATE SET "
                f"cost = {table}.cost + excluded.cost, "
                f"requests = {table}.requests + excluded.requests RETURNING cost",
                [key, date.fromisoformat(day), cost, requests])
            totals[(key, day)] = cursor.fetchone()[0]
    mine = {k: v[0] for k, v in sums.items()} if own else {}
    return lambda: usage_meter.loaded(mine, totals)


rate_limiter = RateLimiter()
usage_meter = UsageMeter()

