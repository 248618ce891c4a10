"""What the ingest received: the raw archive, dead letters and per-minute stage counts.

Every message is archived once, keyed by the sha256 of its bytes; an identical re-send finds its
hash and changes nothing. A rejected message stays in the archive with ``status=rejected`` and is
listed as a dead letter with its reason. Counts per stage and minute make ``in = stored +
duplicates + rejected + undecoded`` visible.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RawMessage(models.Model):
    class Status(models.TextChoices):
        DECODED = "decoded", _("decoded and stored")
        REJECTED = "rejected", _("rejected")
        UNDECODED = "undecoded", _("archived, not yet decoded")

    sha256 = models.CharField(max_length=64, unique=True)
    payload = models.BinaryField()
    codec = models.CharField(max_length=16)
    channel = models.CharField(_("channel"), max_length=16)  # file, http, mqtt, watch, demo
    origin = models.CharField(_("origin"), max_length=512, blank=True, default="")  # file or topic
    position = models.PositiveIntegerField(_("position in origin"), default=1)
    header = models.CharField(_("GTS heading"), max_length=64, blank=True, default="")
    correction = models.BooleanField(_("correction"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(blank=True, default="")
    report_count = models.PositiveIntegerField(default=0)
    value_count = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received"), db_index=True)
    stored_at = models.DateTimeField(_("stored"), null=True, blank=True)

    class Meta:
        verbose_name = _("raw message")
        verbose_name_plural = _("raw archive")
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.origin}#{self.position} ({self.status})"


class StageCount(models.Model):
    """Messages and values counted per stage, channel and minute.

    For the ingest stage ``received = stored + duplicates + rejected + undecoded`` holds in every
    row: a batch's archive, values and counts are committed together.
    """

    minute = models.DateTimeField()
    stage = models.CharField(max_length=16)  # ingest, qc, store
    channel = models.CharField(max_length=16)
    received = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    undecoded = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stage count")
        verbose_name_plural = _("stage counts")
        constraints = [
            models.UniqueConstraint(fields=["minute", "stage", "channel"], name="stagecount_key")
        ]

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {self.stage}/{self.channel}"
