"""Who is told what: the wording of notifications and the choice of recipients.

A :class:`~qixiang.supervision.models.Notification` stores a kind and parameters; :func:`text`
words it in the reader's language when the page is drawn. Recipients follow the records: a key
unit's own users for its hazards and reminders, an agency's users for its tasks and reports, and
the regulators of the nearest level that has any for the site's region (a county bureau if it
has users, else the city, province, then national level), so news reaches the competent bureau
without copying every level above it. The person who took a step is not told about it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from qixiang.accounts.models import Role, User, region_prefix
from qixiang.supervision import models as m
from qixiang.supervision.workflows import hazard as hazard_flow
from qixiang.supervision.workflows import inspection as inspection_flow

K = m.NotificationKind

WORDING = {
    K.HAZARD_REMINDER: gettext_lazy(
        "Hazard %(hazard_no)s at %(site)s must be rectified by %(deadline)s "
        "(%(days)s day(s) left)."),
    K.HAZARD_OVERDUE: gettext_lazy(
        "Hazard %(hazard_no)s at %(site)s passed its rectification deadline of %(deadline)s."),
    K.HAZARD_ESCALATED: gettext_lazy("Hazard %(hazard_no)s at %(site)s was escalated: %(reason)s"),
    K.HAZARD_FOUND: gettext_lazy("A %(severity)s hazard %(hazard_no)s was found at %(site)s: "
                                 "%(item)s."),
    K.HAZARD_STEP: gettext_lazy("Hazard %(hazard_no)s at %(site)s: %(step)s; now %(status)s."),
    K.UPLOAD_REMINDER: gettext_lazy("Report %(report_no)s must be uploaded by %(due)s."),
    K.TASK_STEP: gettext_lazy("Inspection %(task_no)s at %(site)s: %(step)s; now %(status)s."),
}
LATE_UPLOAD = gettext_lazy("Report %(report_no)s was due for upload on %(due)s and is late.")


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value))


def _step_label(machine, action: str) -> str:
    found = machine.get(action)
    return str(found.label) if found else action


def text(notification: m.Notification) -> str:
    """The notification in the current language."""
    params = dict(notification.params)
    if notification.kind in (K.HAZARD_STEP, K.TASK_STEP):
        machine, statuses = ((hazard_flow.MACHINE, m.HazardStatus.choices)
                             if notification.kind == K.HAZARD_STEP
                             else (inspection_flow.MACHINE, m.InspectionStatus.choices))
        params["step"] = _step_label(machine, params.get("action", ""))
        params["status"] = _label(statuses, params.get("status", ""))
    if "severity" in params:
        params["severity"] = _label(m.Severity.choices, params["severity"])
    template = WORDING[notification.kind]
    if notification.kind == K.UPLOAD_REMINDER and params.get("late"):
        template = LATE_UPLOAD
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return notification.get_kind_display()


def link(notification: m.Notification) -> str:
    if notification.hazard_id:
        return reverse("supervision:hazard", args=[notification.hazard_id])
    if notification.task_id:
        return reverse("supervision:task", args=[notification.task_id])
    return reverse("supervision:notifications")


# --- recipients --------------------------------------------------------------------------------
def unit_users(subject_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True,
                                    supervision_membership__key_unit__subject_id=subject_id))


def agency_users(agency_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True, supervision_membership__agency_id=agency_id))


def regulators_for(region_code: str) -> list[User]:
    """The regulators of the most local level covering ``region_code`` that has any."""
    by_prefix: dict[str, list[User]] = {}
    for user in User.objects.filter(role=Role.REGULATOR, is_active=True,
                                    supervision_membership__isnull=True):
        prefix = region_prefix(user.region_code)
        if (region_code or "").startswith(prefix):
            by_prefix.setdefault(prefix, []).append(user)
    if not by_prefix:
        return []
    return by_prefix[max(by_prefix, key=len)]


def hazard_params(hazard: m.Hazard, **extra) -> dict:
    return {"hazard_no": hazard.hazard_no, "site": hazard.site.name,
            "deadline": hazard.deadline.isoformat() if hazard.deadline else "", **extra}


def task_params(task: m.InspectionTask, **extra) -> dict:
    return {"task_no": task.task_no, "site": task.site.name, **extra}


def notify(users: Iterable[User], kind: str, key: str, *, actor=None,
           hazard: m.Hazard | None = None, task: m.InspectionTask | None = None,
           **params) -> int:
    """Tell each user once per ``key``; returns how many were told now."""
    told = 0
    seen = set()
    for user in users:
        if user.pk in seen or (actor is not None and getattr(actor, "pk", None) == user.pk):
            continue
        seen.add(user.pk)
        if m.Notification.objects.filter(user=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                m.Notification.objects.create(user=user, kind=kind, key=key[:120], params=params,
                                              hazard=hazard, task=task)
            told += 1
        except IntegrityError:  # another sweep told them meanwhile
            continue
    return told


def _hazard_agency_users(hazard: m.Hazard) -> list[User]:
    if hazard.report_id is None:
        return []
    return agency_users(hazard.report.task.agency_id)


def hazard_found(hazard: m.Hazard, actor) -> int:
    """A new hazard: the unit, the competent bureau and the agency whose report found it."""
    users = (unit_users(hazard.subject_id) + regulators_for(hazard.subject.region_code)
             + _hazard_agency_users(hazard))
    return notify(users, K.HAZARD_FOUND, f"hazard:{hazard.pk}:found", actor=actor, hazard=hazard,
                  **hazard_params(hazard, severity=hazard.severity, item=hazard.item))


# Who hears of each step of the loop: the side that must act next, and the unit always.
HAZARD_AUDIENCE = {
    "notify": ("unit",),
    "submit_plan": ("regulator",),
    "start": ("regulator",),
    "submit_evidence": ("regulator", "agency"),
    "verify": ("unit", "regulator"),
    "close": ("unit", "agency"),
    "reject": ("unit",),
    "resume": ("regulator",),
    "mark_overdue": ("unit", "regulator"),
}


def after_hazard_step(hazard: m.Hazard, action: str, actor) -> int:
    if action == "escalate":
        users = unit_users(hazard.subject_id) + regulators_for(hazard.subject.region_code)
        return notify(users, K.HAZARD_ESCALATED, f"hazard:{hazard.pk}:escalated:"
                      f"{hazard.escalated_at:%Y%m%d%H%M%S}", actor=actor, hazard=hazard,
                      **hazard_params(hazard, reason=hazard.escalation_reason))
    users: list[User] = []
    for side in HAZARD_AUDIENCE.get(action, ()):
        users += {"unit": lambda: unit_users(hazard.subject_id),
                  "regulator": lambda: regulators_for(hazard.subject.region_code),
                  "agency": lambda: _hazard_agency_users(hazard)}[side]()
    step_at = hazard.status_changed_at.strftime("%Y%m%d%H%M%S%f")
    return notify(users, K.HAZARD_STEP, f"hazard:{hazard.pk}:{action}:{step_at}", actor=actor,
                  hazard=hazard, **hazard_params(hazard, action=action, status=hazard.status))


TASK_AUDIENCE = {
    "pre_report": ("regulator", "unit"),
    "issue": ("unit",),
    "upload": ("regulator",),
    "flag": ("agency",),
    "confirm_false": ("agency",),
    "clear": ("agency",),
    "cancel": ("unit",),
}


def after_task_step(task: m.InspectionTask, action: str, actor) -> int:
    users: list[User] = []
    for side in TASK_AUDIENCE.get(action, ()):
        users += {"unit": lambda: unit_users(task.subject_id),
                  "regulator": lambda: regulators_for(task.site.subject.region_code),
                  "agency": lambda: agency_users(task.agency_id)}[side]()
    if not users:
        return 0
    step_at = task.status_changed_at.strftime("%Y%m%d%H%M%S%f")
    return notify(users, K.TASK_STEP, f"task:{task.pk}:{action}:{step_at}", actor=actor,
                  task=task, **task_params(task, action=action, status=task.status))


def unread(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return m.Notification.objects.filter(user=user, read_at__isnull=True).count()
