"""Data sharing with other government platforms (一平台录入、多平台互通共享).

A :class:`Partner` is another platform (emergency management, housing, market regulation, fire,
the national lightning platform) with the record types and region it may pull or push; it
authenticates as its own user (``Partner.user``) with that user's API keys. Every record
exchanged is an :class:`ExchangeRecord` keyed by the partner's exchange id and the sha256 of its
content, so receiving the same version twice changes nothing (idempotent imports), each version
sent or received is kept once, and every shared record can be traced
(:mod:`qixiang.supervision.exchange`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import Timestamped
from qixiang.supervision.models.subjects import Subject


class PartnerKind(models.TextChoices):
    EMERGENCY = "emergency", _("emergency management")
    HOUSING = "housing", _("housing and construction")
    MARKET = "market", _("market regulation")
    FIRE = "fire", _("fire and rescue")
    NATIONAL_PLATFORM = "national", _("national lightning-protection platform")
    GOVERNMENT_SERVICE = "government", _("government service platform")
    OTHER = "other", _("other")


class Partner(Timestamped):
    """Another platform records are exchanged with, and what it may see and send."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=PartnerKind.choices)
    region_code = models.CharField(_("region (GB/T 2260)"), max_length=6, blank=True,
                                   default="",
                                   help_text=_("Records of this region only; empty for all."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="supervision_partner",
                                verbose_name=_("API user"))
    record_types = models.JSONField(
        _("record types shared"), default=list, blank=True,
        help_text=_("Kinds of record the partner may pull, e.g. [\"subjects\", \"sites\"]."))
    may_push = models.BooleanField(_("may push records"), default=False)
    push_types = models.JSONField(
        _("record types received"), default=list, blank=True,
        help_text=_("Kinds of record the partner may push (with 'may push records' on)."))
    endpoint = models.URLField(_("endpoint"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sharing partner")
        verbose_name_plural = _("sharing partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    IN = "in", _("received")
    OUT = "out", _("sent")


class ExchangeStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected")
    SENT = "sent", _("sent")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")


class ExchangeRecord(models.Model):
    """One record sent to or received from a partner (SharedRecord in the spec)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="exchanges",
                                verbose_name=_("sharing partner"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    record_type = models.CharField(_("record type"), max_length=40)
    exchange_id = models.CharField(_("exchange id"), max_length=100)
    schema_version = models.CharField(_("schema version"), max_length=20, blank=True,
                                      default="")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="exchange_records", verbose_name=_("subject"))
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("local record type"))
    object_id = models.CharField(_("local record id"), max_length=40, blank=True, default="")
    payload = models.JSONField(_("payload"), default=dict)
    payload_sha256 = models.CharField(_("payload sha256"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=ExchangeStatus.choices)
    error = models.TextField(_("error"), blank=True, default="")
    exchanged_at = models.DateTimeField(_("exchanged"), auto_now_add=True)

    class Meta:
        verbose_name = _("exchange record")
        verbose_name_plural = _("exchange records")
        ordering = ["-exchanged_at"]
        constraints = [models.UniqueConstraint(
            fields=["partner", "direction", "record_type", "exchange_id", "payload_sha256"],
            name="supervision_exchange_version_once")]
        indexes = [models.Index(fields=["partner", "direction", "record_type", "exchange_id"],
                                name="supervision_exchange_lookup")]

    def __str__(self) -> str:
        return f"{self.partner} {self.direction} {self.record_type} {self.exchange_id}"
