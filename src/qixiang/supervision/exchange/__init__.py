"""Record exchange with other government platforms (一平台录入、多平台互通共享, seed §2(2)).

A partner platform pulls the changes of a record kind since a cursor and pushes records of the
kinds it may write, with its own API key (:mod:`.service`; the HTTP routes are
:mod:`qixiang.supervision.api.exchange`, documented in docs/supervision-exchange.md). One module
per kind in :mod:`.kinds`, behind :func:`get_kind`; the contract is :mod:`.interface`.
"""

from __future__ import annotations

from qixiang.supervision.exchange.interface import SCHEMA_VERSION, ExchangeError, Kind
from qixiang.supervision.exchange.kinds import (
    credit_records,
    enforcement_results,
    key_units,
    sites,
    subjects,
)

KINDS: dict[str, Kind] = {k.name: k for k in (
    subjects.KIND, key_units.KIND, sites.KIND, credit_records.KIND, enforcement_results.KIND)}


def get_kind(name: str) -> Kind:
    """The kind called ``name``; KeyError naming the known kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown record kind {name!r}; known: {', '.join(KINDS)}") from None


__all__ = ["KINDS", "SCHEMA_VERSION", "ExchangeError", "Kind", "get_kind"]
