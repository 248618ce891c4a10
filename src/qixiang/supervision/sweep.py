"""The daily sweep: deadlines passed, escalations due, reminders before deadlines.

:func:`sweep` is what ``qixiang supervision sweep`` runs (from cron, say hourly) and what
``qixiang run`` starts on a small thread (:class:`PeriodicSweep`). Running it again the same day
changes nothing: the workflow refuses steps already taken and each notification has a key.

1. Hazards whose deadline has passed are marked overdue
   (:func:`qixiang.supervision.workflows.hazard.sweep_overdue`); the unit and the competent
   bureau are told once per deadline.
2. A major hazard is escalated at once (spec §4.1); a general one overdue for more than
   :data:`ESCALATE_AFTER_DAYS` days is escalated to the bureau [Prop].
3. Units are reminded :data:`~qixiang.supervision.workflows.hazard.REMINDER_DAYS` days before a
   deadline, agencies :data:`UPLOAD_REMINDER_DAYS` days before a report's upload is due, and when
   it is late.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qixiang.supervision import models as m
from qixiang.supervision import notifications as news
from qixiang.supervision.workflows import SYSTEM, TransitionError, transition
from qixiang.supervision.workflows import hazard as hazard_flow

log = logging.getLogger(__name__)

ESCALATE_AFTER_DAYS = 7  # [Prop] days overdue before a general hazard goes to the bureau
UPLOAD_REMINDER_DAYS = (3, 1, 0)
ESCALATABLE = frozenset(hazard_flow.MACHINE.get("escalate").sources)


@dataclass(frozen=True, slots=True)
class SweepReport:
    overdue: int = 0
    escalated: int = 0
    reminders: int = 0
    upload_reminders: int = 0
    errors: int = 0

    def __str__(self) -> str:
        return _("marked overdue %(overdue)d, escalated %(escalated)d, deadline reminders "
                 "%(reminders)d, upload reminders %(uploads)d, errors %(errors)d") % {
            "overdue": self.overdue, "escalated": self.escalated, "reminders": self.reminders,
            "uploads": self.upload_reminders, "errors": self.errors}


def _escalate(hazard: m.Hazard, reason, **params) -> bool:
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        reason = str(reason) % params if params else str(reason)
    try:
        transition(hazard, "escalate", SYSTEM, reason=reason)
    except TransitionError as exc:  # changed meanwhile (a person or another sweep acted)
        log.info("hazard %s not escalated: %s", hazard.hazard_no, exc)
        return False
    news.after_hazard_step(hazard, "escalate", SYSTEM)
    return True


def escalate_major(hazard: m.Hazard) -> bool:
    """A major hazard goes to the bureau at once (spec §4.1), once."""
    if hazard.escalated_at is not None or hazard.status not in ESCALATABLE:
        return False
    return _escalate(hazard, gettext_lazy("major hazard: escalated at once"))


def escalate_due(today: dt.date) -> tuple[int, int]:
    """Escalate major hazards not yet escalated and general ones long overdue."""
    escalated = errors = 0
    majors = m.Hazard.objects.filter(severity=m.Severity.MAJOR, escalated_at__isnull=True,
                                     status__in=ESCALATABLE).select_related("site", "subject")
    for hazard in majors:
        ok = escalate_major(hazard)
        escalated, errors = escalated + ok, errors + (not ok)
    late = today - dt.timedelta(days=ESCALATE_AFTER_DAYS)
    for hazard in m.Hazard.objects.filter(status=m.HazardStatus.OVERDUE, deadline__lt=late,
                                          escalated_at__isnull=True).select_related("site",
                                                                                    "subject"):
        days = (today - hazard.deadline).days
        ok = _escalate(hazard, gettext_lazy("overdue by %(days)d days"), days=days)
        escalated, errors = escalated + ok, errors + (not ok)
    return escalated, errors


def tell_overdue() -> int:
    told = 0
    for hazard in m.Hazard.objects.filter(status=m.HazardStatus.OVERDUE).select_related(
            "site", "subject"):
        users = news.unit_users(hazard.subject_id) + news.regulators_for(
            hazard.subject.region_code)
        told += bool(news.notify(users, m.NotificationKind.HAZARD_OVERDUE,
                                 f"hazard:{hazard.pk}:overdue:{hazard.deadline}", hazard=hazard,
                                 **news.hazard_params(hazard)))
    return told


def remind_deadlines(today: dt.date) -> int:
    told = 0
    due = hazard_flow.due_for_reminder(m.Hazard.objects.all(), today)
    for hazard in due.select_related("site", "subject"):
        days = (hazard.deadline - today).days
        told += bool(news.notify(
            news.unit_users(hazard.subject_id), m.NotificationKind.HAZARD_REMINDER,
            f"hazard:{hazard.pk}:reminder:{hazard.deadline}:{days}", hazard=hazard,
            **news.hazard_params(hazard, days=days)))
    return told


def remind_uploads(today: dt.date) -> int:
    """Agencies: reports issued and not uploaded, near or past their upload deadline."""
    told = 0
    days = [today + dt.timedelta(days=d) for d in UPLOAD_REMINDER_DAYS]
    pending = m.InspectionReport.objects.filter(
        task__status=m.InspectionStatus.ISSUED, uploaded_at__isnull=True,
        upload_due__isnull=False, upload_due__lte=max(days)).select_related("task__site")
    for report in pending:
        late = report.upload_due < today
        if not late and report.upload_due not in days:
            continue
        suffix = "late" if late else (report.upload_due - today).days
        told += bool(news.notify(
            news.agency_users(report.task.agency_id), m.NotificationKind.UPLOAD_REMINDER,
            f"report:{report.pk}:upload:{report.upload_due}:{suffix}", task=report.task,
            report_no=report.report_no, due=report.upload_due.isoformat(), late=late))
    return told


def sweep(today: dt.date | None = None) -> SweepReport:
    """One pass over every deadline; safe to run as often as wanted."""
    today = today or timezone.localdate()
    overdue = hazard_flow.sweep_overdue(today)
    tell_overdue()
    escalated, errors = escalate_due(today)
    return SweepReport(overdue=overdue, escalated=escalated, reminders=remind_deadlines(today),
                       upload_reminders=remind_uploads(today), errors=errors)


class PeriodicSweep(threading.Thread):
    """Runs :func:`sweep` now and then every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="supervision-sweep", daemon=True)
        self.interval = interval
        self._stopping = threading.Event()
        self.runs = 0

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                report = sweep()
                self.runs += 1
                log.info("supervision sweep: %s", report)
            except Exception:  # a failed pass must not end the thread; the next one retries
                log.exception("supervision sweep failed")
            finally:
                close_old_connections()
            self._stopping.wait(self.interval)
        connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=30)
