"""``/api/supervision/exchange/``: partner platforms pull and push records with their API key.

See :mod:`qixiang.supervision.exchange.service` for the semantics and
docs/supervision-exchange.md for examples. Only API keys authenticate here (a partner is a
program); a key whose user is no active partner, or a kind outside the partner's scope, gets
403, an unknown kind 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from qixiang.accounts.auth import api_key_auth
from qixiang.supervision.exchange import SCHEMA_VERSION, service

router = Router(tags=["supervision exchange"], auth=api_key_auth)


class PushItem(Schema):
    id: str = Field(description="the partner's stable id of the record (1-100 characters)")
    data: dict[str, Any] = Field(description="the record, in the fields of its kind's schema")


class PushIn(Schema):
    schema_version: str = Field(SCHEMA_VERSION, description="exchange schema version")
    records: list[PushItem] = Field(max_length=service.MAX_PAGE)


class PushResult(Schema):
    id: str
    outcome: str
    local_id: str = ""
    field: str = ""
    error: str = ""


class PushOut(Schema):
    kind: str
    schema_version: str
    received: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    results: list[PushResult]


class PulledRecord(Schema):
    id: str | None
    local_id: str
    seq: int
    version: str | None = None
    deleted: bool = False
    data: dict[str, Any] | None = None


class PullOut(Schema):
    kind: str
    schema_version: str
    cursor: int
    next_cursor: int
    has_more: bool
    records: list[PulledRecord]


class ScopeOut(Schema):
    partner: str
    kind: str
    region_code: str
    schema_version: str
    read: list[str]
    write: list[str]
    schemas: dict[str, dict]
    cursor_now: int


def _partner(request):
    try:
        return service.partner_of(request.auth)
    except service.Refused as exc:
        raise HttpError(403, str(exc)) from exc


@router.get("/", response=ScopeOut, url_name="supervision_exchange_scope",
            summary="What this partner may read and write")
def exchange_scope(request):
    """The partner's region, the kinds it may pull (``read``) and push (``write``), the JSON
    Schema of each writable kind's ``data``, and the newest cursor."""
    return service.scope(_partner(request))


def _call(function, *args):
    try:
        return function(*args)
    except service.Refused as exc:
        raise HttpError(403, str(exc)) from exc
    except KeyError as exc:
        raise HttpError(404, exc.args[0]) from exc


@router.get("/{kind}", response=PullOut, url_name="supervision_exchange_pull",
            summary="Records of a kind changed since a cursor")
def exchange_pull(request, kind: str, cursor: int = 0, limit: int = service.DEFAULT_PAGE):
    """Each record changed after ``cursor``, once, at its latest state, ordered by its last
    change (``seq``). Send ``next_cursor`` next time; ``has_more`` says another page is
    waiting now. ``limit`` is 1 to 500 (default 200). Deleted records come as tombstones."""
    if cursor < 0:
        raise HttpError(400, "cursor: must be 0 or a next_cursor returned before")
    return _call(service.pull, _partner(request), kind, cursor, limit)


@router.post("/{kind}", response=PushOut, url_name="supervision_exchange_push",
             summary="Push records of a kind (idempotent)")
def exchange_push(request, kind: str, body: PushIn):
    """Create or update each record by the partner's ``id``. The same content pushed again
    changes nothing (``unchanged``); a record failing the schema or outside the partner's
    region is ``rejected`` with the field and reason, and the others still apply."""
    partner = _partner(request)
    items = [{"id": r.id, "data": r.data} for r in body.records]
    with transaction.atomic():
        summary = _call(service.push, partner, kind, items, body.schema_version)
    return summary.as_dict()
