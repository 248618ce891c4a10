"""Quality indicators summarised per station and hour, station schedules, and the review log.

The indicators are computed from the observations table (:mod:`.summary`) into
:class:`HourSummary`, one row per station and hour, so a month of a national network is summed
from about a million small rows instead of a billion values. :class:`SummaryHour` says which
hours are summarised and which became stale (new values, a review) since. :class:`Review` is the
log of operators' decisions on flagged values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.observations.models import QCFlag


class Cadence(models.IntegerChoices):
    """How often a station is expected to report (the two observation datasets)."""

    MINUTE = 60, _("every minute")
    HOURLY = 3600, _("every hour")


class StationSchedule(models.Model):
    """How often a station should report; learned from its data unless set by hand."""

    station_id = models.CharField(_("station"), max_length=64, unique=True)
    cadence = models.PositiveIntegerField(_("cadence"), choices=Cadence.choices,
                                          default=Cadence.HOURLY)
    learned = models.BooleanField(
        _("learned from the data"), default=True,
        help_text=_("Untick to keep a cadence set by hand; learned cadences follow the data."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("station schedule")
        verbose_name_plural = _("station schedules")
        ordering = ["station_id"]

    def __str__(self) -> str:
        return f"{self.station_id} {self.get_cadence_display()}"


class SummaryHour(models.Model):
    """An hour (UTC) whose indicators are summarised; ``stale`` when its data changed since."""

    hour = models.DateTimeField(_("hour"), unique=True)
    observed = models.BooleanField(_("the network reported"), default=False)
    stale = models.BooleanField(_("stale"), default=False)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("summarised hour")
        verbose_name_plural = _("summarised hours")

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00Z"


class HourSummary(models.Model):
    """One station's reports and values in one hour, counted for the quality indicators."""

    station_id = models.CharField(_("station"), max_length=64)
    hour = models.DateTimeField(_("hour"))
    division_code = models.CharField(_("division code (GB/T 2260)"), max_length=6, blank=True,
                                     default="")
    province = models.CharField(_("province"), max_length=64, blank=True, default="")
    cadence = models.PositiveIntegerField(_("cadence"), choices=Cadence.choices)
    expected = models.PositiveIntegerField(_("reports expected"))
    arrived = models.PositiveIntegerField(_("reports arrived"))
    usable = models.FloatField(_("usable reports"))
    values = models.PositiveIntegerField(_("values stored"))
    checked = models.PositiveIntegerField(_("values with a QC flag other than 9"))
    missing = models.PositiveIntegerField(_("missing values"))
    suspect = models.PositiveIntegerField(_("suspect values"))
    wrong = models.PositiveIntegerField(_("wrong values"))
    within_1min = models.PositiveIntegerField(_("reports within 1 minute"))
    within_5min = models.PositiveIntegerField(_("reports within 5 minutes"))

    class Meta:
        verbose_name = _("hourly quality summary")
        verbose_name_plural = _("hourly quality summaries")
        constraints = [models.UniqueConstraint(fields=["station_id", "hour"],
                                               name="quality_hour_key")]
        indexes = [models.Index(fields=["hour"], name="quality_hour_time")]


class Review(models.Model):
    """An operator's decision on a flagged value: the flag (and value) before and after, and why."""

    station_id = models.CharField(_("station"), max_length=64)
    element = models.CharField(_("element"), max_length=32)
    time = models.DateTimeField(_("observation time"))
    old_flag = models.PositiveSmallIntegerField(_("flag before"), choices=QCFlag.choices)
    new_flag = models.PositiveSmallIntegerField(_("flag after"), choices=QCFlag.choices)
    old_value = models.FloatField(_("value before"), null=True, blank=True)
    new_value = models.FloatField(_("value after"), null=True, blank=True)
    old_checks = models.PositiveIntegerField(_("checks fired before"), null=True, blank=True)
    old_reason = models.TextField(_("QC reasons before"), blank=True, default="")
    reason = models.TextField(_("reason"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("reviewer"))
    reviewer_name = models.CharField(_("reviewer name"), max_length=150)
    reviewed_at = models.DateTimeField(_("reviewed"), auto_now_add=True)

    class Meta:
        verbose_name = _("QC review")
        verbose_name_plural = _("QC reviews")
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["station_id", "element", "time"], name="review_key"),
                   models.Index(fields=["reviewed_at"], name="review_time")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.element} {self.time:%Y-%m-%d %H:%M} " \
               f"{self.old_flag}->{self.new_flag}"
