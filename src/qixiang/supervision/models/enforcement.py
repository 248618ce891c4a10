"""Enforcement: random inspections (双随机、一公开) and penalty cases (spec §4.4).

A :class:`Draw` records one lottery of targets and officers (its seed and parameters, so the
draw can be re-run and shown fair); each drawn target becomes an
:class:`EnforcementInspection` that follows drawn → assigned → on site or remote → findings →
published. A :class:`PenaltyCase` follows filed → ... → published, with the discretion range the
system proposed and the officer's recorded reason for the decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import Timestamped, region_field
from qixiang.supervision.models.inspections import InspectionReport
from qixiang.supervision.models.subjects import Site, Subject


class Draw(Timestamped):
    """One random draw of inspection targets and officers."""

    draw_no = models.CharField(_("draw number"), max_length=40, unique=True)
    region_code = region_field()
    drawn_at = models.DateTimeField(_("drawn"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("drawn by"))
    method = models.CharField(_("method"), max_length=100, blank=True, default="")
    seed = models.CharField(_("random seed"), max_length=64, blank=True, default="")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return self.draw_no


class EnforcementStatus(models.TextChoices):
    DRAWN = "drawn", _("drawn")
    ASSIGNED = "assigned", _("assigned")
    ON_SITE = "on_site", _("on site")
    REMOTE = "remote", _("remote (code) inspection")
    FINDINGS = "findings", _("findings recorded")
    PUBLISHED = "published", _("published")


class EnforcementResult(models.TextChoices):
    NO_PROBLEM = "no_problem", _("no problem found")
    HAZARDS = "hazards", _("hazards found")
    VIOLATION = "violation", _("violation found")


class EnforcementInspection(Timestamped):
    """A regulator's inspection of a key unit or agency, drawn at random or targeted."""

    inspection_no = models.CharField(_("inspection number"), max_length=40, unique=True)
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="inspections", verbose_name=_("random draw"))
    region_code = region_field(help_text=_("Region of the inspecting bureau."))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT,
                                related_name="enforcement_inspections",
                                verbose_name=_("inspected subject"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="enforcement_inspections", verbose_name=_("site"))
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True,
                                      verbose_name=_("officers"))
    checklist = models.JSONField(_("checklist"), default=list, blank=True,
                                 help_text=_("Items checked, each with its answer and note."))
    findings = models.TextField(_("findings"), blank=True, default="")
    result = models.CharField(_("result"), max_length=10, choices=EnforcementResult.choices,
                              blank=True, default="")
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EnforcementStatus.choices,
                              default=EnforcementStatus.DRAWN, db_index=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True,
                                             editable=False)

    class Meta:
        verbose_name = _("enforcement inspection")
        verbose_name_plural = _("enforcement inspections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.inspection_no


class Degree(models.TextChoices):
    """Degree of a violation in the discretion benchmark (裁量基准)."""

    NONE = "none", _("no penalty")
    LENIENT = "lenient", _("lenient")
    MIDDLE = "middle", _("middle")
    UPPER = "upper", _("upper")


class CaseStatus(models.TextChoices):
    FILED = "filed", _("filed")
    INVESTIGATING = "investigating", _("investigating")
    DISCRETION_MATCHED = "discretion_matched", _("discretion matched")
    NOTICE = "notice", _("notice served")
    DECIDED = "decided", _("decided")
    EXECUTED = "executed", _("executed")
    CLOSED = "closed", _("closed")
    PUBLISHED = "published", _("published")


class PenaltyCase(Timestamped):
    """An administrative penalty case and the discretion matched to it."""

    case_no = models.CharField(_("case number"), max_length=40, unique=True)
    region_code = region_field(help_text=_("Region of the deciding bureau."))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="penalty_cases",
                                verbose_name=_("party"))
    enforcement = models.ForeignKey(EnforcementInspection, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="cases",
                                    verbose_name=_("enforcement inspection"))
    report = models.ForeignKey(InspectionReport, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="cases",
                               verbose_name=_("inspection report"))
    hazard = models.ForeignKey("supervision.Hazard", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="cases", verbose_name=_("hazard"))
    violation_code = models.CharField(_("violation code"), max_length=40)
    basis = models.TextField(_("legal basis"), blank=True, default="")
    degree = models.CharField(_("degree"), max_length=8, choices=Degree.choices, blank=True,
                              default="")
    circumstances = models.TextField(_("circumstances"), blank=True, default="")
    range_min = models.DecimalField(_("matched range from (yuan)"), max_digits=12,
                                    decimal_places=2, null=True, blank=True)
    range_max = models.DecimalField(_("matched range to (yuan)"), max_digits=12,
                                    decimal_places=2, null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True, default="")
    decision_reason = models.TextField(
        _("reason for the decision"), blank=True, default="",
        help_text=_("Required when the decision leaves the proposed range."))
    amount = models.DecimalField(_("fine (yuan)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    filed_on = models.DateField(_("filed on"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    executed_on = models.DateField(_("executed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.FILED, db_index=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True,
                                             editable=False)

    class Meta:
        verbose_name = _("penalty case")
        verbose_name_plural = _("penalty cases")
        ordering = ["-filed_on"]

    def __str__(self) -> str:
        return self.case_no
