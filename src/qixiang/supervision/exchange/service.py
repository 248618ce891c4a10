"""Pulling and pushing records for a partner platform, scoped and idempotent.

**Scope.** A partner (:class:`~qixiang.supervision.models.Partner`, active, linked to the API
user whose key was sent) reads the kinds in ``record_types`` and, with ``may_push``, writes the
kinds in ``push_types``, for records of its region (``region_code`` prefix; empty: the whole
country). Anything else is refused (:class:`Refused`, answered 403).

**Pull.** Every saved change of a supervision record appends an audit entry with a rising
sequence number (:mod:`qixiang.supervision.audit`; appends are serialised on the chain's head,
so numbers follow commit order). ``pull(partner, kind, cursor)`` returns the records of the kind
changed after ``cursor``, each once at its latest state, ordered by their last change, with
``next_cursor`` to send next time. A record deleted since shows as a tombstone. Each version
sent is kept once as an outgoing :class:`~qixiang.supervision.models.ExchangeRecord`.

**Push.** Each record is ``{"id": <the partner's id>, "data": {...}}``. Its content hash is the
sha256 of the canonical JSON of the data (personal data replaced first, see
``Kind.redact``). If the latest version received under that id had the same hash and was
applied, nothing changes and the outcome says ``unchanged``. Otherwise the data are validated
(schema, then references and region) and applied in their own transaction: ``created`` or
``updated`` with the local record's id, or ``rejected`` with the field and reason, kept as a
rejected ExchangeRecord (and a data quality issue owned by the partner). Every request is
also one entry in the audit trail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from qixiang.accounts.models import region_prefix
from qixiang.supervision import audit
from qixiang.supervision import models as m
from qixiang.supervision.exchange import KINDS, SCHEMA_VERSION, get_kind
from qixiang.supervision.exchange.interface import ExchangeError, Kind

MAX_PAGE = 500
DEFAULT_PAGE = 200


class Refused(Exception):
    """The caller may not do this (HTTP 403); the message says why."""


def partner_of(user) -> m.Partner:
    """The active partner the user acts for."""
    try:
        partner = user.supervision_partner
    except (ObjectDoesNotExist, AttributeError):
        partner = None
    if partner is None or not partner.active:
        raise Refused(_("This API key does not belong to an active sharing partner."))
    return partner


def readable(partner: m.Partner) -> list[str]:
    return [k for k in KINDS if k in (partner.record_types or [])]


def writable(partner: m.Partner) -> list[str]:
    if not partner.may_push:
        return []
    return [k for k in KINDS if k in (partner.push_types or []) and KINDS[k].pushable]


def _kind(name: str) -> Kind:
    return get_kind(name)  # KeyError -> 404


def content_hash(data: Any) -> str:
    return hashlib.sha256(audit.canonical(audit.jsonable(data)).encode()).hexdigest()


# --- pull --------------------------------------------------------------------------------------

def pull(partner: m.Partner, kind_name: str, cursor: int = 0,
         limit: int = DEFAULT_PAGE) -> dict:
    kind = _kind(kind_name)
    if kind_name not in readable(partner):
        raise Refused(_("Partner %(partner)s may not read %(kind)s.")
                      % {"partner": partner, "kind": kind_name})
    limit = max(1, min(int(limit), MAX_PAGE))
    prefix = region_prefix(partner.region_code)
    entries = m.AuditEntry.objects.filter(seq__gt=cursor, object_type=kind.model._meta.label)
    if prefix:
        entries = entries.filter(subject_code__in=m.Subject.objects.filter(
            region_code__startswith=prefix).values("subject_code"))
    changed = list(entries.values("object_id").annotate(last=Max("seq")).order_by("last")
                   [:limit + 1])
    has_more = len(changed) > limit
    changed = changed[:limit]
    ids = [c["object_id"] for c in changed if c["object_id"].isdigit()]
    base = kind.model.objects.filter(pk__in=ids).select_related(*kind.select_related)
    shared = {str(pk): obj for pk, obj in kind.shared(base).in_bulk().items()}
    existing = {str(pk) for pk in kind.model.objects.filter(pk__in=ids)
                .values_list("pk", flat=True)}
    records, out_rows = [], []
    content_type = ContentType.objects.get_for_model(kind.model)
    for change in changed:
        local_id, seq = change["object_id"], change["last"]
        obj = shared.get(local_id)
        if obj is None:
            if local_id not in existing:
                records.append({"id": None, "local_id": local_id, "seq": seq, "deleted": True})
            continue
        if prefix and not kind.region_of(obj).startswith(prefix):
            continue
        data = kind.serialise(obj)
        version, exchange_id = content_hash(data), kind.exchange_id(obj)
        records.append({"id": exchange_id, "local_id": local_id, "seq": seq,
                        "version": version, "data": data})
        out_rows.append(m.ExchangeRecord(
            partner=partner, direction=m.Direction.OUT, record_type=kind.name,
            exchange_id=exchange_id, schema_version=SCHEMA_VERSION,
            subject=_subject_of(obj), content_type=content_type, object_id=local_id,
            payload=audit.jsonable(data), payload_sha256=version, status=m.ExchangeStatus.SENT))
    m.ExchangeRecord.objects.bulk_create(out_rows, ignore_conflicts=True)
    next_cursor = changed[-1]["last"] if changed else cursor
    audit.record("exchange.pull", partner, partner.user,
                 {"kind": kind.name, "cursor": cursor, "next_cursor": next_cursor,
                  "records": len(records)}, subject_code="")
    return {"kind": kind.name, "schema_version": SCHEMA_VERSION, "cursor": cursor,
            "next_cursor": next_cursor, "has_more": has_more, "records": records}


def _subject_of(obj) -> m.Subject | None:
    if isinstance(obj, m.Subject):
        return obj
    return getattr(obj, "subject", None)


# --- push --------------------------------------------------------------------------------------

@dataclass
class PushOutcome:
    id: str
    outcome: str  # created | updated | unchanged | rejected
    local_id: str = ""
    field: str = ""
    error: str = ""


@dataclass
class PushSummary:
    kind: str
    results: list[PushOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "schema_version": SCHEMA_VERSION,
                "received": len(self.results),
                **{o: self.count(o) for o in ("created", "updated", "unchanged", "rejected")},
                "results": [r.__dict__ for r in self.results]}


def push(partner: m.Partner, kind_name: str, items: list[dict],
         schema_version: str = SCHEMA_VERSION) -> PushSummary:
    kind = _kind(kind_name)
    if kind_name not in writable(partner):
        raise Refused(_("Partner %(partner)s may not push %(kind)s.")
                      % {"partner": partner, "kind": kind_name})
    summary = PushSummary(kind.name)
    for position, item in enumerate(items):
        summary.results.append(_push_one(partner, kind, position, item, schema_version))
    audit.record("exchange.push", partner, partner.user,
                 {"kind": kind.name, "received": len(items),
                  **{o: summary.count(o) for o in ("created", "updated", "unchanged",
                                                   "rejected")}}, subject_code="")
    if summary.count("rejected") or summary.count("created") or summary.count("updated"):
        from qixiang.supervision.quality import get_rule, runner

        runner.apply(get_rule("exchange.schema"))
    return summary


def _describe(error: ValidationError) -> tuple[str, str]:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "data"
    return where, "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())) or 'data'}: "
                            f"{e.get('msg')}" for e in error.errors())


def _push_one(partner: m.Partner, kind: Kind, position: int, item: dict,
              schema_version: str) -> PushOutcome:
    exchange_id = str(item.get("id") or "").strip()
    raw = item.get("data")
    if not exchange_id or len(exchange_id) > 100:
        return PushOutcome(exchange_id, "rejected", field=f"records[{position}].id",
                           error=_("every record needs an id of 1 to 100 characters"))
    if not isinstance(raw, dict):
        return PushOutcome(exchange_id, "rejected", field="data",
                           error=_("data must be a JSON object"))
    kept = kind.redact(raw)
    version = content_hash(kept)
    rows = m.ExchangeRecord.objects.filter(partner=partner, direction=m.Direction.IN,
                                           record_type=kind.name, exchange_id=exchange_id)
    latest = rows.order_by("-exchanged_at", "-pk").first()
    if latest is not None and latest.payload_sha256 == version and (
            latest.status == m.ExchangeStatus.APPLIED):
        return PushOutcome(exchange_id, "unchanged", latest.object_id)
    try:
        data = kind.schema.model_validate(raw).model_dump()
    except ValidationError as exc:
        where, message = _describe(exc)
        _keep(partner, kind, exchange_id, version, kept, schema_version, error=message,
              subject=_named_subject(raw))
        return PushOutcome(exchange_id, "rejected", field=where, error=message)
    applied = rows.filter(status=m.ExchangeStatus.APPLIED).exclude(object_id="").order_by(
        "-exchanged_at", "-pk").first()
    existing = (kind.model.objects.filter(pk=applied.object_id).first()
                if applied is not None else None)
    try:
        with transaction.atomic():
            obj, created = kind.apply(partner, exchange_id, data, existing)
            _keep(partner, kind, exchange_id, version, kept, schema_version, obj=obj)
    except ExchangeError as exc:
        _keep(partner, kind, exchange_id, version, kept, schema_version, error=str(exc),
              subject=_named_subject(raw))
        return PushOutcome(exchange_id, "rejected", field=exc.field, error=str(exc))
    except IntegrityError as exc:
        message = _("conflicts with a record already here: %(error)s") % {"error": exc}
        _keep(partner, kind, exchange_id, version, kept, schema_version, error=message)
        return PushOutcome(exchange_id, "rejected", field="data", error=message)
    return PushOutcome(exchange_id, "created" if created else "updated", str(obj.pk))


def _named_subject(raw: dict) -> m.Subject | None:
    """The registered subject a rejected record names, if any (so its region's regulators see
    the rejection); None when it names none we know."""
    from qixiang.supervision.exchange import refs

    for name in ("subject", "key_unit", "uscc"):
        value = raw.get(name)
        if isinstance(value, str) and value:
            try:
                return refs.subject(value)
            except ExchangeError:
                return None
    return None


def _keep(partner: m.Partner, kind: Kind, exchange_id: str, version: str, payload: dict,
          schema_version: str, *, obj=None, error: str = "",
          subject: m.Subject | None = None) -> m.ExchangeRecord:
    """The incoming ExchangeRecord of this version, applied (``obj``) or rejected (``error``)."""
    defaults = {
        "payload": audit.jsonable(payload), "schema_version": schema_version[:20],
        "status": m.ExchangeStatus.REJECTED if error else m.ExchangeStatus.APPLIED,
        "error": error, "exchanged_at": timezone.now(),
        "subject": _subject_of(obj) if obj is not None else subject,
        "content_type": ContentType.objects.get_for_model(obj) if obj is not None else None,
        "object_id": str(obj.pk) if obj is not None else "",
    }
    row, _created = m.ExchangeRecord.objects.update_or_create(
        partner=partner, direction=m.Direction.IN, record_type=kind.name,
        exchange_id=exchange_id, payload_sha256=version, defaults=defaults)
    return row


def scope(partner: m.Partner) -> dict:
    """What the partner may do, with each kind's push schema (JSON Schema)."""
    return {"partner": partner.name, "kind": partner.kind, "region_code": partner.region_code,
            "schema_version": SCHEMA_VERSION, "read": readable(partner),
            "write": writable(partner),
            "schemas": {name: KINDS[name].schema.model_json_schema()
                        for name in writable(partner)},
            "cursor_now": m.AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
            or 0}
