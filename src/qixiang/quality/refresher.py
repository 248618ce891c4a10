"""Keeps the hourly quality summaries current in the background of ``qixiang run``.

Summarising an hour of a minute network reads about a million values (a few seconds on SQLite),
so pages compute at most :data:`qixiang.quality.summary.REQUEST_HOURS` hours themselves and this
thread does the rest: every ``interval`` seconds it summarises the new and stale hours of the last
``days`` days, newest first. Without ``qixiang run``, ``qixiang quality refresh`` does the same
from cron.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.db import close_old_connections, connections
from django.utils import timezone

from qixiang.quality import summary

log = logging.getLogger(__name__)


class PeriodicRefresh(threading.Thread):
    """Runs :func:`qixiang.quality.summary.refresh` over the last ``days`` days every
    ``interval`` seconds until :meth:`stop`."""

    def __init__(self, interval: float = 60.0, days: int = 31) -> None:
        super().__init__(name="quality-summaries", daemon=True)
        self.interval = interval
        self.days = days
        self._stopping = threading.Event()
        self.runs = 0

    def refresh_once(self) -> int:
        """One pass: summarise the due hours of the last ``days`` days; returns how many."""
        now = timezone.now()
        return summary.refresh(now - timedelta(days=self.days), now + summary.HOUR,
                               stop=self._stopping)

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                done = self.refresh_once()
                self.runs += 1
                if done:
                    log.info("quality summaries: %d hours summarised", done)
            except Exception:  # a failed pass must not end the thread; the next one retries
                log.exception("quality summaries failed")
            finally:
                close_old_connections()
            self._stopping.wait(self.interval)
        connections.close_all()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=30)
