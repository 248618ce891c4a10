"""The append-only, hash-chained audit trail.

Each :class:`AuditEntry` stores ``hash = sha256(prev_hash + canonical JSON of the entry)``, where
the entry is its sequence number, time, actor, action, record and change. Changing, removing or
inserting a row anywhere breaks the chain from there on, which ``qixiang audit verify`` reports
(:mod:`qixiang.supervision.audit`). :class:`AuditHead` is one row holding the last sequence
number and hash; appending locks it, so concurrent writers extend the chain one at a time on
PostgreSQL as on SQLite. The ORM refuses to update or delete entries; the chain catches anything
done behind its back.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised on an attempt to change or delete an audit entry through the ORM."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be updated")

    def delete(self):
        raise AppendOnly("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """One step kept in the trail: who did what to which record, and the change."""

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True, default="",
                             help_text=_("User name at the time, or 'system'."))
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("record type"), max_length=60, blank=True, default="")
    object_id = models.CharField(_("record id"), max_length=40, blank=True, default="")
    subject_code = models.CharField(_("unified supervision code"), max_length=32, blank=True,
                                    default="", db_index=True)
    change = models.JSONField(_("change"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")


class AuditHead(models.Model):
    """The end of the chain: the last sequence number and hash (a single row, pk 1)."""

    seq = models.PositiveBigIntegerField(_("sequence number"), default=0)
    hash = models.CharField(_("hash"), max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
