"""Data quality issues: what a rule found wrong with a record, who must fix it, by when.

Rules run at the stages of the data life cycle (capture, exchange, storage, use; seed §2(4)).
An issue names the record (by content type and id, plus a readable label kept in case the record
goes), the field, the rule and an owner (the organisation that must act and, where known, a
person), and moves open → acknowledged → resolved or dismissed. ``fingerprint`` keeps one open
issue per rule, record and field however often the rule runs.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.base import Timestamped
from qixiang.supervision.models.subjects import Subject


class Stage(models.TextChoices):
    CAPTURE = "capture", _("capture")
    EXCHANGE = "exchange", _("exchange")
    STORAGE = "storage", _("storage")
    USE = "use", _("use")


class IssueSeverity(models.TextChoices):
    INFO = "info", _("information")
    WARNING = "warning", _("warning")
    ERROR = "error", _("error")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")
    DISMISSED = "dismissed", _("dismissed")


class DataQualityIssue(Timestamped):
    """A problem a data quality rule found, with the owner who must fix it."""

    rule = models.CharField(_("rule"), max_length=60, db_index=True)
    stage = models.CharField(_("life-cycle stage"), max_length=10, choices=Stage.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=IssueSeverity.choices,
                                default=IssueSeverity.WARNING)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("record type"))
    object_id = models.CharField(_("record id"), max_length=40, blank=True, default="")
    record_label = models.CharField(_("record"), max_length=200, blank=True, default="")
    field = models.CharField(_("field"), max_length=60, blank=True, default="")
    message = models.TextField(_("message"))
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="quality_issues", verbose_name=_("subject"))
    owner_subject = models.ForeignKey(
        Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("owner organisation"),
        help_text=_("Organisation that must correct the data; empty for the bureau."))
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("owner"))
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=IssueStatus.choices,
                              default=IssueStatus.OPEN, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, default="")
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("data quality issue")
        verbose_name_plural = _("data quality issues")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["fingerprint"], condition=models.Q(status__in=["open", "acknowledged"]),
            name="supervision_quality_issue_open_once")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.record_label}"
