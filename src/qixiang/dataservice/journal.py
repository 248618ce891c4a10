"""An append-only journal per process: what each data answer must leave in the database (its
access-log row, its quota charge), written without waiting for the database.

Why: one INSERT per answer into SQLite — one write lock shared by every worker — cost more than
the rest of a cached answer together. A line appended to a file costs a few microseconds.

How it holds:

- **Writing.** Each process appends to its own file in ``QIXIANG_JOURNAL_DIR``
  (``<host>-<pid>-<ns>-<random>.jsonl``, opened ``O_APPEND``): one JSON line per entry, written
  by one ``write`` before the answer leaves. No fsync: a killed process loses nothing, the
  kernel holds the bytes; a power cut may lose the last moments, as SQLite's own
  ``synchronous=NORMAL`` (our setting) may.
- **Loading.** The process holds an exclusive ``flock`` on its file while it lives. A loader
  thread (:func:`start`, called by the server entry points) moves new lines into the database
  every ``QIXIANG_JOURNAL_SECONDS``, in one transaction per batch, and on the same pass loads
  every file no live process holds — a killed worker's, at the next start or by a sibling —
  then deletes it. When the process ends normally the loader loads what is left.
- **Exactly once.** How far a file is loaded is stored in :class:`JournalMark`, advanced by
  compare-and-set in the same transaction as the rows it covers: a batch is never loaded twice,
  even by two loaders at once. Access-log rows are idempotent besides (unique data id).
- **Bad lines.** A line that cannot be read (the torn tail of a dead file, a garbled line) or
  that the database refuses is kept in ``rejected/<file>`` with its offset and the reason, and
  the rest loads.

A line is a JSON object whose ``kind`` names its loader in :data:`LOADERS`: a function
``(entries, own) -> after`` run inside the loading transaction; ``after`` (or None) runs once
it committed, and ``own`` says the lines are this process's (quotas keep count of those).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson
from django.conf import settings
from django.db import DataError, IntegrityError, close_old_connections, transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

SUFFIX = ".jsonl"
ROTATE_BYTES = 64 * 1024 * 1024  # a file this large is finished and a new one begun
READ_BYTES = 4 * 1024 * 1024  # read at most this much of a file at a time
BATCH_LINES = 5_000  # lines per loading transaction (keeps the write lock short)
LOADERS = {
    "access": "qixiang.dataservice.accesslog.load",
    "usage": "qixiang.dataservice.quotas.load",
}


def directory() -> Path:
    return Path(settings.QIXIANG_JOURNAL_DIR)


class _Moved(Exception):
    """Another loader advanced the file's mark first: re-read it."""


@dataclass(eq=False)
class _File:
    path: Path
    fd: int  # own: O_WRONLY | O_APPEND, flock held; recovered: O_RDONLY, flock held
    rfd: int  # for reading (the same as fd for a recovered file)
    size: int = 0  # own: bytes of complete lines written
    done: bool = False  # own: no more appends (rotated, or a write failed)

    def close(self) -> None:
        for fd in {self.fd, self.rfd}:
            with contextlib.suppress(OSError):
                os.close(fd)


def _create(folder: Path) -> _File:
    """A new own file: made under a temporary name, locked, then renamed, so no loader ever
    sees it unlocked."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{socket.gethostname()}-{os.getpid()}-{time.time_ns()}-{secrets.token_hex(3)}"
    temp = folder / f".{name}.new"
    fd = os.open(temp, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    path = folder / f"{name}{SUFFIX}"
    os.rename(temp, path)
    return _File(path, fd, os.open(path, os.O_RDONLY | os.O_CLOEXEC))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _claim(path: Path) -> _File | None:
    """``path`` locked for recovery, or None while a live process holds it (or it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if os.fstat(fd).st_nlink == 0:  # its loader finished and deleted it meanwhile
        os.close(fd)
        return None
    return _File(path, fd, fd, size=os.fstat(fd).st_size, done=True)


# --- marks --------------------------------------------------------------------------------------


def _marks() -> dict[str, int]:
    from qixiang.dataservice.models import JournalMark

    return dict(JournalMark.objects.values_list("name", "loaded_bytes"))


def _mark(name: str) -> int:
    from qixiang.dataservice.models import JournalMark

    found = JournalMark.objects.filter(name=name).values_list("loaded_bytes", flat=True).first()
    return found or 0


def _advance(name: str, old: int, new: int) -> None:
    """Move ``name``'s mark from ``old`` to ``new`` (inside the loading transaction)."""
    from qixiang.dataservice.models import JournalMark

    if old == 0:
        JournalMark.objects.bulk_create([JournalMark(name=name)], ignore_conflicts=True)
    if not JournalMark.objects.filter(name=name, loaded_bytes=old).update(loaded_bytes=new):
        raise _Moved(name)


def _forget(name: str) -> None:
    from qixiang.dataservice.models import JournalMark

    JournalMark.objects.filter(name=name).delete()


# --- reading ------------------------------------------------------------------------------------


@dataclass
class _Line:
    start: int
    end: int  # offset after its newline
    raw: bytes


def _lines(f: _File, start: int, end: int) -> Iterable[list[_Line]]:
    """Complete lines of ``f`` between ``start`` and ``end``, a chunk at a time; a tail
    without its newline (``end`` is the end of a dead file) comes as one last line."""
    position = start
    while position < end:
        chunk = os.pread(f.rfd, min(READ_BYTES, end - position), position)
        if not chunk:
            return
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            if position + len(chunk) < end:  # one line longer than READ_BYTES
                chunk = os.pread(f.rfd, end - position, position)
                cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                yield [_Line(position, position + len(chunk), chunk)]
                return
        lines = []
        offset = position
        for raw in chunk[:cut].split(b"\n")[:-1]:
            lines.append(_Line(offset, offset + len(raw) + 1, raw))
            offset += len(raw) + 1
        yield lines
        position += cut


def _parse(line: _Line) -> tuple[dict | None, str]:
    """``(entry, "")`` or ``(None, reason)``."""
    try:
        entry = orjson.loads(line.raw)
    except orjson.JSONDecodeError as exc:
        return None, f"not a JSON line (torn or garbled): {exc}"
    if not isinstance(entry, dict) or entry.get("kind") not in LOADERS:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        return None, f"unknown kind {kind!r}"
    return entry, ""


def _reject(f: _File, line: _Line, reason: str) -> None:
    """Keep a line that will not load, with the reason, and say so in the log."""
    log.error("journal %s at byte %d: %s; kept in rejected/", f.path.name, line.start, reason)
    folder = f.path.parent / "rejected"
    folder.mkdir(exist_ok=True, mode=0o700)
    record = orjson.dumps({"file": f.path.name, "offset": line.start, "reason": reason,
                           "line": line.raw.decode("utf-8", "backslashreplace")})
    with open(folder / f"{f.path.stem}.rejected.jsonl", "ab") as out:
        out.write(record + b"\n")


# --- loading ------------------------------------------------------------------------------------


def _commit(name: str, old: int, new: int, entries: list[dict], own: bool) -> None:
    """Load ``entries`` and move the mark from ``old`` to ``new``, in one transaction."""
    by_kind: dict[str, list[dict]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)
    with transaction.atomic():
        _advance(name, old, new)
        afters = [import_string(LOADERS[kind])(group, own) for kind, group in by_kind.items()]
    for after in afters:
        if after is not None:
            after()


def _load_batch(f: _File, mark: int, lines: list[_Line], own: bool) -> int:
    """Load one batch; returns the new mark. Lines that cannot be read, or that the database
    refuses, are kept aside and the others load."""
    parsed = [(line, *_parse(line)) for line in lines]
    rejected = [(line, reason) for line, entry, reason in parsed if entry is None]
    try:
        _commit(f.path.name, mark, lines[-1].end,
                [entry for _line, entry, _reason in parsed if entry is not None], own)
    except (DataError, IntegrityError):  # one bad line must not hold up the rest: one by one
        for line, entry, _reason in parsed:
            try:
                _commit(f.path.name, mark, line.end, [entry] if entry else [], own)
            except (DataError, IntegrityError) as exc:
                _commit(f.path.name, mark, line.end, [], own)
                rejected.append((line, f"refused by the database: {exc}"))
            mark = line.end
    for line, reason in sorted(rejected, key=lambda item: item[0].start):
        _reject(f, line, reason)
    return lines[-1].end


def _load_file(f: _File, end: int, own: bool) -> tuple[int, int]:
    """Load ``f`` up to ``end``; returns (lines loaded, new mark)."""
    mark = _mark(f.path.name)
    count = 0
    for chunk in _lines(f, mark, end):
        for k in range(0, len(chunk), BATCH_LINES):
            batch = chunk[k:k + BATCH_LINES]
            mark = _load_batch(f, mark, batch, own)
            count += len(batch)
    return count, mark


def _finish(f: _File) -> None:
    """A file fully loaded: delete it (before unlocking it, so no loader reads it again), then
    its mark."""
    f.path.unlink(missing_ok=True)
    f.close()
    _forget(f.path.name)


class Journal:
    """This process's journal files and their loader."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # appends and the list of own files
        self._load_lock = threading.Lock()  # one loading pass at a time
        self._files: list[_File] = []  # own files, appended to the last
        self._held: list[bytes] = []  # lines waiting for the next write
        self._folder: object = None  # the QIXIANG_JOURNAL_DIR setting the files are in
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._quiet_until = 0.0  # no failure logged before this (monotonic)
        os.register_at_fork(after_in_child=self._after_fork)

    # writing -------------------------------------------------------------------------------
    def append(self, entry: dict) -> None:
        """Write ``entry`` as one line (with any held ones, in one write); raises OSError
        (nothing written) when the disk refuses."""
        line = orjson.dumps(entry) + b"\n"
        with self._lock:
            self._write(b"".join((*self._held, line)) if self._held else line)

    def hold(self, entry: dict) -> None:
        """Keep ``entry`` to go out with the next :meth:`append` (one write instead of two: a
        quota charge and the access row of the same answer); :meth:`release`, which the data
        views call before their answer leaves, writes it if nothing else did."""
        line = orjson.dumps(entry) + b"\n"
        with self._lock:
            self._held.append(line)

    def release(self) -> None:
        """Write the held entries now."""
        if self._held:
            with self._lock:
                if self._held:
                    self._write(b"".join(self._held))

    def _write(self, data: bytes) -> None:  # under self._lock
        current = self._current()
        try:
            _write_all(current.fd, data)
        except OSError:
            current.done = True  # a partial line may follow its last complete one
            raise
        current.size += len(data)
        self._held.clear()

    def _current(self) -> _File:
        folder = settings.QIXIANG_JOURNAL_DIR
        if folder is not self._folder:  # a new folder (tests): older files are left to recovery
            for f in self._files:
                f.close()
            self._files, self._folder = [], folder
        if not self._files or self._files[-1].done or self._files[-1].size >= ROTATE_BYTES:
            if self._files:
                self._files[-1].done = True
            self._files.append(_create(Path(folder)))
        return self._files[-1]

    def own_paths(self) -> list[Path]:
        with self._lock:
            return [f.path for f in self._files]

    # loading -------------------------------------------------------------------------------
    def load(self) -> int:
        """Load what is new in this process's files and every file no live process holds;
        returns how many lines were loaded."""
        self.release()
        with self._load_lock:
            count = self._load_own()
            folder = directory()
            if folder.is_dir():
                own = set(self.own_paths())
                for path in sorted(folder.glob(f"*{SUFFIX}")):
                    if path not in own and (f := _claim(path)) is not None:
                        try:
                            count += self._recover(f)
                        finally:
                            f.close()
            return count

    def _load_own(self) -> int:
        count = 0
        with self._lock:
            files = [(f, f.size, f.done) for f in self._files]
        for f, end, done in files:
            loaded, mark = _load_file(f, end, own=True)
            count += loaded
            if done and mark >= end:
                with self._lock:
                    self._files.remove(f)
                _finish(f)
        return count

    def _recover(self, f: _File) -> int:
        count, mark = _load_file(f, f.size, own=False)
        if count:
            log.info("journal: loaded %d lines of %s, left by a process that ended",
                     count, f.path.name)
        if mark >= f.size:
            _finish(f)
        return count

    def pending(self, match: Callable[[dict], bool], needle: bytes) -> dict | None:
        """The newest entry not yet in the database (in any process's file) for which
        ``match`` is true; ``needle`` is a byte string its line contains (a fast filter)."""
        folder = directory()
        if not folder.is_dir():
            return None
        marks = _marks()
        found = None
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            try:
                with open(path, "rb") as source:
                    source.seek(marks.get(path.name, 0))
                    data = source.read()
            except FileNotFoundError:
                continue
            end = len(data)
            while (at := data.rfind(needle, 0, end)) >= 0:
                start = data.rfind(b"\n", 0, at) + 1
                stop = data.find(b"\n", at)
                if stop < 0:  # a line still being written
                    end = start
                    continue
                with contextlib.suppress(orjson.JSONDecodeError):
                    entry = orjson.loads(data[start:stop])
                    if isinstance(entry, dict) and match(entry):
                        found = entry
                        break
                end = start
        return found

    # the loader thread ---------------------------------------------------------------------
    def start(self) -> None:
        """Run the loader in a thread of this process (the server entry points call it); its
        first pass loads what killed processes left. It is not a daemon: when the main thread
        ends (interpreter exit, a server worker's exit) it loads what is left, then ends."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="qixiang-journal")
            self._thread.start()

    def stop(self) -> None:
        """Stop the loader after it loaded what is left (a clean exit)."""
        thread = self._thread
        if thread is not None:
            self._stop.set()
            thread.join(timeout=60)
            self._thread = None

    def _run(self) -> None:
        main = threading.main_thread()
        while True:
            self._pass()
            if self._stop.wait(max(0.01, settings.QIXIANG_JOURNAL_SECONDS)) or (
                    not main.is_alive()):
                break
        with self._lock:  # the process is ending: finish its files
            for f in self._files:
                f.done = True
        self._pass()

    def _pass(self) -> None:
        try:
            self.load()
        except _Moved:
            pass  # another loader got there first; the next pass re-reads the mark
        except Exception:
            now = time.monotonic()
            if now >= self._quiet_until:  # once a minute while it keeps failing
                log.exception("journal: loading failed; retrying every pass, the lines are "
                              "kept until they load")
                self._quiet_until = now + 60.0
        finally:
            close_old_connections()

    def _after_fork(self) -> None:
        """A forked child writes its own file; the parent's stay with the parent."""
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        for f in self._files:
            f.close()
        self._files, self._folder, self._thread, self._held = [], None, None, []
        self._stop = threading.Event()


journal = Journal()
append = journal.append
hold = journal.hold
release = journal.release
load = journal.load
start = journal.start
