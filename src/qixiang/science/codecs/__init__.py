"""Decoders for observation formats, one module each behind :mod:`.interface`.

>>> from qixiang.science import codecs
>>> for message in codecs.decode(data, "15015.bin"):   # format detected from the bytes
...     ...
>>> codecs.get_decoder("synop")                        # or asked for by name
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from qixiang.science.observation import Message, rejected

# Sniffing order matters: binary BUFR first, then the self-describing text formats, CSV last.
_MODULES = {
    "bufr": "qixiang.science.codecs.bufr",
    "json": "qixiang.science.codecs.jsonmsg",
    "metar": "qixiang.science.codecs.metar",
    "synop": "qixiang.science.codecs.synop",
    "csv": "qixiang.science.codecs.csv",
}


def names() -> list[str]:
    return list(_MODULES)


def get_decoder(name: str) -> ModuleType:
    """The decoder module registered as ``name``; raises ``ValueError`` for an unknown name."""
    try:
        return importlib.import_module(_MODULES[name])
    except KeyError:
        raise ValueError(f"unknown decoder {name!r}; known: {', '.join(_MODULES)}") from None


def detect(data: bytes, filename: str = "") -> str | None:
    """The name of the first decoder whose ``sniff`` accepts ``data``, or None."""
    for name in _MODULES:
        if get_decoder(name).sniff(data, filename):
            return name
    return None


def decode(data: bytes, filename: str = "", codec: str | None = None, **options) -> Iterator[Message]:
    """Decode ``data`` with ``codec`` or the detected decoder.

    Input that no decoder recognises yields one rejected message, so it is still archived as a
    dead letter with its reason.
    """
    name = codec or detect(data, filename)
    if name is None:
        yield rejected(1, data, "unknown", f"{filename or '<payload>'}: format not recognised "
                       "(not BUFR, SYNOP, METAR, CSV or JSON)")
        return
    yield from get_decoder(name).decode(data, filename, **options)
