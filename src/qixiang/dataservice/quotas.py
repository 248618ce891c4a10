"""Rate per minute and weighted calls per day, per principal.

**Rate** is a token bucket per principal and process: ``rate_per_minute`` tokens at most, one
taken per request, refilled continuously. It lives in memory (a request costs no database
write); with N worker processes a principal may reach N times the rate, so set the tier rate
per worker or run one process per core behind a proxy that pins clients.

**Daily quota** counts weighted calls (the cost the query layer estimates: one call per 10
elements x 14 days x 1 station, as Open-Meteo weighs its calls) per Beijing day. Each process
keeps a running total per principal and writes what it spent to :class:`DailyUsage` at most every
``QIXIANG_USAGE_FLUSH_SECONDS`` (and reads back what the other processes spent), so the quota
holds across processes and restarts to within one flush interval of traffic.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

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
    total: float = 0.0  # what all processes had spent at the last sync, plus ours since
    pending_cost: float = 0.0  # ours, not yet written
    pending_requests: int = 0
    synced_at: float = field(default=-math.inf)  # monotonic; -inf: never


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
            if time.monotonic() - account.synced_at >= settings.QIXIANG_USAGE_FLUSH_SECONDS:
                self._sync(key, account)
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
            account.total += cost
            account.pending_cost += cost
            account.pending_requests += 1
            return account.total

    def spent(self, key: str) -> float:
        """Weighted calls ``key`` spent today, as far as this process knows."""
        with self._lock:
            return self._account(key).total

    def flush(self) -> None:
        """Write every pending charge to the database now."""
        with self._lock:
            for key, account in self._accounts.items():
                if account.pending_requests:
                    self._sync(key, account)

    def reset(self) -> None:
        """Forget everything in memory (tests; the database keeps what was flushed)."""
        with self._lock:
            self._accounts.clear()

    def _account(self, key: str) -> _Account:
        today = beijing_day()
        account = self._accounts.get(key)
        if account is None or account.day != today:
            if account is not None and account.pending_requests:
                self._sync(key, account)
            account = self._accounts[key] = _Account(day=today)
        return account

    def _sync(self, key: str, account: _Account) -> None:
        """Add what this process spent since the last sync and read back the day's total
        (one upsert statement, SQLite >= 3.35 and PostgreSQL)."""
        from qixiang.dataservice.models import DailyUsage

        table = DailyUsage._meta.db_table
        with connection.cursor() as cursor:
            if account.pending_requests:
                cursor.execute(
                    f"INSERT INTO {table} (principal, day, cost, requests) "
                    f"VALUES (%s, %s, %s, %s) ON CONFLICT (principal, day) DO UPDATE SET "
                    f"cost = {table}.cost + excluded.cost, "
                    f"requests = {table}.requests + excluded.requests RETURNING cost",
                    [key, account.day, account.pending_cost, account.pending_requests])
            else:
                cursor.execute(f"SELECT cost FROM {table} WHERE principal = %s AND day = %s",
                               [key, account.day])
            row = cursor.fetchone()
        account.total = row[0] if row else 0.0
        account.pending_cost, account.pending_requests = 0.0, 0
        account.synced_at = time.monotonic()


rate_limiter = RateLimiter()
usage_meter = UsageMeter()


@atexit.register
def _flush_at_exit() -> None:  # best effort: a killed process loses at most one interval
    with contextlib.suppress(Exception):  # the database may already be gone at exit
        usage_meter.flush()
