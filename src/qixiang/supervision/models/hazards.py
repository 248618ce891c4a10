"""The hazard closed loop (查-整-消: find, fix, clear) of spec §4.1.

A :class:`Hazard` is found from a report, an enforcement inspection, an IoT alarm or the unit's
own self-check, and then follows ``status`` through notice, plan, rectification, evidence,
verification and closing (销号), with rejection, deadlines, overdue and escalation
(:mod:`qixiang.supervision.workflows.hazard`). Each round of rectification is a
:class:`Rectification`; files at any step are :class:`HazardAttachment` rows kept by sha256.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import Timestamped
from qixiang.supervision.models.inspections import InspectionReport, Measurement
from qixiang.supervision.models.subjects import LPSComponent, Site, Subject


class HazardSource(models.TextChoices):
    REPORT = "report", _("inspection report")
    ENFORCEMENT = "enforcement", _("enforcement inspection")
    IOT = "iot", _("IoT alarm")
    SELF_CHECK = "self_check", _("self-check")


class Severity(models.TextChoices):
    GENERAL = "general", _("general")
    MAJOR = "major", _("major")


class HazardStatus(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    NOTIFIED = "notified", _("notified")
    PLAN_SUBMITTED = "plan_submitted", _("plan submitted")
    RECTIFYING = "rectifying", _("rectifying")
    EVIDENCE_SUBMITTED = "evidence_submitted", _("evidence submitted")
    VERIFIED = "verified", _("verified")
    REJECTED = "rejected", _("rejected")
    CLOSED = "closed", _("closed")
    OVERDUE = "overdue", _("overdue")
    ESCALATED = "escalated", _("escalated")


class NoticeKind(models.TextChoices):
    OPINION = "opinion", _("rectification opinion")
    ORDER = "order", _("rectification order")


class Hazard(Timestamped):
    """A safety hazard at a key unit's site and where it stands in the loop."""

    hazard_no = models.CharField(_("hazard number"), max_length=40, unique=True)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="hazards",
                                verbose_name=_("subject"), editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="hazards",
                             verbose_name=_("site"))
    component = models.ForeignKey(LPSComponent, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="hazards",
                                  verbose_name=_("component"))
    source = models.CharField(_("source"), max_length=12, choices=HazardSource.choices)
    report = models.ForeignKey(InspectionReport, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="hazards",
                               verbose_name=_("inspection report"))
    measurement = models.ForeignKey(Measurement, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="hazards",
                                    verbose_name=_("measurement"))
    enforcement = models.ForeignKey("supervision.EnforcementInspection",
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="hazards",
                                    verbose_name=_("enforcement inspection"))
    item = models.CharField(_("item"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices,
                                default=Severity.GENERAL)
    found_at = models.DateTimeField(_("found"))
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("found by"))
    notice_kind = models.CharField(_("notice kind"), max_length=8, choices=NoticeKind.choices,
                                   blank=True, default="")
    notice_no = models.CharField(_("notice number"), max_length=64, blank=True, default="")
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True,
                                db_index=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalation_reason = models.TextField(_("escalation reason"), blank=True, default="")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=HazardStatus.choices,
                              default=HazardStatus.IDENTIFIED, db_index=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True,
                                             editable=False)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"{self.hazard_no} {self.item}"

    def save(self, *args, **kwargs) -> None:
        self.subject_id = self.site.subject_id
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != HazardStatus.CLOSED


class VerificationResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class Rectification(Timestamped):
    """One round of fixing a hazard: the unit's plan and evidence, the verifier's finding.

    A rejection closes the round; resuming opens a new one, so the history of attempts stays.
    """

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="rectifications",
                               verbose_name=_("hazard"))
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    plan = models.TextField(_("plan"), blank=True, default="")
    owner = models.CharField(_("person in charge"), max_length=100, blank=True, default="")
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    plan_submitted_at = models.DateTimeField(_("plan submitted"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True, default="")
    evidence_submitted_at = models.DateTimeField(_("evidence submitted"), null=True, blank=True)
    retest_report = models.ForeignKey(InspectionReport, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+",
                                      verbose_name=_("re-test report"))
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("verifier"))
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    result = models.CharField(_("verification result"), max_length=8,
                              choices=VerificationResult.choices, blank=True, default="")
    verification_note = models.TextField(_("verification note"), blank=True, default="")

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["hazard", "round"]
        constraints = [models.UniqueConstraint(fields=["hazard", "round"],
                                               name="supervision_rectification_round_unique")]

    def __str__(self) -> str:
        return f"{self.hazard.hazard_no} #{self.round}"


class AttachmentStage(models.TextChoices):
    FOUND = "found", _("when found")
    PLAN = "plan", _("plan")
    EVIDENCE = "evidence", _("evidence")
    VERIFICATION = "verification", _("verification")


def attachment_path(instance: HazardAttachment, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    return f"supervision/hazards/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class HazardAttachment(models.Model):
    """A photo or document given at a step of the loop, kept by its sha256."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("hazard"))
    stage = models.CharField(_("stage"), max_length=12, choices=AttachmentStage.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=200, blank=True, default="")
    sha256 = models.CharField(_("sha256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("hazard attachment")
        verbose_name_plural = _("hazard attachments")
        ordering = ["hazard", "uploaded_at"]

    def __str__(self) -> str:
        return self.name or self.sha256[:12]
