"""Inspections, traceable end to end: task, field sessions, photos, measurements, report.

One :class:`InspectionTask` follows the inspection state machine of spec §4.2 in ``status``
(:mod:`qixiang.supervision.workflows.inspection`): contracted, plan filed, pre-reported, on site,
measured, drafted, signed, issued, uploaded, screened and then accepted or flagged for review.
The on-site part is one :class:`FieldSession` per inspector and visit, carrying what proves the
inspector was there (check-in/out, a BeiDou/GPS fix with its accuracy, the site's QR token
scanned, the identity check result) and the photos by their sha256. Measurements refer to a
component and an instrument and carry the time they were taken, so the anomaly rules of spec §6
(speed between sessions, distance to the site, expired calibration, time logic, identical
vectors) are queries over these tables. A task has at most one report.
"""

from __future__ import annotations

from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.agencies import Agency, Inspector, Instrument
from qixiang.supervision.models.base import Datum, Timestamped
from qixiang.supervision.models.subjects import LPSComponent, Site, Subject


class InspectionKind(models.TextChoices):
    FIRST = "first", _("first inspection")
    PERIODIC = "periodic", _("periodic inspection")


class InspectionStatus(models.TextChoices):
    CONTRACTED = "contracted", _("contracted")
    PLAN_FILED = "plan_filed", _("plan filed")
    PRE_REPORTED = "pre_reported", _("pre-reported")
    ON_SITE = "on_site", _("on site")
    MEASURED = "measured", _("measured")
    DRAFTED = "drafted", _("report drafted")
    SIGNED = "signed", _("report signed")
    ISSUED = "issued", _("report issued")
    UPLOADED = "uploaded", _("report uploaded")
    SCREENED = "screened", _("screened")
    ACCEPTED = "accepted", _("accepted")
    FLAGGED = "flagged", _("flagged")
    REVIEW = "review", _("in review")
    CLEARED = "cleared", _("cleared")
    CONFIRMED_FALSE = "confirmed_false", _("confirmed false")
    CANCELLED = "cancelled", _("cancelled")


class InspectionTask(Timestamped):
    """An agency's contracted inspection of one site."""

    task_no = models.CharField(_("task number"), max_length=40, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tasks",
                               verbose_name=_("inspection agency"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tasks",
                             verbose_name=_("site"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="inspection_tasks",
                                verbose_name=_("inspected subject"), editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices,
                            default=InspectionKind.PERIODIC)
    contract_no = models.CharField(_("contract number"), max_length=64, blank=True, default="")
    contracted_on = models.DateField(_("contracted on"), null=True, blank=True)
    window_start = models.DateField(_("planned from"), null=True, blank=True)
    window_end = models.DateField(_("planned to"), null=True, blank=True)
    inspectors = models.ManyToManyField(Inspector, related_name="tasks", blank=True,
                                        verbose_name=_("inspectors"))
    instruments = models.ManyToManyField(Instrument, related_name="tasks", blank=True,
                                         verbose_name=_("instruments"))
    plan_filed_at = models.DateTimeField(_("plan filed"), null=True, blank=True)
    pre_reported_at = models.DateTimeField(_("pre-reported"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InspectionStatus.choices,
                              default=InspectionStatus.CONTRACTED, db_index=True, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True,
                                             editable=False)
    remote = models.BooleanField(
        _("off-site (code) inspection"), default=False,
        help_text=_("Inspected off site by digital means (code inspection), not in person."))
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.task_no

    def save(self, *args, **kwargs) -> None:
        self.subject_id = self.site.subject_id
        super().save(*args, **kwargs)


class GnssSystem(models.TextChoices):
    BEIDOU = "beidou", _("BeiDou")
    GPS = "gps", _("GPS")
    MIXED = "mixed", _("multi-constellation")
    NETWORK = "network", _("network (no satellite fix)")


class IdentityResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    NOT_DONE = "not_done", _("not done")


class FieldSession(Timestamped):
    """One inspector's presence on site for a task: the traceable evidence of being there."""

    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT,
                             related_name="sessions", verbose_name=_("inspection task"))
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="sessions",
                                  verbose_name=_("inspector"))
    check_in_at = models.DateTimeField(_("checked in"))
    check_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    gnss_system = models.CharField(_("positioning system"), max_length=8,
                                   choices=GnssSystem.choices, blank=True, default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    datum = models.CharField(_("datum"), max_length=10, choices=Datum.choices,
                             default=Datum.CGCS2000)
    accuracy_m = models.FloatField(_("fix accuracy (m)"), null=True, blank=True)
    fix_at = models.DateTimeField(_("fix time"), null=True, blank=True)
    distance_to_site_m = models.FloatField(_("distance to the site (m)"), null=True, blank=True,
                                           editable=False)
    qr_scanned_at = models.DateTimeField(_("site QR scanned"), null=True, blank=True)
    qr_site_matches = models.BooleanField(
        _("scanned QR is this site's"), null=True, blank=True,
        help_text=_("Empty when no QR was scanned."))
    identity_method = models.CharField(
        _("identity check method"), max_length=12, blank=True, default="",
        choices=[("face", _("face")), ("fingerprint", _("fingerprint")),
                 ("document", _("certificate shown"))])
    identity_result = models.CharField(_("identity check result"), max_length=8,
                                       choices=IdentityResult.choices,
                                       default=IdentityResult.NOT_DONE)
    face_match_score = models.FloatField(_("face match score"), null=True, blank=True)
    instruments_online = models.ManyToManyField(
        Instrument, related_name="sessions_online", blank=True,
        verbose_name=_("instruments online during the session"))

    class Meta:
        verbose_name = _("field session")
        verbose_name_plural = _("field sessions")
        ordering = ["task", "check_in_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.inspector}"


def photo_path(instance: FieldPhoto, filename: str) -> str:
    """Photos are stored under their hash: the same bytes are stored once, names leak nothing."""
    suffix = PurePath(filename).suffix.lower() or ".jpg"
    return f"supervision/photos/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class FieldPhoto(models.Model):
    """A photo taken in a field session, kept by its sha256 with the EXIF time and place."""

    session = models.ForeignKey(FieldSession, on_delete=models.PROTECT, related_name="photos",
                                verbose_name=_("field session"))
    component = models.ForeignKey(LPSComponent, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="photos",
                                  verbose_name=_("component"))
    sha256 = models.CharField(_("sha256"), max_length=64, db_index=True)
    perceptual_hash = models.CharField(_("perceptual hash"), max_length=16, blank=True,
                                       default="")
    image = models.FileField(_("image"), upload_to=photo_path, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True, default="")
    exif_taken_at = models.DateTimeField(_("EXIF time"), null=True, blank=True)
    exif_latitude = models.FloatField(_("EXIF latitude"), null=True, blank=True)
    exif_longitude = models.FloatField(_("EXIF longitude"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("field photo")
        verbose_name_plural = _("field photos")
        ordering = ["session", "uploaded_at"]

    def __str__(self) -> str:
        return self.sha256[:12]


class Conclusion(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")


def report_path(instance: InspectionReport, filename: str) -> str:
    return f"supervision/reports/{instance.file_sha256[:2]}/{instance.file_sha256}.pdf"


class InspectionReport(Timestamped):
    """The report of a task (QX/T 232 format), from draft to upload and screening."""

    task = models.OneToOneField(InspectionTask, on_delete=models.PROTECT, related_name="report",
                                verbose_name=_("inspection task"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT,
                                related_name="inspection_reports",
                                verbose_name=_("inspected subject"), editable=False)
    report_no = models.CharField(_("report number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    standards = models.CharField(_("standards applied"), max_length=200,
                                 default="GB/T 21431-2023")
    conclusion = models.CharField(_("conclusion"), max_length=4, choices=Conclusion.choices,
                                  blank=True, default="")
    conclusion_text = models.TextField(_("conclusion text"), blank=True, default="")
    signatories = models.ManyToManyField(Inspector, related_name="signed_reports", blank=True,
                                         verbose_name=_("signatories"))
    drafted_at = models.DateTimeField(_("drafted"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), null=True, blank=True)
    upload_due = models.DateField(_("upload due"), null=True, blank=True)
    file = models.FileField(_("report file"), upload_to=report_path, blank=True)
    file_sha256 = models.CharField(_("file sha256"), max_length=64, blank=True, default="")
    previous_report = models.ForeignKey("self", on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+",
                                        verbose_name=_("previous report"))
    screening_score = models.PositiveSmallIntegerField(_("screening score"), null=True,
                                                       blank=True)
    screening_findings = models.JSONField(_("screening findings"), default=list, blank=True)
    screened_at = models.DateTimeField(_("screened"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True, default="")

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")
        ordering = ["-issued_on", "-created_at"]

    def __str__(self) -> str:
        return self.report_no

    def save(self, *args, **kwargs) -> None:
        self.subject_id = self.task.subject_id
        super().save(*args, **kwargs)

    @property
    def uploaded_late(self) -> bool:
        return bool(self.uploaded_at and self.upload_due
                    and self.uploaded_at.date() > self.upload_due)


class MeasurementItem(models.TextChoices):
    EARTH_RESISTANCE = "earth_resistance", _("earth resistance")
    BONDING_RESISTANCE = "bonding_resistance", _("transition / bonding resistance")
    CROSS_SECTION = "cross_section", _("cross-section")
    MESH_SIZE = "mesh_size", _("mesh size")
    DOWN_CONDUCTOR_COUNT = "down_conductor_count", _("down-conductor count")
    DOWN_CONDUCTOR_SPACING = "down_conductor_spacing", _("down-conductor spacing")
    SPD_U1MA = "spd_u1ma", _("SPD varistor voltage U1mA")
    SPD_LEAKAGE = "spd_leakage", _("SPD leakage current")
    INSULATION = "insulation", _("insulation resistance")
    SOIL_RESISTIVITY = "soil_resistivity", _("soil resistivity")
    OVERLAP_LENGTH = "overlap_length", _("overlap length")
    PULL_FORCE = "pull_force", _("pull force")
    OTHER = "other", _("other")


# Canonical unit of each item: values are stored in it, so reports can be compared.
ITEM_UNITS: dict[str, str] = {
    MeasurementItem.EARTH_RESISTANCE: "Ω", MeasurementItem.BONDING_RESISTANCE: "Ω",
    MeasurementItem.CROSS_SECTION: "mm²", MeasurementItem.MESH_SIZE: "m",
    MeasurementItem.DOWN_CONDUCTOR_COUNT: "1", MeasurementItem.DOWN_CONDUCTOR_SPACING: "m",
    MeasurementItem.SPD_U1MA: "V", MeasurementItem.SPD_LEAKAGE: "μA",
    MeasurementItem.INSULATION: "MΩ", MeasurementItem.SOIL_RESISTIVITY: "Ω·m",
    MeasurementItem.OVERLAP_LENGTH: "mm", MeasurementItem.PULL_FORCE: "N",
}


class LimitKind(models.TextChoices):
    MAX = "max", _("at most")
    MIN = "min", _("at least")


class Measurement(models.Model):
    """One measured value of a task, at a point of a component, with the instrument used.

    Its report is the task's report (one per task); measurements exist before the report is
    drafted, which is why they hang on the task.
    """

    task = models.ForeignKey(InspectionTask, on_delete=models.PROTECT,
                             related_name="measurements", verbose_name=_("inspection task"))
    component = models.ForeignKey(LPSComponent, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="measurements",
                                  verbose_name=_("component"))
    session = models.ForeignKey(FieldSession, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="measurements", verbose_name=_("field session"))
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="measurements", verbose_name=_("instrument"))
    item = models.CharField(_("item"), max_length=24, choices=MeasurementItem.choices)
    point = models.CharField(_("measuring point"), max_length=100, blank=True, default="")
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=8)
    measured_at = models.DateTimeField(_("measured"))
    limit = models.FloatField(_("limit"), null=True, blank=True)
    limit_kind = models.CharField(_("limit kind"), max_length=3, choices=LimitKind.choices,
                                  blank=True, default="")
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["task", "measured_at", "pk"]
        indexes = [models.Index(fields=["item", "measured_at"])]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.value:g} {self.unit}"

    def judge(self) -> bool | None:
        """Pass/fail against the limit when there is one (None without a limit)."""
        if self.limit is None or not self.limit_kind:
            return None
        return self.value <= self.limit if self.limit_kind == LimitKind.MAX else (
            self.value >= self.limit)
