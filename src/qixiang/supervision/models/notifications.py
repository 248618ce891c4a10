"""In-app notifications: what a user is told about the records they answer for.

A notification keeps the kind of news and its parameters, not a finished sentence, so it reads in
the language of whoever opens it (:mod:`qixiang.supervision.notifications` holds the wording).
``key`` makes each piece of news arrive once per user however often the sweep runs (a reminder
seven days before a deadline is one notification, not one per sweep). Notifications are saved
like any supervision record, so the trail shows who was reminded of what, and when.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qixiang.supervision.models.hazards import Hazard
from qixiang.supervision.models.inspections import InspectionTask


class NotificationKind(models.TextChoices):
    HAZARD_REMINDER = "hazard_reminder", _("rectification deadline approaching")
    HAZARD_OVERDUE = "hazard_overdue", _("rectification overdue")
    HAZARD_ESCALATED = "hazard_escalated", _("hazard escalated")
    HAZARD_STEP = "hazard_step", _("hazard step")
    HAZARD_FOUND = "hazard_found", _("hazard found")
    UPLOAD_REMINDER = "upload_reminder", _("report upload due")
    TASK_STEP = "task_step", _("inspection step")


class Notification(models.Model):
    """One piece of news for one user, with the record it is about."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="supervision_notifications",
                             verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)
    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="notifications", verbose_name=_("hazard"))
    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="notifications", verbose_name=_("inspection task"))
    key = models.CharField(_("deduplication key"), max_length=120, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="supervision_notification_once")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
