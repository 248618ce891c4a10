"""Inspection agencies (检测资质单位), their inspectors and their instruments.

An agency is a subject holding a qualification certificate of grade A or B, valid five years and
to be renewed three months before expiry (spec §1.2). Inspectors and instruments are listed with
the validity of their certificates, because a report is only worth something when, on the day of
measuring, the agency, every inspector and every instrument were in validity (anomaly rules A7,
A8, A11 read these columns).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import HoldsIdNumber, Timestamped, region_field
from qixiang.supervision.models.subjects import Subject


class Grade(models.TextChoices):
    A = "A", _("grade A")
    B = "B", _("grade B")


class AgencyStatus(models.TextChoices):
    VALID = "valid", _("valid")
    RECTIFYING = "rectifying", _("rectifying (conditions not met)")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


class CreditGrade(models.TextChoices):
    """Agency credit grades of the dynamic score (spec §5.2)."""

    A = "A", _("A (≥90)")
    B = "B", _("B (75–89)")
    C = "C", _("C (60–74)")
    D = "D", _("D (<60)")


RENEWAL_NOTICE = dt.timedelta(days=91)  # renew three months before expiry or the grade lapses


class Agency(Timestamped):
    """A subject qualified to inspect lightning protection systems."""

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="agency",
                                   verbose_name=_("subject"))
    region_code = region_field(help_text=_("Where the agency is registered."))
    grade = models.CharField(_("qualification grade"), max_length=1, choices=Grade.choices)
    certificate_no = models.CharField(_("qualification certificate number"), max_length=64,
                                      unique=True)
    issuing_province = models.CharField(_("issuing province (GB/T 2260)"), max_length=6)
    certificate_issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    certificate_valid_to = models.DateField(_("certificate valid to"))
    status = models.CharField(_("qualification status"), max_length=12,
                              choices=AgencyStatus.choices, default=AgencyStatus.VALID)
    rectify_by = models.DateField(
        _("rectify conditions by"), null=True, blank=True,
        help_text=_("Set when the agency no longer meets the conditions (at most three months)."))
    branches = models.TextField(_("branches"), blank=True, default="")
    technical_lead = models.ForeignKey(
        "supervision.Inspector", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("technical lead"))
    credit_grade = models.CharField(_("credit grade"), max_length=1, choices=CreditGrade.choices,
                                    blank=True, default="")
    credit_score = models.FloatField(_("credit score"), null=True, blank=True)
    credit_computed_at = models.DateTimeField(_("credit grade computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection agency")
        verbose_name_plural = _("inspection agencies")
        ordering = ["subject__name"]

    def __str__(self) -> str:
        return self.subject.name

    def certificate_valid_on(self, day: dt.date) -> bool:
        """True when the qualification covered ``day`` (status valid and not past its validity)."""
        return self.status == AgencyStatus.VALID and day <= self.certificate_valid_to

    @property
    def renewal_due(self) -> dt.date:
        """Last day to file the renewal."""
        return self.certificate_valid_to - RENEWAL_NOTICE


class AgencyFiling(Timestamped):
    """An agency's filing to work in a region outside its own (外省/外市备案)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="filings",
                               verbose_name=_("inspection agency"))
    region_code = region_field(help_text=_("Region the agency filed to work in."))
    filed_on = models.DateField(_("filed on"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("agency filing")
        verbose_name_plural = _("agency filings")
        ordering = ["-filed_on"]

    def __str__(self) -> str:
        return f"{self.agency} → {self.region_code}"


class AnnualReport(Timestamped):
    """An agency's annual report (due in the second quarter), and its spot check."""

    class SpotCheck(models.TextChoices):
        NOT_CHECKED = "", _("not checked")
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="annual_reports",
                               verbose_name=_("inspection agency"))
    year = models.PositiveSmallIntegerField(_("year reported"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    spot_check = models.CharField(_("spot check"), max_length=8, choices=SpotCheck.choices,
                                  blank=True, default="")
    file_sha256 = models.CharField(_("file sha256"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("agency annual report")
        verbose_name_plural = _("agency annual reports")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["agency", "year"],
                                               name="supervision_annual_report_unique")]

    def __str__(self) -> str:
        return f"{self.agency} {self.year}"


class TitleLevel(models.TextChoices):
    SENIOR = "senior", _("senior")
    INTERMEDIATE = "intermediate", _("intermediate")
    JUNIOR = "junior", _("junior")
    NONE = "none", _("none")


class Inspector(HoldsIdNumber, Timestamped):
    """A person inspecting for an agency, with their capability certificate.

    The same person appears once per agency that employed them; ``id_no_hash`` finds the rows of
    one person across agencies (rule A8: an inspector working for two agencies). Face data are
    never stored: only a reference to a template held elsewhere and match scores per session.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="inspectors",
                               verbose_name=_("inspection agency"))
    name = models.CharField(_("name"), max_length=100)
    person_code = models.CharField(_("person code"), max_length=17, blank=True, default="",
                                   db_index=True, editable=False)
    title_level = models.CharField(_("professional title"), max_length=12,
                                   choices=TitleLevel.choices, default=TitleLevel.NONE)
    specialty = models.CharField(_("specialty"), max_length=100, blank=True, default="")
    certificate_no = models.CharField(_("capability certificate number"), max_length=64,
                                      blank=True, default="")
    certificate_valid_to = models.DateField(_("capability certificate valid to"), null=True,
                                            blank=True)
    insurance_employer_uscc = models.CharField(
        _("insured by (credit code)"), max_length=18, blank=True, default="",
        help_text=_("Unified social credit code of the employer paying the social insurance."))
    experience_years = models.PositiveSmallIntegerField(_("years of experience"), default=0)
    face_template_ref = models.CharField(
        _("face template reference"), max_length=100, blank=True, default="",
        help_text=_("A reference to a template kept by the identity service; no biometric data."))
    employed_from = models.DateField(_("employed from"), null=True, blank=True)
    employed_to = models.DateField(_("employed to"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name

    def certified_on(self, day: dt.date) -> bool:
        """Holds a capability certificate valid on ``day`` and is employed then."""
        return (self.certificate_valid_to is not None and day <= self.certificate_valid_to
                and (self.employed_from is None or self.employed_from <= day)
                and (self.employed_to is None or day <= self.employed_to))

    @property
    def insured_by_agency(self) -> bool:
        return bool(self.insurance_employer_uscc) and (
            self.insurance_employer_uscc == self.agency.subject.uscc)


class InstrumentKind(models.TextChoices):
    EARTH_RESISTANCE = "earth_resistance", _("earth resistance tester")
    SOIL_RESISTIVITY = "soil_resistivity", _("soil resistivity tester")
    BONDING = "bonding", _("bonding (transition) resistance tester")
    SPD = "spd", _("SPD tester")
    INSULATION = "insulation", _("insulation resistance tester")
    THICKNESS = "thickness", _("thickness gauge")
    RANGEFINDER = "rangefinder", _("rangefinder")
    OTHER = "other", _("other")


class Instrument(Timestamped):
    """A measuring instrument of an agency, usable only while its calibration is valid."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="instruments",
                               verbose_name=_("inspection agency"))
    kind = models.CharField(_("type"), max_length=20, choices=InstrumentKind.choices)
    model = models.CharField(_("model"), max_length=100, blank=True, default="")
    serial_no = models.CharField(_("serial number"), max_length=64)
    calibration_certificate_no = models.CharField(_("calibration certificate number"),
                                                  max_length=64, blank=True, default="")
    calibrated_on = models.DateField(_("calibrated on"), null=True, blank=True)
    calib_valid_to = models.DateField(_("calibration valid to"), null=True, blank=True)
    iot_id = models.CharField(_("IoT id"), max_length=64, blank=True, default="")
    retired_on = models.DateField(_("retired on"), null=True, blank=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["agency", "kind", "serial_no"]
        constraints = [models.UniqueConstraint(fields=["agency", "serial_no"],
                                               name="supervision_instrument_serial_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_no}"

    def calibrated_for(self, day: dt.date) -> bool:
        return self.calib_valid_to is not None and day <= self.calib_valid_to and (
            self.retired_on is None or day < self.retired_on)
