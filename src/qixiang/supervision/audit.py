"""Writing and checking the hash-chained audit trail (:mod:`qixiang.supervision.models.audit`).

:func:`record` appends one entry; :func:`verify` walks the chain and names the first entry that
does not fit. Every save and delete of a supervision record is recorded by the signal receivers
in :mod:`qixiang.supervision.signals`; workflow steps record their own, richer entry
(:mod:`qixiang.supervision.workflows`) and silence the plain one with :func:`quiet`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from qixiang.supervision.models.audit import AuditEntry, AuditHead

GENESIS = "0" * 64
SYSTEM = "system"

# Fields never copied into the trail: ciphertext is useless there and only widens exposure.
SECRET_FIELDS = frozenset({"id_no_encrypted"})

_quiet: contextvars.ContextVar[frozenset] = contextvars.ContextVar("audit_quiet",
                                                                   default=frozenset())


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types, the same way every time (times in UTC, ISO 8601)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=canonical) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return value


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, payload: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(payload)).encode()).hexdigest()


def payload_of(entry: AuditEntry) -> dict:
    """What an entry's hash covers (everything but the hashes)."""
    return {"seq": entry.seq, "at": jsonable(entry.at), "actor_id": entry.actor_id,
            "actor": entry.actor, "action": entry.action, "object_type": entry.object_type,
            "object_id": entry.object_id, "subject_code": entry.subject_code,
            "change": entry.change}


def subject_code_of(obj: models.Model | None) -> str:
    """The unified supervision code a record belongs to, following its parents (or empty)."""
    seen = 0
    while obj is not None and seen < 4:
        if obj._meta.model_name == "subject":
            return obj.subject_code
        parent = None
        for name in ("subject", "key_unit", "agency", "task", "hazard", "site", "session"):
            field = _fk(obj, name)
            if field is not None and getattr(obj, field.attname) is not None:
                parent = getattr(obj, name)
                break
        obj, seen = parent, seen + 1
    return ""


def _fk(obj: models.Model, name: str):
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return None
    return field if field.many_to_one or field.one_to_one and field.concrete else None


def snapshot(instance: models.Model) -> dict:
    """The record's own columns (foreign keys as ids), secrets left out."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        data[field.attname] = jsonable(field.value_from_object(instance))
    return data


def _actor(actor) -> tuple[int | None, str]:
    if actor is None or actor == SYSTEM:
        return None, SYSTEM
    if not getattr(actor, "is_authenticated", False):
        return None, "anonymous"
    return actor.pk, actor.get_username()


def record(action: str, obj: models.Model | None = None, actor=None, change: dict | None = None,
           *, subject_code: str | None = None, at: dt.datetime | None = None) -> AuditEntry:
    """Append one entry; ``actor`` is a user, None or :data:`SYSTEM` for the platform itself."""
    actor_id, actor_name = _actor(actor)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditHead.objects.get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1, at=(at or timezone.now()).astimezone(dt.UTC).replace(tzinfo=dt.UTC),
            actor_id=actor_id, actor=actor_name, action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            subject_code=subject_code if subject_code is not None else subject_code_of(obj),
            change=json.loads(canonical(jsonable(change or {}))), prev_hash=head.hash)
        entry.hash = entry_hash(entry.prev_hash, payload_of(entry))
        entry.save()
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@contextlib.contextmanager
def quiet(*instances: models.Model) -> Iterator[None]:
    """Within the block, saving these instances adds no plain create/update entry."""
    keys = frozenset((type(i)._meta.label, i.pk) for i in instances)
    token = _quiet.set(_quiet.get() | keys)
    try:
        yield
    finally:
        _quiet.reset(token)


def is_quiet(instance: models.Model) -> bool:
    return (type(instance)._meta.label, instance.pk) in _quiet.get()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of :func:`verify`: how many entries were checked and the first bad one."""

    checked: int
    bad_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.bad_seq is None


def verify(chunk_size: int = 2000) -> Verdict:
    """Walk the chain in order; the first entry whose link, hash or number is wrong is reported."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return Verdict(checked, expected_seq, f"entry {expected_seq} is missing "
                           f"(next is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return Verdict(checked, entry.seq, "its previous hash does not match the entry "
                           "before it")
        if entry_hash(prev_hash, payload_of(entry)) != entry.hash:
            return Verdict(checked, entry.seq, "its content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        return Verdict(checked, expected_seq, f"the chain ends at {expected_seq - 1} but its "
                       f"head says {head.seq}: entries after it were removed")
    return Verdict(checked)
