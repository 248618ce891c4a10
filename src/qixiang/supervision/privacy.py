"""ID numbers: encrypted at rest, masked by default, revealed only for a recorded purpose.

:func:`set_id_number` stores the ciphertext (Fernet, keys from :mod:`qixiang.supervision.keys`),
a keyed hash for look-ups and the mask. :func:`reveal_id_number` is the only way back to the
clear number: the viewer's role must allow it (an administrator, a regulator whose region covers
the record, an agency user for their own inspectors), the record must be visible to them, and
they must hold an active :class:`~qixiang.supervision.models.AccessGrant` for that purpose and
kind of data. Every read, and every refused attempt, is written to the audit trail with who,
when, the purpose and the record. Pages and exports call :func:`shown_id_number`, which gives
the mask unless a purpose is given and allowed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from qixiang.science import identifiers
from qixiang.supervision import audit, keys, scoping
from qixiang.supervision.models import AccessGrant, IdentifierCheck, PersonalField, Purpose


def id_hash(id_no: str) -> str:
    return identifiers.keyed_hash(keys.lookup_key(), id_no).hex()


def set_id_number(obj: Model, id_no: str, check: str | None = None) -> None:
    """Store ``id_no`` on ``obj`` (a model with the ID columns) encrypted, hashed and masked."""
    number = identifiers.normalise(id_no)
    if not number:
        obj.id_no_encrypted = obj.id_no_hash = obj.id_no_masked = ""
        obj.id_no_check = IdentifierCheck.ABSENT
        return
    if check is None:
        check = (IdentifierCheck.VALID if identifiers.validate_resident_id(number).valid
                 else IdentifierCheck.REVIEW)
    obj.id_no_encrypted = keys.pii_cipher().encrypt(number.encode()).decode()
    obj.id_no_hash = id_hash(number)
    obj.id_no_masked = identifiers.mask_resident_id(number)
    obj.id_no_check = check


def with_id_number(queryset: QuerySet, id_no: str) -> QuerySet:
    """Records of ``queryset`` holding this ID number (found by hash, nothing decrypted)."""
    return queryset.filter(id_no_hash=id_hash(id_no))


def scope_of(obj: Model) -> str:
    return (PersonalField.INSPECTOR_ID if obj._meta.model_name == "inspector"
            else PersonalField.SUBJECT_ID)


def grant_for(user, obj: Model, purpose: str) -> AccessGrant | None:
    """The grant that lets ``user`` read ``obj``'s ID number for ``purpose``, or None."""
    if purpose not in Purpose.values:
        return None
    kind = scoping.actor_kind(user)
    if kind == scoping.AGENCY:
        member = scoping.membership(user)
        if obj._meta.model_name != "inspector" or obj.agency_id != member.agency_id:
            return None
    elif kind not in (scoping.ADMIN, scoping.REGULATOR):
        return None
    if not scoping.can_see(user, obj):
        return None
    grants = AccessGrant.objects.filter(grantee=user, purpose=purpose, scope=scope_of(obj),
                                        revoked=False).order_by("-expires_at")
    return next((g for g in grants if g.active), None)


def reveal_id_number(obj: Model, user, purpose: str) -> str:
    """The clear ID number for ``purpose``; logged. Raises PermissionDenied when not allowed."""
    grant = grant_for(user, obj, purpose)
    change = {"field": "id_no", "purpose": purpose, "grant": grant.pk if grant else None}
    if grant is None:
        audit.record("personal_data.refused", obj, user, change)
        raise PermissionDenied(_("Your role and purpose do not allow reading this ID number."))
    if not obj.id_no_encrypted:
        return ""
    audit.record("personal_data.read", obj, user, change)
    return keys.pii_cipher().decrypt(obj.id_no_encrypted.encode()).decode()


def shown_id_number(obj: Model, user, purpose: str | None = None) -> str:
    """What a page or export shows: the mask, or the clear number when ``purpose`` allows it."""
    if purpose and grant_for(user, obj, purpose) is not None:
        return reveal_id_number(obj, user, purpose)
    return obj.id_no_masked
