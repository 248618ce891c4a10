"""The decoder family: bytes in, canonical messages out.

A decoder is a module in this package with three names:

``NAME: str``
    Its registry name (``"bufr"``, ``"synop"``, ``"metar"``, ``"csv"``, ``"json"``).

``sniff(data: bytes, filename: str) -> bool``
    True when ``data`` looks like this format. Cheap: reads the first bytes only.

``decode(data: bytes, filename: str = "", **options) -> Iterator[Message]``
    Yields one :class:`qixiang.science.observation.Message` per archived unit (a BUFR message, a
    SYNOP or METAR report of a bulletin, a CSV row, a JSON object), in file order, with
    ``index`` counting from 1. Values are in the canonical units of
    :mod:`qixiang.science.elements`, times timezone-aware UTC.

    A decoder never raises on bad input: a unit it cannot read becomes a message with
    ``status=REJECTED`` and a ``reason`` naming the record and field, and decoding goes on with
    the next unit. Recognised but unsupported content (upper-air, profiler) becomes
    ``status=UNDECODED`` with the reason, its raw bytes kept. Each message's ``raw`` holds exactly
    the bytes of that unit, so an identical re-send hashes the same.

Decoders are pure: no database, no Django. Register a new one in ``codecs/__init__.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from qixiang.science.observation import Message


class Decoder(Protocol):
    NAME: str

    def sniff(self, data: bytes, filename: str) -> bool: ...

    def decode(self, data: bytes, filename: str = "", **options) -> Iterator[Message]: ...


DecodeFunction = Callable[..., Iterator[Message]]
