"""The contract of an exchanged record kind.

A :class:`Kind` says how one kind of supervision record crosses to and from another government
platform:

* ``name`` (``"sites"``) is the path segment and the value of ``Partner.record_types`` /
  ``Partner.push_types``; ``model`` is the local model, whose audit-trail entries drive the pull
  cursor (every saved change of a supervision record is an audit entry with a rising ``seq``);
* ``exchange_id(obj)`` is the record's stable id on the wire (a supervision code, a site code, an
  inspection number), and ``serialise(obj)`` its content as plain JSON: the same field names a
  partner pushes, never a clear ID number;
* ``shared(queryset)`` narrows what may leave the platform at all (e.g. published enforcement
  results only), ``region_of(obj)`` gives the GB/T 2260 code the partner's region must cover;
* ``schema`` (a pydantic model) validates a pushed record's ``data``; ``redact(data)`` replaces
  personal data (a clear ID number) by what may be kept before the payload is hashed and stored;
  ``apply(partner, exchange_id, data, existing)`` creates or updates the local record
  (``existing`` is the record an earlier version of the same exchange id produced, or None) and
  returns ``(record, created)``. It raises :class:`ExchangeError` naming the field for anything
  the schema cannot see (an unknown subject, a region outside the partner's).

Register a kind in :mod:`qixiang.supervision.exchange` (``KINDS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from pydantic import BaseModel

SCHEMA_VERSION = "1"


class ExchangeError(ValueError):
    """A pushed record that cannot be applied; ``field`` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _identity(data: dict) -> dict:
    return data


def _all(queryset: QuerySet) -> QuerySet:
    return queryset


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    model: type[Model]
    exchange_id: Callable[[Any], str]
    serialise: Callable[[Any], dict]
    region_of: Callable[[Any], str]
    schema: type[BaseModel] | None = None  # None: pull only
    apply: Callable[[Any, str, dict, Any], tuple[Model, bool]] | None = None
    redact: Callable[[dict], dict] = _identity
    shared: Callable[[QuerySet], QuerySet] = _all
    select_related: tuple[str, ...] = ()

    @property
    def pushable(self) -> bool:
        return self.schema is not None and self.apply is not None
