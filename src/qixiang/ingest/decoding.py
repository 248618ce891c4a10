"""Decoding for the pipeline: guarded against a failing decoder, and spread over processes.

Decoding is pure (no Django, no database), so it can run in other processes while the parent
stores. :func:`decode_files` decodes in a pool of worker processes and hands each file's
messages back in file order; storing stays in the calling process, one transaction per batch,
so the crash and duplicate guarantees are unchanged. The units of work are whole files, and
for a large BUFR file (:data:`SPLIT_MIN_BYTES`) chunks of its messages: the parent cuts it with
:func:`qixiang.science.codecs.bufr.frames` (section 0 lengths, cheap) and the workers decode the
chunks, so one big file keeps every core busy too. BUFR decoding costs several times its
storing, so on two cores a BUFR file or folder goes about twice as fast.

This module imports no Django: worker processes start from a fresh interpreter (``spawn``, safe
beside the server's threads) and import only the decoders.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from qixiang.science import codecs
from qixiang.science.codecs import bufr
from qixiang.science.observation import Message, Status

log = logging.getLogger(__name__)

PARALLEL_MIN_BYTES = 256 * 1024  # below this, starting worker processes costs more than it saves
SPLIT_MIN_BYTES = 256 * 1024  # a BUFR file this large is decoded in chunks on every worker
CHUNK_BYTES = 64 * 1024  # about this much BUFR per chunk (some 250 SYNOP messages)


def guarded(data: bytes, filename: str, codec: str | None, errors: list[str]) -> Iterator[Message]:
    """The decoder's messages for ``data``; should it raise, the whole input becomes a dead letter.

    A decoder must not raise on bad input, so this is an internal error: it is logged and
    appended to ``errors``, and the input is still archived (rejected) with the reason.
    """
    index = 0
    try:
        for message in codecs.decode(data, filename, codec=codec):
            index = message.index
            yield message
    except Exception as exc:
        log.exception("decoder failed on %s after message %d", filename, index)
        reason = (f"{filename or '<payload>'}: internal decoder error after message {index}: "
                  f"{type(exc).__name__}: {exc}")
        errors.append(reason)
        yield Message(index=index + 1, raw=data, codec=codec or "unknown",
                      status=Status.REJECTED, reason=reason)


@dataclass
class DecodedFile:
    """One file's messages (or why it could not be read), decoded in a worker or in-process."""

    path: Path
    messages: Iterable[Message] = ()
    errors: list[str] = field(default_factory=list)
    unreadable: str = ""  # the OS error when the file could not be read


def decode_file(path: Path, codec: str | None) -> DecodedFile:
    """Read and decode ``path`` completely (the unit of work of a worker process)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DecodedFile(path, unreadable=f"{type(exc).__name__}: {exc}")
    result = DecodedFile(path)
    result.messages = list(guarded(data, path.name, codec, result.errors))
    return result


def decode_frames(path: Path, frames: list[bufr.Frame]) -> DecodedFile:
    """Decode a chunk of a BUFR file's messages (the other unit of work of a worker process)."""
    result = DecodedFile(path)
    messages = []
    for frame in frames:
        try:
            messages.append(bufr.decode_frame(frame, path.name))
        except Exception as exc:  # a decoder must not raise: an internal error, kept as such
            log.exception("decoder failed on %s message %d", path.name, frame.index)
            reason = (f"{path.name}: message {frame.index}: internal decoder error: "
                      f"{type(exc).__name__}: {exc}")
            result.errors.append(reason)
            messages.append(Message(index=frame.index, raw=frame.raw, codec=bufr.NAME,
                                    status=Status.REJECTED, reason=reason, header=frame.header))
    result.messages = messages
    return result


def _lazily(path: Path, codec: str | None) -> DecodedFile:
    """In-process: messages are decoded while they are stored, nothing held in memory."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return DecodedFile(path, unreadable=f"{type(exc).__name__}: {exc}")
    result = DecodedFile(path)
    result.messages = guarded(data, path.name, codec, result.errors)
    return result


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def decode_files(paths: list[Path], codec: str | None = None,
                 workers: int | None = None) -> Iterator[DecodedFile]:
    """Each of ``paths`` decoded, in order; in worker processes when that pays off.

    Workers are used when ``workers`` (default: the CPU count, at most 4) is above one and the
    files hold at least :data:`PARALLEL_MIN_BYTES`, and there are at least two files or one
    BUFR file to cut into chunks. A few units are decoded ahead of the one being stored, no
    more, so memory stays bounded. A file's messages come chunk by chunk as they are consumed;
    a file left half-consumed (its storing failed) is skipped for the next.
    """
    workers = default_workers() if workers is None else workers
    if (workers <= 1 or _total_size(paths) < PARALLEL_MIN_BYTES
            or (len(paths) == 1 and not _splittable(paths[0], codec))):
        for path in paths:
            yield _lazily(path, codec)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        units = _Units(pool, _plan(paths, codec), ahead=4 * workers)
        for number, path in enumerate(paths):
            yield units.file(number, path)


@dataclass(slots=True)
class _Unit:
    number: int  # which file
    path: Path
    codec: str | None
    frames: list[bufr.Frame] | None = None  # a chunk of a split BUFR file; None: the whole file
    done: DecodedFile | None = None  # known without a worker (the file could not be read)

    def submit(self, pool: ProcessPoolExecutor) -> Future:
        if self.done is not None:
            future: Future = Future()
            future.set_result(self.done)
            return future
        if self.frames is None:
            return pool.submit(decode_file, self.path, self.codec)
        return pool.submit(decode_frames, self.path, self.frames)

    def in_process(self) -> DecodedFile:
        if self.frames is None:
            return _lazily(self.path, self.codec)
        return decode_frames(self.path, self.frames)


def _plan(paths: list[Path], codec: str | None) -> Iterator[_Unit]:
    """The units of work, file by file: the whole file, or chunks of a large BUFR file."""
    for number, path in enumerate(paths):
        if not _splittable(path, codec):
            yield _Unit(number, path, codec)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield _Unit(number, path, codec,
                        done=DecodedFile(path, unreadable=f"{type(exc).__name__}: {exc}"))
            continue
        chunk: list[bufr.Frame] = []
        size = chunks = 0
        for frame in bufr.frames(data, path.name):
            chunk.append(frame)
            size += len(frame.raw)
            if size >= CHUNK_BYTES:
                yield _Unit(number, path, codec, frames=chunk)
                chunk, size, chunks = [], 0, chunks + 1
        if chunk or not chunks:  # (no message at all: the whole file, the decoder says why)
            yield _Unit(number, path, codec, frames=chunk or None)


class _Units:
    """Units submitted to the pool in order, at most ``ahead`` at a time; results in order."""

    def __init__(self, pool: ProcessPoolExecutor, units: Iterator[_Unit], ahead: int) -> None:
        self._pool = pool
        self._units = units
        self._ahead = ahead
        self._running: deque[tuple[_Unit, Future]] = deque()
        self._fill()

    def _fill(self) -> None:
        while len(self._running) < self._ahead:
            unit = next(self._units, None)
            if unit is None:
                return
            try:
                future = unit.submit(self._pool)
            except Exception as exc:  # the pool broke: this unit is decoded in-process instead
                future = Future()
                future.set_exception(exc)
            self._running.append((unit, future))

    def next_of(self, number: int) -> DecodedFile | None:
        """The next decoded unit of file ``number`` (units of earlier files are dropped), or
        None when that file has no more."""
        while self._running:
            unit, future = self._running[0]
            if unit.number > number:
                return None
            self._running.popleft()
            self._fill()
            if unit.number < number:
                future.cancel()
                continue
            try:
                return future.result()
            except Exception:  # a worker died or its result could not be sent back
                log.exception("decoding %s in a worker failed; decoding it in-process", unit.path)
                return unit.in_process()
        return None

    def file(self, number: int, path: Path) -> DecodedFile:
        """File ``number``: its first unit now, the messages of the others as they are read."""
        first = self.next_of(number)
        if first is None or first.unreadable:
            return first or DecodedFile(path, unreadable="no work was planned for it")
        decoded = DecodedFile(path, errors=list(first.errors))

        def messages() -> Iterator[Message]:
            yield from first.messages
            while (more := self.next_of(number)) is not None:
                decoded.errors.extend(more.errors)
                yield from more.messages

        decoded.messages = messages()
        return decoded


def _splittable(path: Path, codec: str | None) -> bool:
    """A BUFR file large enough to be worth cutting into chunks."""
    if codec not in (None, bufr.NAME):
        return False
    try:
        if path.stat().st_size < SPLIT_MIN_BYTES:
            return False
        with path.open("rb") as f:
            head = f.read(512)
    except OSError:
        return False
    return bufr.sniff(head, path.name)


def _total_size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
        if total >= PARALLEL_MIN_BYTES:
            break
    return total
