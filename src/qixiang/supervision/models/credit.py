"""Credit: the events that move a subject's credit score, and periodic ratings (spec §4.3, §5.2).

A :class:`CreditRecord` is one event with its signed score change and validity (24 months by
default), from a source that can be followed back (a report, a case, an annual report). The
subject may object (异议: open → upheld or rejected) and, after the publication period, ask for
repair (信用修复); an upheld objection or a granted repair takes the record out of the score.
:class:`CreditRating` keeps the grade computed or rated at a time, with its breakdown.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import Timestamped
from qixiang.supervision.models.subjects import Subject


class CreditEvent(models.TextChoices):
    QUALITY_SERIOUS = "quality_serious", _("quality assessment: serious nonconformity")
    QUALITY_GENERAL = "quality_general", _("quality assessment: general nonconformity")
    FAKE_REPORT = "fake_report", _("fake report confirmed")
    FINE = "fine", _("fine")
    WARNING = "warning", _("warning")
    LATE_UPLOAD = "late_upload", _("late report upload")
    ANNUAL_REPORT = "annual_report", _("annual report missing or failed spot check")
    CONDITIONS_NOT_MET = "conditions_not_met", _("qualification conditions not met")
    CLEAN_YEAR = "clean_year", _("clean quality year")
    COMPLETE_DATA = "complete_data", _("complete, on-time data")
    OTHER = "other", _("other")


class CreditSource(models.TextChoices):
    REPORT = "report", _("inspection report")
    ENFORCEMENT = "enforcement", _("enforcement inspection")
    CASE = "case", _("penalty case")
    ANNUAL_REPORT = "annual_report", _("annual report")
    QUALITY_ASSESSMENT = "quality_assessment", _("quality assessment")
    SYSTEM = "system", _("computed by the platform")
    MANUAL = "manual", _("entered by a regulator")
    PARTNER = "partner", _("shared by a partner platform")


class ObjectionStatus(models.TextChoices):
    NONE = "", _("none")
    OPEN = "open", _("open")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class RepairStatus(models.TextChoices):
    NONE = "", _("none")
    APPLIED = "applied", _("applied")
    REPAIRED = "repaired", _("repaired")
    REFUSED = "refused", _("refused")


class CreditRecord(Timestamped):
    """One credit event of a subject and its score change."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="credit_records",
                                verbose_name=_("subject"))
    event = models.CharField(_("event"), max_length=20, choices=CreditEvent.choices)
    delta = models.FloatField(_("score change"))
    occurred_on = models.DateField(_("occurred on"))
    valid_to = models.DateField(_("counts until"))
    source = models.CharField(_("source"), max_length=20, choices=CreditSource.choices)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True, default="",
                                  help_text=_("Number of the report, case or record behind it."))
    description = models.TextField(_("description"), blank=True, default="")
    published = models.BooleanField(_("published"), default=False)
    objection_status = models.CharField(_("objection"), max_length=8,
                                        choices=ObjectionStatus.choices, blank=True, default="",
                                        editable=False)
    objection = models.TextField(_("objection text"), blank=True, default="")
    objection_decision = models.TextField(_("objection decision"), blank=True, default="")
    repair_status = models.CharField(_("credit repair"), max_length=8,
                                     choices=RepairStatus.choices, blank=True, default="",
                                     editable=False)
    repair_note = models.TextField(_("repair note"), blank=True, default="")
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True,
                                             editable=False)

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        ordering = ["-occurred_on"]
        indexes = [models.Index(fields=["subject", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_event_display()} {self.delta:+g}"

    @property
    def counts(self) -> bool:
        """False once an objection was upheld or the record repaired."""
        return (self.objection_status != ObjectionStatus.UPHELD
                and self.repair_status != RepairStatus.REPAIRED)


class CreditRating(Timestamped):
    """A credit grade of a subject at a time: computed dynamically or rated by experts."""

    class Method(models.TextChoices):
        DYNAMIC = "dynamic", _("dynamic score")
        EXPERT = "expert", _("expert rating")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="credit_ratings",
                                verbose_name=_("subject"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    score = models.FloatField(_("score"))
    grade = models.CharField(_("grade"), max_length=4)
    rated_on = models.DateField(_("rated on"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)

    class Meta:
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")
        ordering = ["-rated_on"]

    def __str__(self) -> str:
        return f"{self.subject} {self.grade} ({self.rated_on})"
