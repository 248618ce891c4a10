"""Decoding for the pipeline: guarded against a failing decoder, and spread over processes.

Decoding is pure (no Django, no database), so it can run in other processes while the parent
stores. :func:`decode_files` decodes many files in a pool of worker processes — on two cores a
folder of BUFR bulletins, whose decoding costs several times its storing, goes about twice as
fast — and hands each file's messages back in file order; storing stays in the calling process,
one transaction per batch, so the crash and duplicate guarantees are unchanged.

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
from qixiang.science.observation import Message, Status

log = logging.getLogger(__name__)

PARALLEL_MIN_BYTES = 256 * 1024  # below this, starting worker processes costs more than it saves


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

    Workers are used when there are at least two files, ``workers`` (default: the CPU count, at
    most 4) is above one and the files hold at least :data:`PARALLEL_MIN_BYTES`. A few files
    are decoded ahead of the one being stored, no more, so memory stays bounded.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(paths) < 2 or _total_size(paths) < PARALLEL_MIN_BYTES:
        for path in paths:
            yield _lazily(path, codec)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        ahead: deque[tuple[Path, Future]] = deque()
        queued = iter(paths)

        def submit(path: Path) -> None:
            ahead.append((path, pool.submit(decode_file, path, codec)))

        for path in queued:
            submit(path)
            if len(ahead) >= 4 * workers:
                break
        while ahead:
            path, future = ahead.popleft()
            try:
                decoded = future.result()
            except Exception:  # a worker died or its result could not be sent back
                log.exception("decoding %s in a worker failed; decoding it in-process", path)
                decoded = _lazily(path, codec)
            next_path = next(queued, None)
            if next_path is not None:
                submit(next_path)
            yield decoded


def _total_size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
        if total >= PARALLEL_MIN_BYTES:
            break
    return total
