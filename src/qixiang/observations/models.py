"""Observed values: one row per station, element and time, with its QC flag and source message.

A correction replaces the value in place and moves the old one to :class:`Revision`, so the
current table stays one row per key and the history is never lost.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QCFlag(models.IntegerChoices):
    """The CMA quality-control code carried by every stored value."""

    CORRECT = 0, _("correct")
    SUSPECT = 1, _("suspect")
    WRONG = 2, _("wrong")
    CORRECTED = 3, _("corrected")
    MODIFIED = 4, _("modified")
    NO_TASK = 7, _("no observation task")
    MISSING = 8, _("missing")
    NOT_CHECKED = 9, _("not checked")


class Observation(models.Model):
    station_id = models.CharField(_("station"), max_length=64)
    time = models.DateTimeField(_("observation time"))
    element = models.CharField(_("element"), max_length=32)
    value = models.FloatField(_("value"), null=True)
    qc_flag = models.PositiveSmallIntegerField(
        _("QC flag"), choices=QCFlag.choices, default=QCFlag.NOT_CHECKED
    )
    # Which checks flagged the value (bit qixiang.science.qc.bit(name) per check) and why, one
    # "check: reason" line each; NULL for values stored before QC recorded them. Nullable so the
    # column is added to a large table without rewriting it.
    qc_checks = models.PositiveIntegerField(_("QC checks fired"), null=True, blank=True)
    qc_reason = models.TextField(_("QC reasons"), null=True, blank=True)
    message = models.ForeignKey(
        "ingest.RawMessage", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["station_id", "element", "time"], name="obs_key")
        ]
        indexes = [
            models.Index(fields=["time"], name="obs_time"),
            # The suspect and wrong values, newest first, for the review of QC flags: a partial
            # index holds only them (a fraction of a percent), so it costs the ingest nothing.
            models.Index(fields=["time"], name="obs_flagged",
                         condition=models.Q(qc_flag__in=[1, 2])),
        ]


class Revision(models.Model):
    """A value that a later message replaced, kept with what replaced it."""

    station_id = models.CharField(max_length=64)
    time = models.DateTimeField()
    element = models.CharField(max_length=32)
    value = models.FloatField(null=True)
    qc_flag = models.PositiveSmallIntegerField()
    message = models.ForeignKey(
        "ingest.RawMessage", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    replaced_by = models.ForeignKey(
        "ingest.RawMessage", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    replaced_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["station_id", "element", "time"], name="rev_key")]
