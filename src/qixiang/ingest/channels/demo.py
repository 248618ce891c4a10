"""The demo channel: a simulated national network publishing every minute, like real stations.

:class:`DemoPublisher` publishes, at each minute, one JSON message per demo station on the bus
topic ``qixiang/obs/demo/<station>``; the ingest subscription (:mod:`.bus`) takes them through
the same pipeline as a real station's messages. The values come from
:mod:`qixiang.science.simulate`, a pure function of the time, so a minute sent twice is the same
bytes and the second copy is counted as a duplicate.

Minutes before the current one are not queued on the bus: the hour of history seeded at the first
start (recorded as having arrived on time), and the gap left while the server was down (since the
minute in ``var/demo/state.json``, at most ``history_minutes``; recorded as arriving late), are
ingested a minute per pipeline call with channel ``demo``, as a logger's backlog arrives as a
file, in between live minutes: a new minute is always published first, so the live picture is
never stuck behind an hour of backlog.

The planted faults of each six-hour period are appended to ``var/demo/faults.jsonl`` when the
period is first published (one JSON object per fault, see
:class:`qixiang.science.simulate.faults.Fault`), for scoring QC.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, transaction

from qixiang.bus import obs_topic
from qixiang.bus.interface import Bus
from qixiang.ingest import pipeline
from qixiang.ingest.pipeline import IngestResult
from qixiang.science.simulate.messages import Simulator, encode, floor_minute
from qixiang.science.simulate.network import Network
from qixiang.stations.models import Station

log = logging.getLogger(__name__)

SOURCE = "demo"  # Station.source of the demo stations and the topic level of their messages
MINUTE = timedelta(minutes=1)
PUNCTUAL_DELAY = timedelta(seconds=5)  # arrival delay recorded for the seeded history
MAX_LATE_MINUTES = 10  # after a longer pause only the current minute is published


def demo_enabled(mode: str | None = None, watch_dir: str | None = None,
                 bus_url: str | None = None) -> bool:
    """Whether to run the demo network (settings ``QIXIANG_DEMO``, ``_WATCH_DIR``, ``_BUS``).

    ``auto`` runs it when nothing else feeds the platform: no watched folder and the in-process
    bus (an MQTT broker means real sensors may publish). ``on`` and ``off`` force it.
    """
    mode = (settings.QIXIANG_DEMO if mode is None else mode).strip().lower()
    watch_dir = settings.QIXIANG_WATCH_DIR if watch_dir is None else watch_dir
    bus_url = settings.QIXIANG_BUS if bus_url is None else bus_url
    if mode in {"on", "true", "yes", "1"}:
        return True
    if mode in {"off", "false", "no", "0"}:
        return False
    if mode == "auto":
        return not watch_dir.strip() and bus_url.strip().startswith("inprocess")
    raise ImproperlyConfigured(f"QIXIANG_DEMO={mode!r}: use auto, on or off")


def register_stations(network: Network) -> int:
    """Add the demo stations missing from the registry (``source="demo"``); returns how many."""
    known = set(Station.objects.filter(cma_id__in=list(network.cma_id))
                .values_list("cma_id", flat=True))
    rows = [
        Station(cma_id=r["cma_id"], wmo_index=r["wmo_index"], wigos_id=r["wigos_id"],
                name=r["name"], province=r["province"], division_code=r["division_code"],
                latitude=r["latitude"], longitude=r["longitude"], elevation=r["elevation"],
                source=SOURCE)
        for r in network.records() if r["cma_id"] not in known
    ]
    with transaction.atomic():
        Station.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def demo_dir() -> Path:
    path = Path(settings.VAR_DIR) / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path


class DemoPublisher:
    """Publishes the demo network's minutes on ``bus`` from a thread (see the module docstring).

    ``interval`` is the wall-clock seconds per simulated minute: 60 runs in real time; less runs
    the simulation faster than the clock (for tests and demonstrations; its times then run ahead
    of the real ones, so no state is kept). ``history_minutes`` is how far back the first start
    seeds, and the most a restart catches up. ``clock`` returns the current UTC time.
    ``drain_first`` holds each backlog minute back while live messages wait in the bus queue (on
    buses that say so, ``pending()``), so the live minute is stored within seconds.
    """

    def __init__(self, bus: Bus, simulator: Simulator | None = None, *, interval: float = 60.0,
                 history_minutes: int = 60, state_dir: Path | None = None,
                 clock: Callable[[], datetime] | None = None, drain_first: bool = True) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.bus = bus
        self.simulator = simulator or Simulator()
        self.interval = interval
        self.history_minutes = history_minutes
        self.state_dir = state_dir
        self.drain_first = drain_first
        self._wall = clock or (lambda: datetime.now(UTC))
        self._started_wall = self._wall()
        self._started_mono = time.monotonic()
        self._done: datetime | None = self._read_state()  # every minute up to it is sent
        self._live: datetime | None = None  # newest minute published live in this run
        self._backlog: datetime | None = None  # next backlog minute to ingest
        self._backlog_end: datetime | None = None  # first live minute of this run
        self._punctual = False
        self._manifest_epochs: set[int] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0  # messages published on the bus
        self.backfilled = IngestResult(origin="demo/backlog")

    # --- clock and state ------------------------------------------------------------------
    def now(self) -> datetime:
        """The simulated present: the wall clock, or a faster one when ``interval < 60``."""
        if self.interval == 60.0:
            return self._wall()
        elapsed = time.monotonic() - self._started_mono
        return self._started_wall + timedelta(seconds=elapsed * 60.0 / self.interval)

    @property
    def last_minute(self) -> datetime | None:
        """The newest minute up to which every minute was published or backfilled."""
        return self._done

    @property
    def backlog_pending(self) -> bool:
        return self._backlog is not None

    def _read_state(self) -> datetime | None:
        if self.state_dir is None or self.interval != 60.0:
            return None
        path = self.state_dir / "state.json"
        try:
            return datetime.fromisoformat(json.loads(path.read_text())["last_minute"])
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("demo: ignoring unreadable %s (%s)", path, exc)
            return None

    def _mark(self, minute: datetime) -> None:
        self._done = minute
        if self.state_dir is None or self.interval != 60.0:
            return
        path = self.state_dir / "state.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"last_minute": minute.isoformat()}))
        temporary.replace(path)

    def _record_faults(self, start: datetime, end: datetime) -> None:
        """Append the faults of the epochs ``[start, end]`` touches to ``faults.jsonl``, once."""
        if self.state_dir is None:
            return
        plan = self.simulator.faults
        epoch_seconds = plan.epoch_minutes * 60
        first, last = int(start.timestamp()) // epoch_seconds, int(end.timestamp()) // epoch_seconds
        path = self.state_dir / "faults.jsonl"
        if not self._manifest_epochs and path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    stamp = datetime.fromisoformat(json.loads(line)["start"])
                    self._manifest_epochs.add(int(stamp.timestamp()) // epoch_seconds)
        new = [e for e in range(first, last + 1) if e not in self._manifest_epochs]
        if not new:
            return
        with path.open("a", encoding="utf-8") as out:
            for epoch in new:
                for fault in plan.faults_in_epoch(epoch):
                    out.write(json.dumps(fault.to_dict(), ensure_ascii=False) + "\n")
                self._manifest_epochs.add(epoch)

    # --- publishing -----------------------------------------------------------------------
    def publish_minute(self, when: datetime) -> int:
        """Publish every station's message of the minute ``when`` on the bus; returns the count."""
        when = floor_minute(when)
        messages = self.simulator.messages(when)
        for message in messages:
            self.bus.publish(obs_topic(SOURCE, message["station"]), encode(message))
        self.published += len(messages)
        self._record_faults(when, when)
        self._live = when if self._live is None else max(self._live, when)
        if self._backlog is None:
            self._mark(when)
        return len(messages)

    def _ingest_backlog_minute(self, minute: datetime) -> None:
        """One backlog minute straight into the pipeline (channel ``demo``), in one call.

        Seeded history counts as received a few seconds after its minute (it stands for data that
        did arrive on time); a restart's gap counts as received now, late, as a real backlog is.
        """
        payload = b"[" + b",".join(encode(m) for m in self.simulator.messages(minute)) + b"]"
        received = minute + PUNCTUAL_DELAY if self._punctual else None
        close_old_connections()
        try:
            self.backfilled.add(pipeline.ingest_bytes(
                payload, origin=f"qixiang/obs/{SOURCE}", channel="demo", codec="json",
                received_at=received))
        finally:
            close_old_connections()
        self._record_faults(minute, minute)
        self._mark(minute)

    def _publish_live(self, current: datetime) -> None:
        """Publish the minutes due up to ``current``; on the first call, plan the backlog."""
        if self._live is None:
            oldest = current - self.history_minutes * MINUTE
            start = oldest if self._done is None else max(self._done + MINUTE, oldest)
            self._punctual = self._done is None
            if start < current:
                self._backlog, self._backlog_end = start, current
                log.info("demo: backfilling %s to %s", start.isoformat(),
                         (current - MINUTE).isoformat())
            self.publish_minute(current)
            return
        missed = int((current - self._live) / MINUTE)
        if missed > MAX_LATE_MINUTES:
            log.warning("demo: %d minutes were not published (the process was paused)", missed - 1)
            self.publish_minute(current)
            return
        for _ in range(missed):
            self.publish_minute(self._live + MINUTE)

    def _live_waiting(self) -> bool:
        pending = getattr(self.bus, "pending", None)
        return self.drain_first and callable(pending) and pending() > 0

    def step(self) -> float:
        """Do what is due now; returns the seconds to wait before the next step.

        Live minutes come first: the current minute is published as soon as it begins, and the
        backlog is ingested a minute at a time in between, giving way whenever a new minute starts.
        """
        self._publish_live(floor_minute(self.now()))
        while self._backlog is not None and not self._stop.is_set():
            if floor_minute(self.now()) > self._live:
                return 0.0  # a new minute began: publish it before more backlog
            if self._live_waiting():
                self._stop.wait(0.1)
                continue
            self._ingest_backlog_minute(self._backlog)
            self._backlog += MINUTE
            if self._backlog >= self._backlog_end:
                self._backlog = self._backlog_end = None
                self._mark(self._live)
        next_minute = floor_minute(self.now()) + MINUTE
        wall_seconds = (next_minute - self.now()).total_seconds() * self.interval / 60.0
        return max(wall_seconds, 0.0)

    # --- thread ---------------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="demo-publisher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        log.info("demo: publishing %d stations every minute", self.simulator.network.size)
        while not self._stop.is_set():
            try:
                pause = self.step()
            except Exception:
                log.exception("demo: publishing failed; trying again in 10 s")
                pause = 10.0
            self._stop.wait(pause)
