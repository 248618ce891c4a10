"""The watched folder: drop a file in ``QIXIANG_WATCH_DIR`` and it is ingested, then filed.

A watchdog observer reports files created, written, closed or moved into the folder (not its
sub-folders); files already there at start are taken too. A file is ingested once it is
complete: when its writer closed it (inotify's close-after-write, or a rename into the folder,
the usual atomic hand-over) or, where the platform cannot say, when its size and modification
time have not changed for ``settle`` seconds. Names starting with ``.`` or ending in ``.part``,
``.tmp`` or ``~`` are skipped: writers use them for files still being written.

After :func:`qixiang.ingest.pipeline.ingest_path` (channel ``watch``) the file moves to ``done/``,
or to ``failed/`` when a message of it was rejected, with ``<name>.reason.txt`` beside it holding
the counts and one reason per rejected or undecoded message (the messages themselves are in the
raw archive as dead letters; the good messages of the file are stored). When the ingest itself
fails (database away), the file stays and is tried again; after :data:`ATTEMPTS` tries it goes to
``failed/`` with the error. A name already taken in ``done/`` or ``failed/`` gets ``~2``, ``~3``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import close_old_connections
from django.utils.translation import gettext as _
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from qixiang.ingest.pipeline import IngestResult, ingest_path

log = logging.getLogger(__name__)

DONE, FAILED = "done", "failed"
REASON_SUFFIX = ".reason.txt"
ATTEMPTS = 3
RETRY_PAUSE = 5.0  # seconds between tries when the ingest itself fails


@dataclass
class _Pending:
    size: int = -1
    mtime_ns: int = -1
    changed_at: float = 0.0  # monotonic time the size or mtime last changed
    closed: bool = False
    attempts: int = 0
    not_before: float = 0.0


def is_candidate(path: Path) -> bool:
    """True for names that may be data (not hidden, not a file still being written)."""
    name = path.name
    return not (name.startswith(".") or name.endswith((".part", ".tmp", "~", REASON_SUFFIX)))


class FolderWatcher:
    """Watch ``root`` and ingest each complete file in it (see the module docstring).

    ``on_filed(source, destination, result)`` is called after each file was moved (``result``
    is None when the ingest failed for good).
    """

    def __init__(self, root: Path | str, *, settle: float = 2.0, poll: float = 0.25,
                 on_filed: Callable[[Path, Path, IngestResult | None], None] | None = None) -> None:
        self.root = Path(root).resolve()
        self.settle, self.poll = settle, poll
        self.on_filed = on_filed
        self._pending: dict[Path, _Pending] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        if not self.root.is_dir():
            raise FileNotFoundError(f"QIXIANG_WATCH_DIR {self.root} is not a folder")
        (self.root / DONE).mkdir(exist_ok=True)
        (self.root / FAILED).mkdir(exist_ok=True)
        self._stop.clear()
        self._observer = Observer()
        self._observer.schedule(_Events(self), str(self.root), recursive=False)
        self._observer.start()
        for path in sorted(self.root.iterdir()):  # after the observer: nothing slips between
            if path.is_file():
                self.notice(path)
        self._thread = threading.Thread(target=self._run, name=f"watch-{self.root.name}",
                                        daemon=True)
        self._thread.start()
        log.info("watching %s for files to ingest", self.root)

    def stop(self) -> None:
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    # --- events (observer thread) ---------------------------------------------------------
    def notice(self, path: Path, closed: bool = False) -> None:
        """Note that ``path`` appeared or changed (``closed``: its writer is done with it)."""
        path = Path(path)
        if path.parent != self.root or not is_candidate(path):
            return
        with self._lock:
            entry = self._pending.setdefault(path, _Pending(changed_at=time.monotonic()))
            entry.closed = closed

    def forget(self, path: Path) -> None:
        with self._lock:
            self._pending.pop(Path(path), None)

    # --- worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            ready = self._ready()
            if not ready:
                continue
            close_old_connections()
            for path in ready:
                if self._stop.is_set():
                    break
                try:
                    self._ingest(path)
                except Exception:  # filing failed (file gone, disk full): log, keep watching
                    log.exception("watched file %s could not be filed", path)
                    self.forget(path)

    def _ready(self) -> list[Path]:
        """The pending files that are complete, oldest change first."""
        now = time.monotonic()
        ready: list[tuple[float, Path]] = []
        with self._lock:
            for path, entry in list(self._pending.items()):
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    del self._pending[path]
                    continue
                if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns):
                    changed = entry.size >= 0  # first look is not a change
                    entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
                    if changed:
                        entry.changed_at, entry.closed = now, False
                if now < entry.not_before:
                    continue
                if entry.closed or now - entry.changed_at >= self.settle:
                    ready.append((entry.changed_at, path))
        return [path for _, path in sorted(ready)]

    def _ingest(self, path: Path) -> None:
        try:
            result = ingest_path(path, channel="watch")
        except FileNotFoundError:
            self.forget(path)
            return
        except Exception as exc:
            with self._lock:
                entry = self._pending.get(path)
                if entry is None:
                    return
                entry.attempts += 1
                entry.not_before = time.monotonic() + RETRY_PAUSE
                attempts = entry.attempts
            log.exception("ingest of watched file %s failed (try %d of %d)", path, attempts,
                          ATTEMPTS)
            if attempts >= ATTEMPTS:
                self.forget(path)
                reason = _("%(file)s: not ingested after %(n)d tries: %(error)s") % {
                    "file": path.name, "n": attempts, "error": f"{type(exc).__name__}: {exc}"}
                self._file(path, FAILED, reason, None)
            return
        self.forget(path)
        failed = bool(result.rejected or result.errors)
        reasons = "\n".join([summary(path.name, result), *result.errors, *result.reasons])
        self._file(path, FAILED if failed else DONE,
                   reasons if (result.reasons or result.errors) else "", result)

    def _file(self, path: Path, folder: str, reason: str, result: IngestResult | None) -> None:
        destination = free_name(self.root / folder, path.name)
        os.replace(path, destination)
        if reason:
            destination.with_name(destination.name + REASON_SUFFIX).write_text(
                reason + "\n", encoding="utf-8")
        log.info("%s -> %s/%s%s", path.name, folder, destination.name,
                 f" ({summary(path.name, result)})" if result else "")
        if self.on_filed is not None:
            try:
                self.on_filed(path, destination, result)
            except Exception:
                log.exception("on_filed callback failed for %s", path)


def summary(name: str, result: IngestResult) -> str:
    return _("%(file)s: %(messages)d messages: %(stored)d stored, %(duplicates)d duplicates, "
             "%(rejected)d rejected, %(undecoded)d undecoded") % {
        "file": name, "messages": result.messages, "stored": result.stored,
        "duplicates": result.duplicates, "rejected": result.rejected,
        "undecoded": result.undecoded}


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/name~2`` ... when taken (with its reason file)."""
    candidate, n = folder / name, 1
    while candidate.exists() or candidate.with_name(candidate.name + REASON_SUFFIX).exists():
        n += 1
        candidate = folder / f"{name}~{n}"
    return candidate


class _Events(FileSystemEventHandler):
    """Forwards the observer's file events to the watcher."""

    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_created(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.watcher.notice(Path(os.fsdecode(event.src_path)))

    def on_modified(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.watcher.notice(Path(os.fsdecode(event.src_path)))

    def on_closed(self, event: FileSystemEvent) -> None:
        self.watcher.notice(Path(os.fsdecode(event.src_path)), closed=True)

    def on_moved(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.watcher.forget(Path(os.fsdecode(event.src_path)))
            self.watcher.notice(Path(os.fsdecode(event.dest_path)), closed=True)

    def on_deleted(self, event: FileSystemEvent) -> None:
        if not event.is_directory:
            self.watcher.forget(Path(os.fsdecode(event.src_path)))


def watch_folder(root: Path | str, **options) -> FolderWatcher:
    """Start watching ``root`` (``QIXIANG_WATCH_DIR``); call ``stop()`` on the result to end."""
    watcher = FolderWatcher(root, **options)
    watcher.start()
    return watcher
